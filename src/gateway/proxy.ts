/**
 * One proxied request (SPEC "Failing over"): choose a node, send the body, and on a failure
 * before the first byte (refused, reset, header timeout, 5xx) ask for a check of that node and
 * try the next, up to `attempts` nodes. Once a node's answer has started it goes to the client,
 * chunk by chunk (`relay.ts`), and is never retried. A client that disconnects aborts the node's
 * request. No Redis on this path: the nodes come from the in-memory RouteTable.
 */
import type http from 'node:http';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from '../config/types.js';
import { type Choice, chooseNode, type RouteRequest } from './choose.js';
import { describeFailure, failsOver, isAbort } from './failures.js';
import { hashText } from './hash.js';
import type { InFlight } from './in-flight.js';
import type { GatewayMetrics } from './metrics.js';
import { promptPrefix } from './prompt-prefix.js';
import { relay } from './relay.js';
import { type ApiFamily, sendError } from './replies.js';
import type { RouteTable } from './route-table.js';
import type { RouteNode } from './types.js';
import type { Upstreams } from './upstreams.js';

export interface ProxyDeps {
  table: RouteTable;
  upstreams: Upstreams;
  inFlight: InFlight;
  metrics: GatewayMetrics;
  settings(): GatewayConfig;
  /** A node failed before its first byte: check it now (throttled by the caller). */
  askForCheck(nodeId: string, why: string): void;
  /** Seconds a client is told to wait when no node can take a request. */
  retryAfterSeconds: number;
  /** round-robin's counter: a new number per request. */
  nextTurn(): number;
}

export interface ProxiedRequest {
  path: string;
  family: ApiFamily;
  /** The body as the client sent it. */
  bytes: Buffer;
  /** The model's full name. */
  model: string;
  /** The parsed body (for affinity's prompt prefix). */
  json: Readonly<Record<string, unknown>>;
}

/** The last failure before the first byte, answered when no node is left to try. */
interface LastFailure {
  node: string;
  message: string;
}

const RESPONSE_HEADERS_DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
]);

export async function proxy(
  deps: ProxyDeps,
  request: ProxiedRequest,
  res: http.ServerResponse,
): Promise<void> {
  const settings = deps.settings();
  const abort = new AbortController();
  let clientGone = false;
  const onClose = (): void => {
    if (res.writableFinished) return;
    clientGone = true;
    abort.abort();
  };
  res.once('close', onClose);
  const route: RouteRequest = {
    model: request.model,
    strategy: settings.route,
    keyHash:
      settings.route === 'affinity'
        ? hashText(promptPrefix(request.json, settings.affinity.prefixChars), hashText(request.model))
        : 0,
    maxLoad: settings.affinity.maxLoad,
    turn: deps.nextTurn(),
    tried: null,
  };
  const tried = new Set<string>();
  let last: LastFailure | null = null;
  for (let attempt = 1; ; attempt++) {
    const choice = chooseNode(deps.table.nodesWith(request.model), deps.inFlight.counts, route);
    if (choice.kind !== 'node') {
      answerNoNode(deps, request, res, choice, last, attempt - 1);
      return;
    }
    const { node } = choice;
    const lastAttempt = attempt >= settings.attempts;
    const outcome = await tryNode(deps, request, res, node, {
      headersTimeout: choice.warm ? settings.headerTimeout.warm : settings.headerTimeout.cold,
      idleTimeout: settings.idleTimeout,
      signal: abort.signal,
      attempt,
      // A 5xx is passed through when no other node could take the request.
      passFailure: () => lastAttempt || !hasAnother(deps, request.model, route, tried, node.id),
      clientGone: () => clientGone,
    });
    if (outcome === null) return;
    deps.metrics.request(node.id, request.model, 'failed_over');
    deps.metrics.failover(node.id);
    deps.askForCheck(node.id, outcome);
    last = { node: node.id, message: outcome };
    tried.add(node.id);
    route.tried = tried;
    if (lastAttempt) {
      answerNoNode(deps, request, res, { kind: 'no_node' }, last, attempt);
      return;
    }
  }
}

interface AttemptOptions {
  headersTimeout: number;
  idleTimeout: number;
  signal: AbortSignal;
  attempt: number;
  passFailure(): boolean;
  clientGone(): boolean;
}

/**
 * One attempt on one node: null when it answered (relayed, or the client went away), else why it
 * failed before its first byte.
 */
async function tryNode(
  deps: ProxyDeps,
  request: ProxiedRequest,
  res: http.ServerResponse,
  node: RouteNode,
  options: AttemptOptions,
): Promise<string | null> {
  const upstream = deps.upstreams.get(node.url);
  deps.inFlight.start(node.id);
  const started = performance.now();
  let response: Dispatcher.ResponseData;
  try {
    response = await upstream.pool.request({
      method: 'POST',
      path: upstream.basePath + request.path,
      headers: upstreamHeaders(upstream.authorization),
      body: request.bytes,
      signal: options.signal,
      headersTimeout: options.headersTimeout,
      bodyTimeout: options.idleTimeout,
    });
  } catch (error) {
    deps.inFlight.end(node.id);
    if (options.clientGone() || isAbort(error)) {
      deps.metrics.request(node.id, request.model, 'aborted');
      return null;
    }
    return `${node.id}: ${describeFailure(error, options.headersTimeout)}`;
  }
  deps.metrics.firstByteSeconds(node.id, (performance.now() - started) / 1000);
  const status = response.statusCode;
  if (failsOver(status) && !options.passFailure()) {
    response.body.dump().catch(() => undefined);
    deps.inFlight.end(node.id);
    return `${node.id}: HTTP ${status}`;
  }
  res.writeHead(status, responseHeaders(response.headers, node.id, options.attempt));
  const outcome = await relay(response, res, {
    nodeId: node.id,
    idleTimeoutMs: options.idleTimeout,
    clientGone: options.clientGone,
  });
  deps.inFlight.end(node.id);
  deps.metrics.request(node.id, request.model, outcome);
  if (outcome === 'upstream_error' && status < 500)
    deps.askForCheck(node.id, `${node.id}: failed mid-stream`);
  return null;
}

/** Whether a node other than `failed` and those tried could take the request now. */
function hasAnother(
  deps: ProxyDeps,
  model: string,
  route: RouteRequest,
  tried: ReadonlySet<string>,
  failed: string,
): boolean {
  const without = new Set(tried).add(failed);
  return (
    chooseNode(deps.table.nodesWith(model), deps.inFlight.counts, { ...route, tried: without }).kind ===
    'node'
  );
}

function answerNoNode(
  deps: ProxyDeps,
  request: ProxiedRequest,
  res: http.ServerResponse,
  choice: Exclude<Choice, { kind: 'node' }>,
  last: LastFailure | null,
  attempts: number,
): void {
  if (res.destroyed) return;
  const attemptsHeader = { 'x-gpu-mesh-attempts': String(attempts) };
  if (last !== null) {
    deps.metrics.request(last.node, request.model, 'upstream_error');
    const message = `no node could answer (${attempts} tried; last: ${last.message})`;
    sendError(res, request.family, 502, message, { ...attemptsHeader, 'x-gpu-mesh-node': last.node });
    return;
  }
  if (choice.kind === 'unknown_model') {
    deps.metrics.request('', 'unknown', 'client_error');
    sendError(res, request.family, 404, `model "${request.model}" not found on any node`, attemptsHeader);
    return;
  }
  deps.metrics.request('', request.model, 'no_node');
  sendError(res, request.family, 503, `no node can take a request for "${request.model}" now`, {
    ...attemptsHeader,
    'retry-after': String(deps.retryAfterSeconds),
  });
}

const JSON_BODY = 'application/json';

function upstreamHeaders(authorization: string | null): Record<string, string> {
  return authorization === null
    ? { 'content-type': JSON_BODY }
    : { 'content-type': JSON_BODY, authorization };
}

function responseHeaders(
  headers: Dispatcher.ResponseData['headers'],
  nodeId: string,
  attempts: number,
): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (!RESPONSE_HEADERS_DROPPED.has(name)) out[name] = headers[name];
  }
  out['x-gpu-mesh-node'] = nodeId;
  out['x-gpu-mesh-attempts'] = String(attempts);
  return out;
}
