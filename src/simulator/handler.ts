/**
 * The one request listener every simulated node's server shares (10,000 nodes, one function):
 * it reads the node from the server it is called on, counts the request, and answers as the
 * node's mode says.
 */
import type http from 'node:http';
import { assertNever } from '../mesh/types.js';
import { BODIES, HUGE_OPENING, HUGE_PIECE, openAiModelsBody, psBody, tagsBody } from './catalog.js';
import { INFERENCE_PATHS } from './formats.js';
import { type GeneratingNode, handleInference } from './inference.js';
import type { SimMode } from './modes.js';
import { HTML_TYPE, JSON_TYPE, send, TEXT_TYPE } from './send.js';

export interface SimNodeState extends GeneratingNode {
  readonly mode: SimMode;
  /** How long `slow` waits before answering. */
  readonly delayMs: number;
  /** Requests received, by path. */
  readonly requests: Record<string, number>;
}

export function handleNodeRequest(
  this: { readonly node: SimNodeState },
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const node = this.node;
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  node.requests[path] = (node.requests[path] ?? 0) + 1;
  switch (node.mode) {
    case 'dead':
      // Parsed just before the server stopped: a dead process answers nothing.
      req.socket.destroy();
      return;
    case 'hang':
      return;
    case 'slow':
      setTimeout(answer, node.delayMs, node, req, res, path).unref();
      return;
    case 'html':
      send(res, 200, HTML_TYPE, BODIES.html);
      return;
    case 'garbage':
      send(res, 200, JSON_TYPE, BODIES.garbage);
      return;
    case 'error':
      send(res, 500, JSON_TYPE, BODIES.cudaError);
      return;
    case 'forbidden':
      // Ollama's allowedHostsMiddleware: c.AbortWithStatus(403), no body.
      res.writeHead(403, { 'content-length': 0 });
      res.end();
      return;
    case 'huge':
      streamForever(req, res);
      return;
    case 'healthy':
    case 'cpu_fallback':
    case 'stuck':
    case 'busy':
    case 'deep_hang':
      answer(node, req, res, path);
      return;
    default:
      assertNever(node.mode);
  }
}

/** The API as Ollama serves it. */
function answer(node: SimNodeState, req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
  const method = req.method;
  const reads = method === 'GET' || method === 'HEAD';
  if (path === '/' && reads) {
    send(res, 200, TEXT_TYPE, BODIES.running);
    return;
  }
  if (path === '/api/version' && reads) {
    send(res, 200, JSON_TYPE, BODIES.version);
    return;
  }
  if (path === '/api/tags' && reads) {
    send(res, 200, JSON_TYPE, tagsBody(node.installedMask));
    return;
  }
  if (path === '/v1/models' && method === 'GET') {
    send(res, 200, JSON_TYPE, openAiModelsBody(node.installedMask));
    return;
  }
  if (path === '/api/ps' && method === 'GET') {
    const variant = node.mode === 'cpu_fallback' || node.mode === 'stuck' ? node.mode : 'normal';
    send(res, 200, JSON_TYPE, psBody(node.loadedMask, variant, Date.now()));
    return;
  }
  const inference = INFERENCE_PATHS[path];
  if (inference !== undefined && method === 'POST') {
    handleInference(node, inference, req, res).catch(ignoreAbandoned);
    return;
  }
  send(res, 404, TEXT_TYPE, BODIES.notFound);
}

// The only way reading an inference request fails is the client going away: nobody to answer.
function ignoreAbandoned(): void {}

/** 200 JSON that never ends, written as fast as the client reads it (backpressure, no buffering). */
function streamForever(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': JSON_TYPE });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.write(HUGE_OPENING);
  res.on('drain', pumpHugeBody);
  pumpHugeBody.call(res);
}

function pumpHugeBody(this: http.ServerResponse): void {
  while (!this.destroyed && this.write(HUGE_PIECE)) {
    // keep writing until the socket's buffer is full; 'drain' resumes
  }
}
