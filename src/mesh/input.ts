/**
 * What a person may hand the mesh, over HTTP or on the command line (guarantee 10, docs/guarantees.md): one zod
 * definition per field, shared by the API and the CLI, so both refuse the same things with the
 * same words. A refusal names the field: 400 `{"error":"for: ..."}` over HTTP, exit 2
 * `gpu-mesh: --for: ...` on the command line.
 */
import * as z from 'zod';
import { parseDuration } from '../values/duration.js';
import { NODE_ID } from '../values/fields.js';

/** A silence lasts at least this long; at most `alerts.maxSilence`. */
export const MIN_SILENCE_MS = 1000;
/** A silence's reason, at most this many characters. */
export const MAX_REASON_CHARS = 500;
/** How far back `alerts --since` / `?since=` may look: the alert history keeps no more than a year's worth. */
export const MAX_SINCE_MS = 365 * 86_400_000;

export const nodeIdInput = z
  .string({ error: 'a node id is required' })
  .regex(NODE_ID, 'not a node id (lowercase letters, digits, - and _, at most 64, e.g. gpu-01)');

/** `not a duration: "soon" (use e.g. 30m, 2h, 1d)`, quoting at most 40 characters of what was given. */
function notADuration(input: unknown): string {
  const shown = JSON.stringify(input) ?? String(input);
  return `not a duration: ${shown.length > 40 ? `${shown.slice(0, 39)}…` : shown} (use e.g. 30m, 2h, 1d)`;
}

/** A duration (`30m`, `2h`, or whole milliseconds) from `minMs` to `maxMs`, as milliseconds. */
export function durationInput(minMs: number, maxMs: number) {
  return z
    .union([z.string(), z.number()], {
      error: (issue) => (issue.input === undefined ? `required, e.g. 2h` : notADuration(issue.input)),
    })
    .transform((value, ctx) => {
      let ms: number;
      try {
        ms = parseDuration(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: notADuration(value), input: value });
        return z.NEVER;
      }
      if (ms < minMs || ms > maxMs) {
        const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
        ctx.addIssue({ code: 'custom', message: `must be ${range}`, input: value });
        return z.NEVER;
      }
      return ms;
    });
}

/** `POST /api/nodes/:id/silence {for, reason}` and `silence NODE --for --reason`. */
export function silenceInput(maxSilenceMs: number) {
  return z.strictObject(
    {
      for: durationInput(MIN_SILENCE_MS, maxSilenceMs),
      reason: z
        .string({ error: 'must be text' })
        .max(MAX_REASON_CHARS, `at most ${MAX_REASON_CHARS} characters`)
        .optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
  );
}
export type SilenceInput = z.output<ReturnType<typeof silenceInput>>;

/** `GET /api/alerts?since=` and `alerts --since`. */
export const sinceInput = durationInput(1, MAX_SINCE_MS);

/** The first problem of a refused input, as `<field>: <what is wrong>`; `names` renames fields (`for` -> `--for`). */
export function describeInputError(
  error: z.ZodError,
  names: Readonly<Record<string, string>> = {},
  whole = 'body',
): string {
  const issue = error.issues[0];
  if (!issue) return `${whole}: invalid`;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return `${names[key] ?? key}: unknown field`;
  }
  const key = issue.path.map(String).join('.');
  return `${key ? (names[key] ?? key) : whole}: ${issue.message}`;
}

/** `90000` -> `90s`, `2592000000` -> `30d`: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const DURATION_UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Parses `value` with `schema`, or throws what `refuse` makes of the first problem. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  refuse: (error: z.ZodError) => Error,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw refuse(result.error);
  return result.data;
}
