/**
 * Delivery errors without secrets. A foreign error (nodemailer, fetch) may quote what it was given —
 * `fetch` names the URL it could not parse — and pino serializes an error's causes and properties,
 * so a cause that mentions a secret is replaced by a redacted copy before it is attached.
 */
const REDACTED = '***';

/** An Error with `message` (written by the channel, never containing a secret) and a redacted `cause`. */
export function deliveryError(message: string, cause: unknown, secrets: readonly string[]): Error {
  return new Error(message, { cause: redact(cause, nonEmpty(secrets), 0) });
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
  return scrub(text, nonEmpty(secrets));
}

function redact(cause: unknown, secrets: readonly string[], depth: number): unknown {
  if (!(cause instanceof Error)) {
    return typeof cause === 'string' ? scrub(cause, secrets) : cause;
  }
  if (!mentionsSecret(cause, secrets, 0)) return cause;
  const inner = depth < 5 && cause.cause !== undefined ? redact(cause.cause, secrets, depth + 1) : undefined;
  const copy = new Error(scrub(cause.message, secrets), inner === undefined ? undefined : { cause: inner });
  copy.name = cause.name;
  copy.stack = `${copy.name}: ${copy.message} (stack redacted)`;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

function mentionsSecret(error: Error, secrets: readonly string[], depth: number): boolean {
  const texts = [error.message, error.stack ?? ''];
  for (const value of Object.values(error)) {
    if (typeof value === 'string') texts.push(value);
  }
  if (texts.some((text) => secrets.some((secret) => text.includes(secret)))) return true;
  return depth < 5 && error.cause instanceof Error && mentionsSecret(error.cause, secrets, depth + 1);
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), text);
}

function nonEmpty(secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret.length > 0);
}
