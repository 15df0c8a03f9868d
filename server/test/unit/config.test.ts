import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, LOCAL_ISSUER_KEY, loadConfig } from '../../src/config/config.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('config', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.database.url).toBe('postgres://postgres@127.0.0.1:15432/exam_hall');
    expect(c.redis.url).toBe('redis://127.0.0.1:63799');
    expect(c.http.port).toBe(3000);
    expect(c.role).toBe('all');
    expect(c.usingDevSecret).toBe(true);
    expect(c.auth.cookieSecure).toBe(false);
  });

  it('puts the embedded services on ports outside the range the kernel hands out to outgoing connections', () => {
    // A default inside it can be taken by any client's connection (a benchmark opens thousands)
    // just when PostgreSQL or the chain restarts, which then fails with EADDRINUSE.
    let [low, high] = [32768, 60999]; // Linux's default
    try {
      [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [
        number,
        number,
      ];
    } catch {
      // Not Linux: its default range stands.
    }
    const c = loadConfig({});
    const ports = [c.database.url, c.redis.url, c.chain.rpcUrl].map((u) => Number(new URL(u).port));
    expect(ports).toEqual([15432, 63799, 18545]);
    for (const port of ports) expect(port < low || port > high, `${port} in ${low}-${high}`).toBe(true);
  });

  it('defaults PUBLIC_URL to the address the server listens on', () => {
    expect(loadConfig({}).http.publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '4123' }).http.publicUrl).toBe('http://localhost:4123');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).http.publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ HOST: '10.1.2.3', PORT: '8080' }).http.publicUrl).toBe('http://10.1.2.3:8080');
    expect(loadConfig({ HOST: 'fd00::5', PORT: '8080' }).http.publicUrl).toBe('http://[fd00::5]:8080');
    expect(loadConfig({ PORT: '4123', PUBLIC_URL: 'https://exams.school.example' }).http.publicUrl).toBe(
      'https://exams.school.example',
    );
  });

  it('names each bad variable and says what is wrong', () => {
    const p = problems({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', LOG_LEVEL: 'loud', SESSION_TTL_HOURS: '0' });
    expect(p).toEqual(
      expect.arrayContaining([
        'PORT must be a whole number',
        'DATABASE_URL must be a postgres:// URL',
        expect.stringMatching(/^LOG_LEVEL /),
        'SESSION_TTL_HOURS must be at least 1',
      ]),
    );
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be at most 65535/);
  });

  it('requires APP_SECRET and PUBLIC_URL in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'APP_SECRET is required when NODE_ENV=production',
      'PUBLIC_URL is required when NODE_ENV=production (the origin users see)',
    ]);
    expect(problems({ NODE_ENV: 'production', APP_SECRET: 'short', PUBLIC_URL: 'https://a.example' })).toEqual([
      'APP_SECRET must be at least 32 characters',
    ]);
    const c = loadConfig({
      NODE_ENV: 'production',
      APP_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://exams.school.example',
    });
    expect(c.usingDevSecret).toBe(false);
    expect(c.auth.cookieSecure).toBe(true);
  });

  it('reports rules across variables together with per-variable problems', () => {
    expect(problems({ NODE_ENV: 'production', PORT: 'x', PUBLIC_URL: 'https://a.example' })).toEqual([
      'PORT must be a whole number',
      'APP_SECRET is required when NODE_ENV=production',
    ]);
  });

  it('takes an origin as PUBLIC_URL, not a path', () => {
    expect(problems({ PUBLIC_URL: 'https://school.example/exams' })).toEqual([
      'PUBLIC_URL must be an origin only (scheme, host, port), without a path',
    ]);
    expect(problems({ PUBLIC_URL: 'not a url' })).toEqual(['PUBLIC_URL must be a http(s) URL']);
  });

  it('wants the bootstrap admin email and password together', () => {
    expect(problems({ BOOTSTRAP_ADMIN_EMAIL: 'root@school.example' })).toEqual([
      'BOOTSTRAP_ADMIN_PASSWORD must be set together with the other BOOTSTRAP_ADMIN_ variable',
    ]);
    expect(
      problems({ BOOTSTRAP_ADMIN_EMAIL: 'not-an-email', BOOTSTRAP_ADMIN_PASSWORD: 'long-enough-password' }),
    ).toEqual(['BOOTSTRAP_ADMIN_EMAIL must be an email address']);
  });

  it('treats empty values as unset and parses booleans strictly', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(3000);
    expect(loadConfig({ SERVE_WEB: 'no' }).http.serveWeb).toBe(false);
    expect(problems({ SERVE_WEB: 'maybe' })).toEqual(['SERVE_WEB must be true or false']);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(problems({ TRUST_PROXY: 'every one!' })).toHaveLength(1);
    expect(loadConfig({ SERVE_WEB: 'TRUE' }).http.serveWeb).toBe(true);
  });

  it('documents every variable in example.env', () => {
    const documented = readFileSync(new URL('../../../example.env', import.meta.url), 'utf8');
    const missing = CONFIG_VARIABLES.filter((v) => !new RegExp(`^#? ?${v}=`, 'm').test(documented));
    expect(missing).toEqual([]);
  });

  it('defaults to the local chain and guards the issuer key on any other', () => {
    const c = loadConfig({});
    expect(c.chain).toMatchObject({ rpcUrl: 'http://127.0.0.1:18545', chainId: 31337, issuerKey: LOCAL_ISSUER_KEY });
    expect(c.chain.contractAddress).toBeUndefined();
    expect(problems({ CHAIN_ID: '11155111' })).toEqual([
      'CHAIN_ISSUER_KEY is required when CHAIN_ID is not the local chain (31337)',
    ]);
    expect(problems({ CHAIN_ID: '11155111', CHAIN_ISSUER_KEY: LOCAL_ISSUER_KEY })).toEqual([
      "CHAIN_ISSUER_KEY is Hardhat's public test key: never use it outside the local chain",
    ]);
    expect(
      problems({ CHAIN_ISSUER_KEY: '0x1234', CERTIFICATE_CONTRACT_ADDRESS: 'nope', CHAIN_EXPLORER_TX_URL: 'x' }),
    ).toEqual(
      expect.arrayContaining([
        'CHAIN_ISSUER_KEY must be a 0x-prefixed 32-byte hex private key',
        'CERTIFICATE_CONTRACT_ADDRESS must be a 0x-prefixed 20-byte address',
        'CHAIN_EXPLORER_TX_URL must contain {tx}',
      ]),
    );
    expect(loadConfig({ CHAIN_FALLBACK_RPC_URLS: 'http://a.example, http://b.example' }).chain.fallbackRpcUrls).toEqual(
      ['http://a.example', 'http://b.example'],
    );
  });

  it('takes a Zoom app only as a whole, and runs without one', () => {
    expect(loadConfig({}).zoom).toMatchObject({ app: null, webhookSecret: null, apiUrl: 'https://api.zoom.us/v2' });
    expect(problems({ ZOOM_CLIENT_ID: 'x' })).toEqual([
      'ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET must be set together (one Zoom app)',
    ]);
    const c = loadConfig({
      ZOOM_ACCOUNT_ID: 'a',
      ZOOM_CLIENT_ID: 'b',
      ZOOM_CLIENT_SECRET: 'c',
      ZOOM_API_URL: 'http://x/v2/',
    });
    expect(c.zoom.app).toEqual({ accountId: 'a', clientId: 'b', clientSecret: 'c' });
    expect(c.zoom.apiUrl).toBe('http://x/v2');
    expect(problems({ ZOOM_WEBHOOK_SECRET: 'short' })).toEqual(['ZOOM_WEBHOOK_SECRET must be at least 8 characters']);
  });
});
