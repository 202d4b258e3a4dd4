/** Soft signals: what a passing check saw that deserves a WARNING but no recovery. */
import type { LoadedModel, SoftSignal } from '../mesh/types.js';

/** A model whose `expires_at` passed more than this long ago is stuck: Ollama failed to unload it. */
const STUCK_AFTER_MS = 60_000;

/**
 * `gpu_fallback` for each loaded model only partly in GPU memory (`sizeVram < size`: the rest runs
 * on the CPU); `stuck_model` for each whose expiry passed over a minute before `nowMs`.
 */
export function detectSoftSignals(models: readonly LoadedModel[], nowMs: number): SoftSignal[] {
  const signals: SoftSignal[] = [];
  for (const model of models) {
    if (model.sizeVram < model.size) {
      signals.push({ kind: 'gpu_fallback', model: model.name, size: model.size, sizeVram: model.sizeVram });
    }
    if (model.expiresAt !== null && Date.parse(model.expiresAt) < nowMs - STUCK_AFTER_MS) {
      signals.push({ kind: 'stuck_model', model: model.name, expiresAt: model.expiresAt });
    }
  }
  return signals;
}
