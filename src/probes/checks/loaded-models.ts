/** `GET /api/ps`: the models in memory, and how they sit there (partly on the CPU, stuck past expiry). */
import type { LoadedModel } from '../../mesh/types.js';
import { parsePsBody } from '../ollama-bodies.js';
import { detectSoftSignals } from '../soft-signals.js';
import type { CheckKind } from './kind.js';

export const loadedModelsCheck: CheckKind<LoadedModel[], { loadedModels: LoadedModel[] }> = {
  path: '/api/ps',
  parse: parsePsBody,
  report: (loadedModels) => ({ loadedModels }),
  signals: detectSoftSignals,
};
