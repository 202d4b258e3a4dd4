const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const INTEGER = /^\d+$/;

const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const NOT_A_DURATION = 'not a duration (use e.g. 500ms, 5s, 1m)';

/**
 * Milliseconds of `500ms`, `5s`, `1m`, `2h`, `1d`, or of a whole number of milliseconds
 * (`1500` or `"1500"`). Throws a RangeError for anything else.
 */
export function parseDuration(value: string | number): number {
  const ms = typeof value === 'number' ? value : textToMilliseconds(value.trim());
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`${JSON.stringify(value)} is ${NOT_A_DURATION}`);
  }
  return ms;
}

function textToMilliseconds(text: string): number {
  if (INTEGER.test(text)) return Number(text);
  const match = DURATION.exec(text);
  const unit = match?.[2];
  if (match === null || unit === undefined) return Number.NaN;
  return Number(match[1]) * (MS_PER_UNIT[unit] ?? Number.NaN);
}
