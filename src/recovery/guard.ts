/** The restart-loop guard: a pure decision from the times automatic recoveries started. */

const HOUR_MS = 3_600_000;

/** Automatic recoveries started within the last hour, the newest included. */
export function recoveriesInLastHour(startedAt: readonly number[], now: number): number {
  return startedAt.filter((at) => at > now - HOUR_MS).length;
}

/** More than `maxPerHour` automatic recoveries in an hour: stop restarting the node automatically. */
export function isRestartLoop(startedAt: readonly number[], now: number, maxPerHour: number): boolean {
  return recoveriesInLastHour(startedAt, now) > maxPerHour;
}
