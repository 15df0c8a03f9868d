// The one place where the environment is read. Every variable is validated
// once at start; a bad or missing value stops the process with a message that
// names the variable (see example.env for each variable's meaning).
import { z } from 'zod';

const DEV_SECRET = 'dev-only-insecure-secret-do-not-use-in-production';
/** The embedded Hardhat node that `npm start` and `npm test` run (scripts/bootstrap/chain.mjs). */
export const LOCAL_CHAIN_PORT = 18545;
export const LOCAL_CHAIN_ID = 31337;
/** Hardhat's first default account: public knowledge, so accepted only on the local chain id. */
export const LOCAL_ISSUER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

const bool = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const url = (protocols: RegExp, what: string) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${what} URL`);

const evidenceKey = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes in base64 (openssl rand -base64 32)',
  })
  .transform((v) => Buffer.from(v, 'base64'));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  EXAM_HALL_ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: url(/^https?:$/, 'http(s)')
    .refine(
      (v) => (URL.parse(v)?.pathname ?? '/') === '/',
      'must be an origin only (scheme, host, port), without a path',
    )
    .optional(),
  // Express's trust-proxy setting: false, true, a hop count, or addresses/subnets/names
  // such as "loopback, 10.0.0.0/8".
  TRUST_PROXY: z
    .string()
    .regex(
      /^(false|true|\d+|[0-9a-z.:/]+(\s*,\s*[0-9a-z.:/]+)*)$/i,
      'must be false, true, a number of hops, or a comma-separated list of addresses or subnets',
    )
    .default('false'),
  DATABASE_URL: url(/^postgres(ql)?:$/, 'postgres://').default('postgres://postgres@127.0.0.1:15432/exam_hall'),
  DATABASE_POOL_MAX: int(1, 500).default(20),
  REDIS_URL: url(/^rediss?:$/, 'redis://').default('redis://127.0.0.1:63799'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'must be 1-32 characters of a-z, 0-9, _ or -')
    .default('eh'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_MINUTES: int(1, 60).default(15),
  SESSION_TTL_HOURS: int(1, 24 * 90).default(12),
  SIGN_IN_MAX_FAILURES: int(1, 100).default(5),
  SIGN_IN_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  // Unsuccessful sign-ins per IP per 15 minutes (successes are given back); sized for a
  // school behind one NAT address (docs/SECURITY-LIMITS.md).
  SIGN_IN_MAX_PER_IP: int(1, 1_000_000).default(2000),
  // Access codes: wrong ones per IP per 15 minutes, and per email a few free tries, then a
  // wait that doubles from the base up to the max (docs/SECURITY-LIMITS.md).
  CODE_MAX_WRONG_PER_IP: int(1, 1_000_000).default(3000),
  CODE_FREE_TRIES_PER_EMAIL: int(1, 100).default(3),
  CODE_DELAY_BASE_SECONDS: int(1, 3600).default(2),
  CODE_DELAY_MAX_SECONDS: int(1, 86_400).default(60),
  BODY_LIMIT_KB: int(1, 10240).default(100),
  BOOTSTRAP_ADMIN_EMAIL: z.email('must be an email address').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  BOOTSTRAP_ADMIN_NAME: z.string().min(1).max(100).default('Administrator'),
  WEB_BUILD_DIR: z.string().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: int(100, 120000).default(10000),
  // Sockets accepting connections on the HTTP port (SO_REUSEPORT, Linux): each accepts one new
  // connection per event-loop turn, so a busy process at an exam's start needs several (http/listen.ts).
  HTTP_ACCEPTORS: int(1, 64).default(8),
  SERVE_WEB: bool.default(true),
  INSTITUTION_NAME: z.string().trim().min(1).max(200).default('Exam Hall Demo Institute'),
  CHAIN_RPC_URL: url(/^(https?|wss?):$/, 'http(s) or ws(s)').default(`http://127.0.0.1:${LOCAL_CHAIN_PORT}`),
  // Read-only alternatives for verification when the main endpoint is down.
  CHAIN_FALLBACK_RPC_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(url(/^(https?|wss?):$/, 'http(s) or ws(s)')).max(5, 'at most 5 URLs'))
    .default([]),
  CHAIN_ID: int(1, 2 ** 53 - 1).default(LOCAL_CHAIN_ID),
  CHAIN_ISSUER_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
    .optional(),
  CHAIN_CUSTODY_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
    .optional(),
  CERTIFICATE_CONTRACT_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address')
    .optional(),
  CHAIN_CONFIRMATIONS: int(1, 64).default(1),
  CHAIN_TIMEOUT_MS: int(1000, 600_000).default(60_000),
  // e.g. https://sepolia.etherscan.io/tx/{tx}; shown on the verification page.
  CHAIN_EXPLORER_TX_URL: z.string().includes('{tx}', { message: 'must contain {tx}' }).optional(),
  // Sized for a school behind one NAT address (a class checking its certificates at once).
  VERIFY_MAX_PER_IP_PER_MINUTE: int(1, 100_000).default(300),
  // LTI login + launch requests per client address per minute (a school behind one NAT).
  LTI_MAX_PER_IP_PER_MINUTE: int(1, 100_000).default(600),
  // How often the verifier asks the chain for new blocks and the contract's issue/revoke
  // events, which keep its per-token cache true; 0: no cache, every lookup reads the chain.
  VERIFY_CHAIN_POLL_MS: int(0, 60_000).default(1000),
  // Zoom server-to-server OAuth app of one account. Unset: Zoom features say "not configured".
  ZOOM_ACCOUNT_ID: z.string().trim().min(1).max(200).optional(),
  ZOOM_CLIENT_ID: z.string().trim().min(1).max(200).optional(),
  ZOOM_CLIENT_SECRET: z.string().trim().min(1).max(500).optional(),
  // The app's webhook secret token: signs every event Zoom sends to /api/zoom/webhooks.
  ZOOM_WEBHOOK_SECRET: z.string().trim().min(8, 'must be at least 8 characters').max(500).optional(),
  ZOOM_API_URL: url(/^https?:$/, 'http(s)').default('https://api.zoom.us/v2'),
  ZOOM_OAUTH_URL: url(/^https?:$/, 'http(s)').default('https://zoom.us/oauth/token'),
  ZOOM_TIMEOUT_MS: int(1000, 120_000).default(15_000),
  // The Zoom user (id or email) meetings are created for; "me" is the app's own account owner.
  ZOOM_HOST_USER: z.string().trim().min(1).max(200).default('me'),
  // Zoom publishes the participants report a few minutes after a meeting ends.
  ZOOM_REPORT_DELAY_SECONDS: int(0, 86_400).default(120),
  // Outgoing mail for account links (invitation, password reset, email verification). A secret:
  // it carries the SMTP password, so it is never logged. Unset: links are shown to whoever issued them.
  SMTP_URL: url(/^smtps?:$/, 'smtp:// or smtps://').optional(),
  MAIL_FROM: z
    .string()
    .trim()
    .max(300, 'must be at most 300 characters')
    .regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an address such as "Exam Hall <no-reply@school.example>"')
    .optional(),
  INVITATION_TTL_HOURS: int(1, 24 * 90).default(168),
  PASSWORD_RESET_TTL_MINUTES: int(5, 24 * 60).default(60),
  EMAIL_VERIFICATION_TTL_HOURS: int(1, 24 * 30).default(48),
  // Camera evidence frames are sealed with this AES-256 key (32 bytes, base64). Unset: a key
  // derived from APP_SECRET. Old keys (comma-separated) stay readable after a rotation.
  EVIDENCE_KEY: evidenceKey.optional(),
  EVIDENCE_KEYS_OLD: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(evidenceKey).max(10, 'at most 10 keys'))
    .default([]),
});

/** Every variable the server reads (example.env documents each; a test checks it). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/** Rules across variables, checked on the raw values so they are reported together with
 * per-variable problems rather than in a second round. */
function crossProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.NODE_ENV === 'production') {
    if (!raw.APP_SECRET) problems.push('APP_SECRET is required when NODE_ENV=production');
    if (!raw.PUBLIC_URL) problems.push('PUBLIC_URL is required when NODE_ENV=production (the origin users see)');
  }
  const chainId = raw.CHAIN_ID ?? String(LOCAL_CHAIN_ID);
  if (chainId !== String(LOCAL_CHAIN_ID) && !raw.CHAIN_ISSUER_KEY) {
    problems.push(`CHAIN_ISSUER_KEY is required when CHAIN_ID is not the local chain (${LOCAL_CHAIN_ID})`);
  }
  if (raw.CHAIN_ISSUER_KEY?.toLowerCase() === LOCAL_ISSUER_KEY && chainId !== String(LOCAL_CHAIN_ID)) {
    problems.push("CHAIN_ISSUER_KEY is Hardhat's public test key: never use it outside the local chain");
  }
  if (raw.NODE_ENV === 'production' && raw.CHAIN_RPC_URL && !raw.CERTIFICATE_CONTRACT_ADDRESS) {
    problems.push('CERTIFICATE_CONTRACT_ADDRESS is required in production when CHAIN_RPC_URL is set');
  }
  const zoomParts = ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET'].filter((k) => raw[k]);
  if (zoomParts.length > 0 && zoomParts.length < 3) {
    problems.push('ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET must be set together (one Zoom app)');
  }
  if (!!raw.BOOTSTRAP_ADMIN_EMAIL !== !!raw.BOOTSTRAP_ADMIN_PASSWORD) {
    const missing = raw.BOOTSTRAP_ADMIN_EMAIL ? 'BOOTSTRAP_ADMIN_PASSWORD' : 'BOOTSTRAP_ADMIN_EMAIL';
    problems.push(`${missing} must be set together with the other BOOTSTRAP_ADMIN_ variable`);
  }
  return problems;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function trustProxy(value: string): boolean | string | number {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Unset PUBLIC_URL: the address the server listens on, named as a browser would type it
 * (a wildcard or loopback host becomes localhost; the development origin policy also
 * accepts 127.0.0.1 and [::1] on the same port). */
export function defaultPublicUrl(host: string, port: number): string {
  const local = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host);
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  // Empty strings count as unset, so `FOO=` in an env file means "use the default".
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? '(env)')} ${i.message}`)),
    ...crossProblems(raw),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const env = parsed.data;
  const publicUrl = new URL(env.PUBLIC_URL ?? defaultPublicUrl(env.HOST, env.PORT));
  return {
    env: env.NODE_ENV,
    role: env.EXAM_HALL_ROLE,
    http: {
      host: env.HOST,
      port: env.PORT,
      publicUrl: publicUrl.origin,
      trustProxy: trustProxy(env.TRUST_PROXY),
      bodyLimitKb: env.BODY_LIMIT_KB,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      acceptors: env.HTTP_ACCEPTORS,
      serveWeb: env.SERVE_WEB,
      webBuildDir: env.WEB_BUILD_DIR,
    },
    database: { url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    logLevel: env.LOG_LEVEL,
    secret: env.APP_SECRET ?? DEV_SECRET,
    usingDevSecret: !env.APP_SECRET,
    auth: {
      accessTtlMs: env.ACCESS_TOKEN_TTL_MINUTES * 60_000,
      sessionTtlMs: env.SESSION_TTL_HOURS * 3_600_000,
      cookieSecure: publicUrl.protocol === 'https:',
      maxFailures: env.SIGN_IN_MAX_FAILURES,
      lockoutSeconds: env.SIGN_IN_LOCKOUT_MINUTES * 60,
      maxPerIpPer15Min: env.SIGN_IN_MAX_PER_IP,
    },
    codes: {
      maxWrongPerIp: env.CODE_MAX_WRONG_PER_IP,
      freeTries: env.CODE_FREE_TRIES_PER_EMAIL,
      delayBaseSeconds: env.CODE_DELAY_BASE_SECONDS,
      delayMaxSeconds: env.CODE_DELAY_MAX_SECONDS,
    },
    institutionName: env.INSTITUTION_NAME,
    chain: {
      rpcUrl: env.CHAIN_RPC_URL,
      fallbackRpcUrls: env.CHAIN_FALLBACK_RPC_URLS,
      chainId: env.CHAIN_ID,
      issuerKey: env.CHAIN_ISSUER_KEY ?? LOCAL_ISSUER_KEY,
      custodyAddress: env.CHAIN_CUSTODY_ADDRESS,
      /** Unset: certificates wait in `pending` and the verification page says the chain is not configured. */
      contractAddress: env.CERTIFICATE_CONTRACT_ADDRESS,
      confirmations: env.CHAIN_CONFIRMATIONS,
      timeoutMs: env.CHAIN_TIMEOUT_MS,
      explorerTxUrl: env.CHAIN_EXPLORER_TX_URL,
    },
    verify: { maxPerIpPerMinute: env.VERIFY_MAX_PER_IP_PER_MINUTE, chainPollMs: env.VERIFY_CHAIN_POLL_MS },
    lti: { maxPerIpPerMinute: env.LTI_MAX_PER_IP_PER_MINUTE },
    zoom: {
      /** Null when no Zoom app is configured. */
      app:
        env.ZOOM_ACCOUNT_ID && env.ZOOM_CLIENT_ID && env.ZOOM_CLIENT_SECRET
          ? { accountId: env.ZOOM_ACCOUNT_ID, clientId: env.ZOOM_CLIENT_ID, clientSecret: env.ZOOM_CLIENT_SECRET }
          : null,
      webhookSecret: env.ZOOM_WEBHOOK_SECRET ?? null,
      apiUrl: env.ZOOM_API_URL.replace(/\/$/, ''),
      oauthUrl: env.ZOOM_OAUTH_URL,
      timeoutMs: env.ZOOM_TIMEOUT_MS,
      hostUser: env.ZOOM_HOST_USER,
      reportDelayMs: env.ZOOM_REPORT_DELAY_SECONDS * 1000,
    },
    mail: {
      /** Null when no mail server is configured: account links are shown to whoever issued them. */
      smtpUrl: env.SMTP_URL ?? null,
      from: env.MAIL_FROM ?? `Exam Hall <no-reply@${publicUrl.hostname}>`,
    },
    accountLinks: {
      invitationTtlMs: env.INVITATION_TTL_HOURS * 3_600_000,
      passwordResetTtlMs: env.PASSWORD_RESET_TTL_MINUTES * 60_000,
      emailVerificationTtlMs: env.EMAIL_VERIFICATION_TTL_HOURS * 3_600_000,
    },
    /** Null key: derived from the server secret (evidence.crypto.ts). Never logged. */
    evidence: { key: env.EVIDENCE_KEY ?? null, oldKeys: env.EVIDENCE_KEYS_OLD },
    bootstrapAdmin: env.BOOTSTRAP_ADMIN_EMAIL
      ? {
          email: env.BOOTSTRAP_ADMIN_EMAIL.toLowerCase(),
          password: env.BOOTSTRAP_ADMIN_PASSWORD!,
          name: env.BOOTSTRAP_ADMIN_NAME,
        }
      : undefined,
  };
}

export type Config = ReturnType<typeof loadConfig>;
