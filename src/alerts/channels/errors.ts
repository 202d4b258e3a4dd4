/**
 * Delivery errors without secrets. A foreign error (nodemailer, fetch) may quote what it was given —
 * `fetch` names the URL it could not parse — and pino serializes an error's causes and properties,
 * so a cause that mentions a secret is replaced by a redacted copy before it is attached.
 * Masking follows the one rule of `config/secrets.ts` (every form a secret may be written in).
 */
import { Secrets } from '../../config/secrets.js';

/** An Error with `message` (written by the channel, never containing a secret) and a redacted `cause`. */
export function deliveryError(message: string, cause: unknown, secrets: readonly string[]): Error {
  return new Error(message, { cause: redact(cause, Secrets.from(secrets), 0) });
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
  return Secrets.from(secrets).mask(text);
}

function redact(cause: unknown, secrets: Secrets, depth: number): unknown {
  if (!(cause instanceof Error)) {
    return typeof cause === 'string' ? secrets.mask(cause) : cause;
  }
  if (!mentionsSecret(cause, secrets, 0)) return cause;
  const inner = depth < 5 && cause.cause !== undefined ? redact(cause.cause, secrets, depth + 1) : undefined;
  const copy = new Error(secrets.mask(cause.message), inner === undefined ? undefined : { cause: inner });
  copy.name = cause.name;
  copy.stack = `${copy.name}: ${copy.message} (stack redacted)`;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

function mentionsSecret(error: Error, secrets: Secrets, depth: number): boolean {
  const texts = [error.message, error.stack ?? ''];
  for (const value of Object.values(error)) {
    if (typeof value === 'string') texts.push(value);
  }
  if (texts.some((text) => secrets.mask(text) !== text)) return true;
  return depth < 5 && error.cause instanceof Error && mentionsSecret(error.cause, secrets, depth + 1);
}
