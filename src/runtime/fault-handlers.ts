/**
 * What a long-running gpu-mesh process does with errors nothing caught.
 *
 * - An unhandled promise rejection is logged (ERROR, its one-line message) and the process keeps
 *   serving: it is a stray promise of one job, probe or timer, and a monitor that dies of one
 *   stops checking the whole mesh. Its work is retried the usual ways (job retries, the next check).
 *   One line per minute at most, with a count, so a fault repeated by every check stays readable.
 * - An uncaught exception is logged (FATAL, with its stack) and the process exits 1 once the line
 *   is written: the exception unwound some unknown part of the process, whose state may be corrupt.
 *   The supervisor (compose, systemd, Kubernetes) restarts it; the jobs it held were locked and are
 *   retried by another process (guarantee 2, docs/guarantees.md), as after any crash.
 */
import { errorLine, oneLine } from './error-log.js';
import { exitWhenWritten, flushLogSync } from './exit.js';
import type { Logger } from './logger.js';

export interface FaultHandlers {
  onUnhandledRejection(reason: unknown): void;
  onUncaughtException(error: unknown): void;
  /** Takes both handlers off `process` again. */
  uninstall(): void;
}

/** Installs the handlers on `process`; `exit` is how a fatal exception ends it. */
export function installFaultHandlers(
  logger: Logger,
  exit: (code: number) => void = exitWhenWritten,
): FaultHandlers {
  const onUnhandledRejection = errorLine(logger, 'unhandled promise rejection (kept serving)');
  const onUncaughtException = (error: unknown): void => {
    try {
      const stack = error instanceof Error ? error.stack : undefined;
      logger.fatal(
        { severity: 'CRITICAL', err: oneLine(error), stack },
        `uncaught exception, exiting for the supervisor to restart gpu-mesh: ${oneLine(error)}`,
      );
      flushLogSync(logger);
    } finally {
      exit(1);
    }
  };
  process.on('unhandledRejection', onUnhandledRejection);
  process.on('uncaughtException', onUncaughtException);
  return {
    onUnhandledRejection,
    onUncaughtException,
    uninstall() {
      process.off('unhandledRejection', onUnhandledRejection);
      process.off('uncaughtException', onUncaughtException);
    },
  };
}
