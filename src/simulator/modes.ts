/** How a simulated node misbehaves. Each mode is one real-world failure of an Ollama node. */
export const SIM_MODES = [
  /** Answers the API as Ollama does. */
  'healthy',
  /** The process is gone: the port refuses and open connections are reset. */
  'dead',
  /** Accepts connections and requests, never answers (a wedged process). */
  'hang',
  /** 200 with an HTML page (a proxy or captive portal in front of the node). */
  'html',
  /** 200 application/json that is not JSON. */
  'garbage',
  /** 500 `{"error": "CUDA error: out of memory"}`. */
  'error',
  /** Answers healthily after `delayMs`. */
  'slow',
  /** `/api/ps` shows the model partly in RAM (`size_vram < size`): it runs on the CPU. */
  'cpu_fallback',
  /** `/api/ps` shows a model whose `expires_at` passed 5 minutes ago. */
  'stuck',
  /** 403 with an empty body, as Ollama answers a Host it does not allow. */
  'forbidden',
  /** 200 application/json that never ends. */
  'huge',
  /** The API is fine; `/api/generate` answers 503 "server busy" (its queue is full). */
  'busy',
  /** The API is fine; `/api/generate` never answers (the GPU runner hangs). */
  'deep_hang',
] as const;

export type SimMode = (typeof SIM_MODES)[number];

export function isSimMode(value: unknown): value is SimMode {
  return typeof value === 'string' && (SIM_MODES as readonly string[]).includes(value);
}

/** `slow` without a `delayMs`: longer than a short test timeout, shorter than the default 5 s check timeout. */
export const DEFAULT_SLOW_DELAY_MS = 2000;
