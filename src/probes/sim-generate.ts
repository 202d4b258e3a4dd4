/**
 * `POST /api/generate` on a simulated node, in the order Ollama's GenerateHandler decides:
 * the model must exist; an empty prompt with `keep_alive: 0` unloads it; then the scheduler
 * (where `busy` and `deep_hang` strike); an empty prompt only loads; else a streamed answer.
 */
import type http from 'node:http';
import { BODIES, findModel } from './sim-catalog.js';
import type { SimMode } from './sim-modes.js';
import { JSON_TYPE, NDJSON_TYPE, send, sendError } from './sim-send.js';

/** The part of a simulated node that generation reads and changes. */
export interface GeneratingNode {
  readonly mode: SimMode;
  /** Bit i set: CATALOG[i] is in memory. */
  loadedMask: number;
}

interface GenerateRequest {
  model?: unknown;
  prompt?: unknown;
  stream?: unknown;
  keep_alive?: unknown;
  options?: { num_predict?: unknown };
}

const MAX_REQUEST_BYTES = 1024 * 1024;
const TOKENS = ['Pong', '!'];

export async function handleGenerate(
  node: GeneratingNode,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const request = await readRequest(req, res);
  if (request === null) return;
  const name = typeof request.model === 'string' ? request.model : '';
  if (name === '') return sendError(res, 400, 'model is required');
  const index = findModel(name);
  if (index === -1) return sendError(res, 404, `model '${name}' not found`);
  const prompt = typeof request.prompt === 'string' ? request.prompt : '';
  if (prompt === '' && isZeroDuration(request.keep_alive)) {
    node.loadedMask &= ~(1 << index);
    return send(res, 200, JSON_TYPE, JSON.stringify(finalLine(name, 'unload')));
  }
  if (node.mode === 'busy') return send(res, 503, JSON_TYPE, BODIES.busy);
  if (node.mode === 'deep_hang') return;
  node.loadedMask |= 1 << index;
  if (prompt === '') return send(res, 200, JSON_TYPE, JSON.stringify(finalLine(name, 'load')));
  const limit = request.options?.num_predict;
  const tokens = typeof limit === 'number' && limit > 0 ? TOKENS.slice(0, limit) : TOKENS;
  const doneReason = tokens.length < TOKENS.length ? 'length' : 'stop';
  if (request.stream === false) {
    const whole = { ...finalLine(name, doneReason), response: tokens.join(''), ...stats(tokens.length) };
    return send(res, 200, JSON_TYPE, JSON.stringify(whole));
  }
  res.writeHead(200, { 'content-type': NDJSON_TYPE });
  for (const token of tokens) {
    res.write(
      `${JSON.stringify({ model: name, created_at: new Date().toISOString(), response: token, done: false })}\n`,
    );
  }
  res.end(`${JSON.stringify({ ...finalLine(name, doneReason), ...stats(tokens.length) })}\n`);
}

async function readRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<GenerateRequest | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_REQUEST_BYTES) {
      sendError(res, 413, 'request body too large');
      return null;
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    sendError(res, 400, 'missing request body');
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as GenerateRequest;
  } catch {
    // answered below, as for any body that is not an object
  }
  sendError(res, 400, 'invalid request body: expected a JSON object');
  return null;
}

/** `keep_alive` is seconds (a number) or a Go duration ("0", "0s", "0m"). */
function isZeroDuration(value: unknown): boolean {
  if (typeof value === 'number') return value === 0;
  return typeof value === 'string' && /^0+(\.0+)?(ns|us|µs|ms|s|m|h)?$/.test(value);
}

function finalLine(model: string, doneReason: string) {
  return { model, created_at: new Date().toISOString(), response: '', done: true, done_reason: doneReason };
}

function stats(evalCount: number) {
  return {
    context: [1, 2, 3],
    total_duration: 48_213_542,
    load_duration: 10_234_123,
    prompt_eval_count: 26,
    prompt_eval_duration: 13_000_000,
    eval_count: evalCount,
    eval_duration: evalCount * 12_000_000,
  };
}
