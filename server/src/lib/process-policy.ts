// What the process does with failures nobody caught. The policy, deliberately:
// - An unhandled promise rejection is a bug in fire-and-forget code (a push, a
//   cleanup), not a corrupted process: it is logged with its stack and counted, and
//   the process keeps serving. Exams in progress matter more than a clean crash.
// - An uncaught exception leaves the process in an unknown state: it is logged as
//   fatal, the process exits with code 70 (EX_SOFTWARE), and the supervisor (`npm
//   start`, systemd, Docker's restart policy, Kubernetes) starts a fresh one.
// Tests prove both (server/test/integration/process-safety.test.ts).
import type { Logger } from './logger.ts';

export interface ProcessPolicy {
  unhandledRejections: () => number;
  uninstall: () => void;
}

export function installProcessPolicy(log: Logger, proc: NodeJS.Process = process): ProcessPolicy {
  let rejections = 0;
  const onRejection = (reason: unknown) => {
    rejections++;
    log.error(
      { err: reason instanceof Error ? reason : new Error(String(reason)), unhandledRejections: rejections },
      'unhandled promise rejection (logged; the process keeps running)',
    );
  };
  const onException = (err: Error, origin: string) => {
    log.fatal({ err, origin }, 'uncaught exception: exiting so that a supervisor starts a clean process');
    log.flush?.();
    proc.exit(70);
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return {
    unhandledRejections: () => rejections,
    uninstall() {
      proc.off('unhandledRejection', onRejection);
      proc.off('uncaughtException', onException);
    },
  };
}
