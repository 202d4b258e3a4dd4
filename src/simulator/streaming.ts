/**
 * How a simulated node generates: how many tokens, how fast, how long a cold load takes, and
 * whether it dies mid-stream. One shared default object; a node gets its own only when a test or
 * a benchmark changes it (10,000 nodes cost nothing extra).
 */
export interface StreamSettings {
  /** Tokens of an answer (before `num_predict` / `max_tokens`). Default 2 ("Pong", "!"). */
  tokens: number;
  /** Pause before each token after the first (a slow stream). Default 0. */
  chunkDelayMs: number;
  /** Pause before answering when the model is not loaded yet (a cold load). Default 0. */
  loadDelayMs: number;
  /** After this many chunks the node resets the connection (a crash mid-stream); 0 = never. */
  dieAfterChunks: number;
}

export const DEFAULT_STREAM: Readonly<StreamSettings> = Object.freeze({
  tokens: 2,
  chunkDelayMs: 0,
  loadDelayMs: 0,
  dieAfterChunks: 0,
});

/** The settings with `changes` applied, each checked; throws a one-line Error for a bad value. */
export function withStreamChanges(current: StreamSettings, changes: Record<string, unknown>): StreamSettings {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (!(key in DEFAULT_STREAM))
      throw new Error(`unknown stream setting: ${key} (one of ${Object.keys(DEFAULT_STREAM).join(', ')})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new Error(`${key} must be a non-negative integer`);
    }
    next[key as keyof StreamSettings] = value;
  }
  if (next.tokens < 1) throw new Error('tokens must be at least 1');
  return next;
}

/** Token i of an answer of `count` tokens: "Pong", " pong" …, "!" (two tokens: "Pong!"). */
export function tokenAt(i: number, count: number): string {
  if (i === 0) return 'Pong';
  return i === count - 1 ? '!' : ' pong';
}
