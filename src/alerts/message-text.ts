/** The pieces alert messages are written with: durations, times, a node's label (pure). */

const UNITS: readonly (readonly [name: string, size: number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/**
 * `850 ms`, `12 s`, `4 min 5 s`, `2 h 10 min`, `3 d 4 h`: to the nearest second, the largest unit
 * and the next one when it is not 0.
 */
export function formatDuration(ms: number): string {
  const value = ms < 1000 ? Math.max(0, Math.round(ms)) : Math.round(ms / 1000) * 1000;
  const first = UNITS.findIndex(([, size]) => value >= size);
  const major = UNITS[first];
  if (major === undefined) return `${value} ms`;
  const amount = Math.floor(value / major[1]);
  const minor = UNITS[first + 1];
  const minorAmount = minor ? Math.floor((value - amount * major[1]) / minor[1]) : 0;
  return minor && minorAmount > 0
    ? `${amount} ${major[0]} ${minorAmount} ${minor[0]}`
    : `${amount} ${major[0]}`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `<node name> (<node id>)`, as docs/alerts.md names a node in subjects and messages. */
export function nodeLabel(node: { id: string; name: string }): string {
  return `${node.name} (${node.id})`;
}
