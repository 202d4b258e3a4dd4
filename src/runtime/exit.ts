/** Ending the process without losing the last lines written: stdout, stderr and the log file. */
import { pino } from 'pino';
import type { Logger } from './logger.js';

/** How long an exit waits for stdout and stderr to drain (a reader that stopped reading). */
const FLUSH_WAIT_MS = 2000;

/**
 * Exits once stdout and stderr are flushed: open handles (Redis reconnect timers, keep-alive
 * sockets, a job still running) must not keep a finished process alive, and output to a pipe is
 * written asynchronously, so exiting at once would hand a reader (`| jq`) only its first 64 KiB.
 * A stream that never drains holds the exit up for `FLUSH_WAIT_MS` at most.
 */
export function exitWhenWritten(code?: number): void {
  if (code !== undefined) process.exitCode = code;
  let pending = 2;
  const written = (): void => {
    pending -= 1;
    if (pending === 0) process.exit();
  };
  setTimeout(() => process.exit(), FLUSH_WAIT_MS).unref();
  process.stdout.write('', written);
  process.stderr.write('', written);
}

/**
 * Writes out what the logger still holds: the log file (`log.file`) is written asynchronously,
 * and `process.exit` does not wait for it. `logger.flush()` cannot: pino's multistream has no
 * `flush`, only `flushSync`.
 */
export function flushLogSync(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[
    pino.symbols.streamSym
  ];
  try {
    stream?.flushSync?.();
  } catch {
    // A file not opened yet has nothing to flush.
  }
}
