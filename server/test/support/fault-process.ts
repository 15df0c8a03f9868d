// The server exactly as `node server/src/main.ts` runs it, plus two ways for a test to
// inject a fault from outside: SIGUSR2 leaves a promise rejection unhandled, SIGHUP
// throws an uncaught exception. Used to prove the process-wide failure policy.
import { configOrExit, run } from '../../src/main.ts';

await run(configOrExit());
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('injected: a promise nobody awaited'));
});
process.on('SIGHUP', () => {
  setImmediate(() => {
    throw new Error('injected: an uncaught exception');
  });
});
