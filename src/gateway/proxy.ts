/**
 * One proxied request (SPEC "Failing over"): choose a node, send the body, and on a failure
 * before the first byte (refused, reset, header timeout, 5xx) ask for a check of that node and
 * try the next, up to `attempts` nodes. Once a node's answer has started it goes to the client,
 * chunk by chunk (`relay.ts`), and is never retried. A client that disconnects aborts the node's
 * request. No Redis on this path: the nodes come from the in-memory RouteTable.
 */
import type http from 'node:http';
import type { GatewayConfig } from '../config/types.js';
import { type Choice, chooseNode, type RouteRequest } from './choose.js';
import { hashText } from './hash.js';
import type { InFlight } from './in-flight.js';
import type { GatewayMetrics } from './metrics.js';
import { type ApiFamily, sendError } from './own-answers.js';
import { promptPrefix } from './prompt-prefix.js';
import { Attempt, type AttemptResult } from './relay.js';
import type { RouteTable } from './route-table.js';
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

export async function proxy(
  deps: ProxyDeps,
  request: ProxiedRequest,
  res: http.ServerResponse,
): Promise<void> {
  const settings = deps.settings();
  let clientGone = false;
  let current: Attempt | null = null;
  res.once('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    current?.abort();
  });
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
    const headersTimeoutMs = choice.warm ? settings.headerTimeout.warm : settings.headerTimeout.cold;
    deps.inFlight.start(node.id);
    const result = await new Promise<AttemptResult>((settle) => {
      current = new Attempt(res, {
        nodeId: node.id,
        headersTimeoutMs,
        idleTimeoutMs: settings.idleTimeout,
        attempt,
        // A 5xx goes through as it is when no other node could take the request.
        passFailure: () => lastAttempt || !hasAnother(deps, request.model, route, tried, node.id),
        clientGone: () => clientGone,
        firstByte: (ms) => deps.metrics.firstByteSeconds(node.id, ms / 1000),
        settle,
      });
      const upstream = deps.upstreams.get(node.url);
      upstream.pool.dispatch(
        {
          method: 'POST',
          path: upstream.basePath + request.path,
          headers: upstream.headers,
          body: request.bytes,
          headersTimeout: headersTimeoutMs,
          bodyTimeout: settings.idleTimeout,
        },
        current,
      );
    });
    current = null;
    deps.inFlight.end(node.id);
    if (result.kind === 'answered') {
      deps.metrics.request(node.id, request.model, result.outcome);
      if (result.outcome === 'upstream_error' && result.status < 500) {
        deps.askForCheck(node.id, `${node.id}: failed mid-stream`);
      }
      return;
    }
    deps.metrics.request(node.id, request.model, 'failed_over');
    deps.metrics.failover(node.id);
    deps.askForCheck(node.id, result.reason);
    last = { node: node.id, message: result.reason };
    tried.add(node.id);
    route.tried = tried;
    if (lastAttempt || clientGone) {
      answerNoNode(deps, request, res, { kind: 'no_node' }, last, attempt);
      return;
    }
  }
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
