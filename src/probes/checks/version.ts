/** `GET /api/version`: Ollama answers at all, and says which version it runs. */
import { parseVersionBody } from '../ollama-bodies.js';
import type { CheckKind } from './kind.js';

export const versionCheck: CheckKind<string, { version: string }> = {
  path: '/api/version',
  parse: parseVersionBody,
  report: (version) => ({ version }),
};
