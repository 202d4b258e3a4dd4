import * as z from 'zod';
import { parseRedisUrl } from '../runtime/redis-url.js';
import { NOT_A_DURATION, parseDuration } from './duration.js';
import { withInputKind } from './input-kinds.js';

/*
 * The building blocks of the mesh.yaml schema. A `${VAR}` always interpolates to text, so number
 * and boolean keys also accept the text of a number or of true/false: a value takes its key's type.
 */

const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

function numberFromText(value: unknown): unknown {
  return typeof value === 'string' && NUMBER_TEXT.test(value.trim()) ? Number(value) : value;
}

function booleanFromText(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** A whole number of at least 1 (consecutive failures, attempts, ...). */
export function count() {
  return withInputKind(z.preprocess(numberFromText, z.number().int().min(1)), { kind: 'number' });
}

export function port() {
  return withInputKind(z.preprocess(numberFromText, z.number().int().min(0).max(65535)), { kind: 'number' });
}

/** A share in (0, 1]. */
export function ratio() {
  return withInputKind(z.preprocess(numberFromText, z.number().gt(0).max(1)), { kind: 'number' });
}

export function flag() {
  return withInputKind(z.preprocess(booleanFromText, z.boolean()), { kind: 'flag' });
}

/** Milliseconds of `500ms`, `5s`, `1m`, `2h`, `1d` or a whole number of ms; 0 only where it means "off". */
export function duration({ zeroMeansOff = false } = {}) {
  const schema = z.union([z.string(), z.number()], { error: NOT_A_DURATION }).transform((value, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: NOT_A_DURATION, input: value });
      return z.NEVER;
    }
    if (ms === 0 && !zeroMeansOff) {
      ctx.addIssue({ code: 'custom', message: 'must be longer than 0', input: value });
      return z.NEVER;
    }
    return ms;
  });
  return withInputKind(schema, { kind: 'duration', zeroMeansOff });
}

export function nonEmptyText() {
  return z.string().min(1);
}

/** argv, never a shell string: `[systemctl, restart, ollama]`. */
export function argv() {
  return z
    .array(nonEmptyText(), {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'expected a list of arguments, e.g. [systemctl, restart, ollama]'
          : undefined,
    })
    .min(1);
}

/**
 * A URL with one of `schemes` (without `:`), e.g. `url(['http', 'https'])`.
 * With `optional`, "" means "not configured".
 */
export function url(schemes: readonly string[], { optional = false } = {}) {
  const allowed = schemes.map((scheme) => `${scheme}://`).join(' or ');
  const schema = z.string().superRefine((text, ctx) => {
    if (optional && text === '') return;
    if (!URL.canParse(text)) {
      ctx.addIssue({ code: 'custom', message: 'not a URL', input: text });
      return;
    }
    const scheme = new URL(text).protocol.slice(0, -1);
    if (!schemes.includes(scheme)) {
      ctx.addIssue({ code: 'custom', message: `must start with ${allowed}`, input: text });
    }
  });
  return withInputKind(schema, { kind: 'url', schemes, optional });
}

export const HTTP = ['http', 'https'] as const;

/** A node id: `^[a-z0-9][a-z0-9_-]{0,63}$` (docs/configuration.md). */
export const NODE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The `redis.url` field of the schema. */
export function redisUrl() {
  const schema = z.string().superRefine((text, ctx) => {
    try {
      parseRedisUrl(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message, input: text });
    }
  });
  return withInputKind(schema, { kind: 'redis-url' });
}
