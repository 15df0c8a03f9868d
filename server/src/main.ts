// Process entry. EXAM_HALL_ROLE picks what this process runs: `api` (HTTP and
// sockets), `worker` (BullMQ jobs) or `all` (both, the default for one machine).
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { createLogger } from './lib/logger.ts';
import { installProcessPolicy } from './lib/process-policy.ts';

/** `beforeShutdown`: in-process clients to stop first (the demo's simulated students), so
 * they do not reconnect to a server that is closing its database pool. */
export async function run(config: Config, hooks: { beforeShutdown?: () => void } = {}) {
  const log = createLogger(config.logLevel, { service: 'exam-hall', role: config.role });
  installProcessPolicy(log);
  if (config.usingDevSecret)
    log.warn('APP_SECRET is not set: using the development secret (never do this in production)');
  const closers: Array<() => Promise<void>> = [];
  let url: string | undefined;
  // Imported here, not above: a process with a bad configuration exits (configOrExit) before
  // loading the whole server, in a fraction of the time.
  const [{ createSystem }, { createInfrastructure }] = await Promise.all([
    import('./system.ts'),
    import('./infrastructure.ts'),
  ]);
  // One infrastructure for the process, whatever it runs; closed last (closers run in reverse).
  const infra = createInfrastructure(config, log, { role: config.role });
  closers.push(infra.close);
  if (config.role !== 'worker') {
    const system = await createSystem(config, { log, infra });
    url = await system.listen();
    closers.push(system.close);
    log.info({ url, publicUrl: config.http.publicUrl }, 'HTTP and sockets listening');
  }
  if (config.role !== 'api') {
    // Imported lazily: an API-only process never loads the job runtime.
    const { startWorkers } = await import('./jobs/runtime.ts');
    const workers = await startWorkers(config, log, { infra });
    closers.push(workers.close);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    hooks.beforeShutdown?.();
    for (const close of closers.reverse()) await close().catch((err) => log.error({ err }, 'error while closing'));
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return { url, shutdown };
}

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee example.env for what each variable means.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}

if (import.meta.main) {
  await run(configOrExit());
}
