// The one place where the environment is read. Every variable is validated
// once at start; a bad or missing value stops the process with a message that
// names the variable (see example.env for each variable's meaning).
import { z } from 'zod';

const DEV_SECRET = 'dev-only-insecure-secret-do-not-use-in-production';

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
    .default('http://localhost:3000'),
  // Express's trust-proxy setting: false, true, a hop count, or addresses/subnets/names
  // such as "loopback, 10.0.0.0/8".
  TRUST_PROXY: z
    .string()
    .regex(
      /^(false|true|\d+|[0-9a-z.:/]+(\s*,\s*[0-9a-z.:/]+)*)$/i,
      'must be false, true, a number of hops, or a comma-separated list of addresses or subnets',
    )
    .default('false'),
  DATABASE_URL: url(/^postgres(ql)?:$/, 'postgres://').default('postgres://postgres@127.0.0.1:54329/exam_hall'),
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
  SIGN_IN_MAX_PER_IP: int(1, 100000).default(30),
  BODY_LIMIT_KB: int(1, 10240).default(100),
  BOOTSTRAP_ADMIN_EMAIL: z.email('must be an email address').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  BOOTSTRAP_ADMIN_NAME: z.string().min(1).max(100).default('Administrator'),
  WEB_BUILD_DIR: z.string().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: int(100, 120000).default(10000),
  SERVE_WEB: bool.default(true),
});

/** Rules across variables, checked on the raw values so they are reported together with
 * per-variable problems rather than in a second round. */
function crossProblems(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.NODE_ENV === 'production') {
    if (!raw.APP_SECRET) problems.push('APP_SECRET is required when NODE_ENV=production');
    if (!raw.PUBLIC_URL) problems.push('PUBLIC_URL is required when NODE_ENV=production (the origin users see)');
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
  const publicUrl = new URL(env.PUBLIC_URL);
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
