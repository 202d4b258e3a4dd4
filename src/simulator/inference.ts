/**
 * The inference routes of a simulated node (`/api/generate`, `/api/chat`, `/api/embed`,
 * `/api/embeddings` and the OpenAI ones), in the order Ollama's handlers decide: the model must
 * be installed; an empty prompt with `keep_alive: 0` unloads it; then the scheduler (where `busy`
 * and `deep_hang` strike, and a cold load takes `loadDelayMs`); an empty prompt only loads; else
 * an answer, streamed chunk by chunk (`chunkDelayMs` apart, the connection reset after
 * `dieAfterChunks`) or whole.
 */
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { BODIES, findModel } from './catalog.js';
import {
  embeddingAnswer,
  errorBody,
  finalChunk,
  type InferenceRoute,
  isOpenAi,
  loadAnswer,
  tokenChunk,
  wholeAnswer,
} from './formats.js';
import type { SimMode } from './modes.js';
import { JSON_TYPE, NDJSON_TYPE, send } from './send.js';
import { type StreamSettings, tokenAt } from './streaming.js';

const SSE_TYPE = 'text/event-stream';

/** The part of a simulated node that inference reads and changes. */
export interface GeneratingNode {
  readonly mode: SimMode;
  /** Bit i set: CATALOG[i] is pulled (listed by `/api/tags`, servable). */
  installedMask: number;
  /** Bit i set: CATALOG[i] is in memory. */
  loadedMask: number;
  readonly stream: Readonly<StreamSettings>;
  /** Inference requests whose client went away before the answer ended. */
  aborted: number;
}

interface InferenceRequest {
  model?: unknown;
  prompt?: unknown;
  messages?: unknown;
  input?: unknown;
  stream?: unknown;
  keep_alive?: unknown;
  max_tokens?: unknown;
  options?: { num_predict?: unknown };
}

const MAX_REQUEST_BYTES = 1024 * 1024;

export async function handleInference(
  node: GeneratingNode,
  route: InferenceRoute,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const fail = (status: number, message: string) =>
    send(res, status, JSON_TYPE, errorBody(route, status, message));
  const request = await readRequest(req, fail);
  if (request === null) return;
  const name = typeof request.model === 'string' ? request.model : '';
  if (name === '') return fail(400, 'model is required');
  const index = findModel(name);
  if (index === -1 || (node.installedMask & (1 << index)) === 0) {
    return fail(
      404,
      isOpenAi(route) ? `model "${name}" not found, try pulling it first` : `model '${name}' not found`,
    );
  }
  const empty = isEmptyPrompt(route, request);
  if (empty && isZeroDuration(request.keep_alive)) {
    node.loadedMask &= ~(1 << index);
    return send(res, 200, JSON_TYPE, JSON.stringify(loadAnswer(route, name, 'unload')));
  }
  if (node.mode === 'busy') {
    const busy = isOpenAi(route)
      ? errorBody(route, 503, JSON.parse(BODIES.busy.toString()).error)
      : BODIES.busy;
    return send(res, 503, JSON_TYPE, busy);
  }
  if (node.mode === 'deep_hang') return;
  const watch = watchClient(node, res);
  if ((node.loadedMask & (1 << index)) === 0 && node.stream.loadDelayMs > 0) {
    await sleep(node.stream.loadDelayMs);
    if (watch.gone()) return;
  }
  node.loadedMask |= 1 << index;
  if (route === 'embed' || route === 'embeddings' || route === 'openai_embeddings') {
    const inputs = Array.isArray(request.input) ? request.input.length : 1;
    return send(res, 200, JSON_TYPE, JSON.stringify(embeddingAnswer(route, name, inputs)));
  }
  if (empty) return send(res, 200, JSON_TYPE, JSON.stringify(loadAnswer(route, name, 'load')));
  const wanted = node.stream.tokens;
  const limit = isOpenAi(route) ? request.max_tokens : request.options?.num_predict;
  const count = typeof limit === 'number' && limit > 0 ? Math.min(limit, wanted) : wanted;
  const doneReason = count < wanted ? 'length' : 'stop';
  const streamed = isOpenAi(route) ? request.stream === true : request.stream !== false;
  if (!streamed) {
    const text = Array.from({ length: count }, (_, i) => tokenAt(i, count)).join('');
    return send(res, 200, JSON_TYPE, JSON.stringify(wholeAnswer(route, name, text, doneReason, count)));
  }
  await streamAnswer(node, route, name, count, doneReason, res, watch);
}

async function streamAnswer(
  node: GeneratingNode,
  route: InferenceRoute,
  model: string,
  count: number,
  doneReason: string,
  res: http.ServerResponse,
  watch: ClientWatch,
): Promise<void> {
  const { chunkDelayMs, dieAfterChunks } = node.stream;
  res.writeHead(200, { 'content-type': isOpenAi(route) ? SSE_TYPE : NDJSON_TYPE });
  for (let i = 0; i < count; i++) {
    if (i > 0 && chunkDelayMs > 0) await sleep(chunkDelayMs);
    if (watch.gone()) return;
    const chunk = tokenChunk(route, model, tokenAt(i, count));
    if (dieAfterChunks > 0 && i + 1 >= dieAfterChunks) {
      // A crashed runner: what was written goes out, then the connection drops mid-answer.
      watch.dying();
      res.write(chunk, () => res.socket?.destroy());
      return;
    }
    res.write(chunk);
  }
  res.end(finalChunk(route, model, doneReason, count));
}

interface ClientWatch {
  /** Whether the client went away (then nothing more is written). */
  gone(): boolean;
  /** The node itself is about to drop the connection: not the client's doing. */
  dying(): void;
}

/** Counts the answer as aborted when its connection closes before the answer ended. */
function watchClient(node: GeneratingNode, res: http.ServerResponse): ClientWatch {
  let gone = false;
  let dying = false;
  res.once('close', () => {
    if (res.writableFinished || dying) return;
    gone = true;
    node.aborted += 1;
  });
  return {
    gone: () => gone,
    dying: () => {
      dying = true;
    },
  };
}

function isEmptyPrompt(route: InferenceRoute, request: InferenceRequest): boolean {
  if (route === 'generate') return typeof request.prompt !== 'string' || request.prompt === '';
  if (route === 'chat') return !Array.isArray(request.messages) || request.messages.length === 0;
  return false;
}

async function readRequest(
  req: http.IncomingMessage,
  fail: (status: number, message: string) => void,
): Promise<InferenceRequest | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_REQUEST_BYTES) {
      fail(413, 'request body too large');
      return null;
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    fail(400, 'missing request body');
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as InferenceRequest;
  } catch {
    // answered below, as for any body that is not an object
  }
  fail(400, 'invalid request body: expected a JSON object');
  return null;
}

/** `keep_alive` is seconds (a number) or a Go duration ("0", "0s", "0m"). */
function isZeroDuration(value: unknown): boolean {
  if (typeof value === 'number') return value === 0;
  return typeof value === 'string' && /^0+(\.0+)?(ns|us|µs|ms|s|m|h)?$/.test(value);
}
