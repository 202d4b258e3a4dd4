/** Secrets never reach a job log or an error (guarantee 6, docs/guarantees.md; the rule: `config/secrets.ts`). */
import type { Secrets } from '../../config/secrets.js';

/** Masked, on one line, at most `max` characters: fit for a summary or an error message. */
export function oneLine(text: string, secrets: Secrets, max = 300): string {
  const flat = secrets.mask(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
