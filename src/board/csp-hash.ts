/** The CSP source that allows one inline script or stylesheet by its content: `'sha256-…'`. */
import { createHash } from 'node:crypto';

export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}
