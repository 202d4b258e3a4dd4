/** The gateway benchmark's client side: timed requests over keep-alive pools, and streams read line by line. */
import { Pool } from 'undici';

const SMALL = JSON.stringify({ model: 'llama3.2', prompt: 'hi', stream: false });

export function poolFor(url: string): Pool {
  return new Pool(url, { connections: 64, keepAliveTimeout: 60_000 });
}

/** One small non-streamed generation; its latency in ms (headers to last byte). */
export async function timedGenerate(pool: Pool): Promise<number> {
  const started = performance.now();
  const { statusCode, body } = await pool.request({
    method: 'POST',
    path: '/api/generate',
    headers: { 'content-type': 'application/json' },
    body: SMALL,
  });
  await body.dump({ limit: Number.MAX_SAFE_INTEGER });
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
  return performance.now() - started;
}

export interface StreamResult {
  /** Response headers came (the request had its first byte). */
  started: boolean;
  status: number;
  lines: number;
  /** The stream ended with an in-band `{"error": ...}` line: that line. */
  inBandError: string | null;
  /** The request failed as a whole (before the first byte, or the connection broke without an in-band error). */
  error: string | null;
  attempts: number;
}

/** A streamed generation through `pool`, counted line by line. */
export async function streamGenerate(pool: Pool, model = 'llama3.2'): Promise<StreamResult> {
  const result: StreamResult = {
    started: false,
    status: 0,
    lines: 0,
    inBandError: null,
    error: null,
    attempts: 0,
  };
  try {
    const { statusCode, headers, body } = await pool.request({
      method: 'POST',
      path: '/api/generate',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, prompt: 'tell me a story' }),
    });
    result.started = true;
    result.status = statusCode;
    result.attempts = Number(headers['x-gpu-mesh-attempts'] ?? 0);
    let text = '';
    for await (const chunk of body) {
      text += chunk.toString();
      let newline = text.indexOf('\n');
      while (newline !== -1) {
        const line = text.slice(0, newline);
        text = text.slice(newline + 1);
        result.lines += 1;
        if (line.startsWith('{"error"')) result.inBandError = line;
        newline = text.indexOf('\n');
      }
    }
    if (statusCode !== 200) result.error = `HTTP ${statusCode}`;
  } catch (error) {
    result.error = (error as Error).message;
  }
  return result;
}

/** Posts to a simulator's control endpoint. */
export async function control(controlUrl: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${controlUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (response.status !== 204) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
}
