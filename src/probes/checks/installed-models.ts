/** `GET /api/tags`: the models the node can serve. */
import { parseTagsBody } from '../ollama-bodies.js';
import type { CheckKind } from './kind.js';

export const installedModelsCheck: CheckKind<string[], { models: number; installedModels: string[] }> = {
  path: '/api/tags',
  parse: parseTagsBody,
  report: (installedModels) => ({ models: installedModels.length, installedModels }),
};
