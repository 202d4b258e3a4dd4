/** Secrets never reach a job log or an error (SPEC guarantee 6). */
import { redactSecrets } from '../../runtime/logger.js';

/**
 * `text` with every secret replaced by `***` (secrets shorter than 3 characters are left alone, as
 * the logger does). Longer secrets go first, so one that contains another is masked whole.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return redactSecrets(
    text,
    [...secrets].sort((a, b) => b.length - a.length),
  );
}

/** Masked, on one line, at most `max` characters: fit for a summary or an error message. */
export function oneLine(text: string, secrets: readonly string[], max = 300): string {
  const flat = maskSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
