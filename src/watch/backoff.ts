/**
 * When a lost watch tries again: exponential backoff with full jitter (a uniformly random delay
 * below base × 2^attempt, capped). Ten thousand watches dropped by one network blip then come
 * back spread over the whole window instead of in one storm. Pure.
 */

/** The first retry comes within this long; each failed attempt doubles the window. */
export const RECONNECT_BASE_MS = 1000;
/** The window never grows past this. */
export const RECONNECT_CAP_MS = 30_000;

/**
 * The delay before reconnect attempt `attempt` (0 for the first after a loss).
 * @param random a number in [0, 1), e.g. `Math.random()`.
 */
export function reconnectDelay(
  attempt: number,
  random: number,
  baseMs = RECONNECT_BASE_MS,
  capMs = RECONNECT_CAP_MS,
): number {
  // 2^attempt overflows nothing below 2^1023; the cap keeps it small long before that.
  const window = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random * window);
}
