/**
 * Stopping a service process on SIGTERM/SIGINT within a deadline, whatever is pending.
 *
 * Supervisors wait a while, then SIGKILL: compose 10 s by default (our compose file grants 20 s),
 * Kubernetes and systemd 30 s. The graceful close waits for active jobs and for Redis, and either
 * can take forever (a frozen Redis answers nothing, and BullMQ's `worker.close()` waits for jobs with
 * no timeout). So the first signal starts the graceful close under one deadline; when the deadline
 * passes, or a second signal comes, the process stops waiting and exits 1. Exiting is the force:
 * what was still running dies with the process, and the jobs it held are retried by another process
 * once their locks expire (guarantee 2, docs/guarantees.md), as after a SIGKILL.
 */

/** The whole shutdown, from the first signal to exit. Under compose's default grace of 10 s. */
export const SHUTDOWN_DEADLINE_MS = 9000;

export type StopSignal = 'SIGTERM' | 'SIGINT';

export interface StopSignals {
  /** The first SIGTERM or SIGINT. */
  first: Promise<StopSignal>;
  /** The second one: stop waiting at once. */
  second: Promise<StopSignal>;
}

/** Listens for SIGTERM and SIGINT from now on (Node's default, dying at once, stops applying). */
export function watchStopSignals(): StopSignals {
  let received = 0;
  let resolveFirst: (signal: StopSignal) => void = () => {};
  let resolveSecond: (signal: StopSignal) => void = () => {};
  const first = new Promise<StopSignal>((resolve) => {
    resolveFirst = resolve;
  });
  const second = new Promise<StopSignal>((resolve) => {
    resolveSecond = resolve;
  });
  const onSignal = (signal: StopSignal): void => {
    received += 1;
    if (received === 1) resolveFirst(signal);
    else resolveSecond(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { first, second };
}

/**
 * `clean`: `close` finished and said all went well; `unclean`: it finished but something did not
 * close cleanly (it logged what); `deadline`: still not done after `deadlineMs`; `forced`: `force`
 * settled first (a second signal).
 */
export type ShutdownOutcome = 'clean' | 'unclean' | 'deadline' | 'forced';

/** Runs `close` until it ends, `deadlineMs` passes or `force` settles, whichever comes first. */
export async function closeWithin(
  close: () => Promise<boolean>,
  deadlineMs: number,
  force: Promise<unknown>,
): Promise<ShutdownOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ShutdownOutcome>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const closed = close().then(
    (clean): ShutdownOutcome => (clean ? 'clean' : 'unclean'),
    (): ShutdownOutcome => 'unclean',
  );
  try {
    return await Promise.race([closed, deadline, force.then((): ShutdownOutcome => 'forced')]);
  } finally {
    clearTimeout(timer);
  }
}

/** Exit code of a shutdown: 0 when everything closed cleanly, 1 when it was cut short. */
export function shutdownExitCode(outcome: ShutdownOutcome): number {
  return outcome === 'clean' ? 0 : 1;
}

/** Waits for `promise` for `ms` at most; whether it settled in time. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
