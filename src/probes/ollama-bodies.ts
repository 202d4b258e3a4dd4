/**
 * Parsers of the Ollama answers a check reads (docs/api.md of ollama/ollama). They check, by
 * hand and only on the fields gpu-mesh uses, that a body has the documented shape; extra fields
 * are ignored. Each throws `InvalidBodyError` naming the first thing that is wrong.
 */
import type { LoadedModel } from '../mesh/types.js';

export class InvalidBodyError extends Error {
  constructor(
    /** `json`: not JSON at all; `shape`: JSON, but not the documented object. */
    readonly problem: 'json' | 'shape',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidBodyError';
  }
}

/** `GET /api/version` → `{"version": "0.12.3"}`: the version string. */
export function parseVersionBody(text: string): string {
  const body = parseObject(text);
  return requireString(body.version, 'version');
}

/** `GET /api/tags` → `{"models": [{"name": ...}, ...]}`: the names of the models the node has. */
export function parseTagsBody(text: string): string[] {
  const models = requireArray(parseObject(text).models, 'models');
  const names: string[] = [];
  for (let i = 0; i < models.length; i++) {
    const model = requireObject(models[i], `models[${i}]`);
    names.push(requireString(model.name, `models[${i}].name`));
  }
  return names;
}

/** `GET /api/ps` → `{"models": [{"name", "size", "size_vram", "expires_at"}, ...]}`: the loaded models. */
export function parsePsBody(text: string): LoadedModel[] {
  const models = requireArray(parseObject(text).models, 'models');
  const loaded: LoadedModel[] = [];
  for (let i = 0; i < models.length; i++) {
    const at = `models[${i}]`;
    const model = requireObject(models[i], at);
    loaded.push({
      name: requireString(model.name, `${at}.name`),
      size: requireNumber(model.size, `${at}.size`),
      sizeVram: requireNumber(model.size_vram, `${at}.size_vram`),
      expiresAt: parseExpiry(requireString(model.expires_at, `${at}.expires_at`), `${at}.expires_at`),
    });
  }
  return loaded;
}

// Ollama writes "never" as Go's zero time (year 1) or as a time centuries away (keep_alive < 0).
const FIRST_REAL_YEAR = 2000;
const LAST_REAL_YEAR = 2200;

/**
 * An `expires_at` as an ISO time in UTC, or null when it means "never".
 * @throws InvalidBodyError when it is not a date.
 */
export function parseExpiry(value: string, at = 'expires_at'): string | null {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidBodyError('shape', `${at} is not a date`);
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  return year < FIRST_REAL_YEAR || year > LAST_REAL_YEAR ? null : date.toISOString();
}

type JsonObject = Record<string, unknown>;

function parseObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidBodyError('json', 'not JSON');
  }
  return requireObject(value, 'body');
}

function requireObject(value: unknown, at: string): JsonObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  throw wrongType(value, at, 'an object');
}

function requireArray(value: unknown, at: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw wrongType(value, at, 'an array');
}

function requireString(value: unknown, at: string): string {
  if (typeof value === 'string') return value;
  throw wrongType(value, at, 'a string');
}

function requireNumber(value: unknown, at: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw wrongType(value, at, 'a number');
}

function wrongType(value: unknown, at: string, expected: string): InvalidBodyError {
  return new InvalidBodyError('shape', value === undefined ? `${at} is missing` : `${at} is not ${expected}`);
}
