/**
 * Delivery errors without secrets. A foreign error (nodemailer, fetch) may quote what it was given —
 * `fetch` names the URL it could not parse — and pino serializes an error's causes and properties,
 * so a cause that mentions a secret is replaced by a redacted copy before it is attached.
 * Masking follows the one rule of `values/redaction.ts` (every form a secret may be written in).
 */
import { masker } from '../../values/redaction.js';

type Mask = (text: string) => string;

/** An Error with `message` (written by the channel, never containing a secret) and a redacted `cause`. */
export function deliveryError(message: string, cause: unknown, secrets: readonly string[]): Error {
  return new Error(message, { cause: redact(cause, masker(secrets), 0) });
}

/**
 * The message of a foreign error and of its causes (`fetch failed: connect ECONNREFUSED ...`), with
 * every secret replaced by `***`, to quote in a delivery error.
 */
export function safeMessage(error: unknown, secrets: readonly string[]): string {
  let text = '';
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (!text.includes(message)) text = text === '' ? message : `${text}: ${message}`;
    current = current instanceof Error ? current.cause : undefined;
  }
  return masker(secrets)(text);
}

function redact(cause: unknown, mask: Mask, depth: number): unknown {
  if (!(cause instanceof Error)) {
    return typeof cause === 'string' ? mask(cause) : cause;
  }
  if (!mentionsSecret(cause, mask, 0)) return cause;
  const inner = depth < 5 && cause.cause !== undefined ? redact(cause.cause, mask, depth + 1) : undefined;
  const copy = new Error(mask(cause.message), inner === undefined ? undefined : { cause: inner });
  copy.name = cause.name;
  copy.stack = `${copy.name}: ${copy.message} (stack redacted)`;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

function mentionsSecret(error: Error, mask: Mask, depth: number): boolean {
  const texts = [error.message, error.stack ?? ''];
  for (const value of Object.values(error)) {
    if (typeof value === 'string') texts.push(value);
  }
  if (texts.some((text) => mask(text) !== text)) return true;
  return depth < 5 && error.cause instanceof Error && mentionsSecret(error.cause, mask, depth + 1);
}
