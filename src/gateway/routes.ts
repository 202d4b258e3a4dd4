/**
 * The gateway's routes (SPEC "Inference gateway"), on plain node:http: a request is dispatched
 * by one map lookup, with no framework between the socket and the proxy (express costs more
 * per request than the whole proxying step; BENCHMARKS.md).
 */
import type http from 'node:http';
import type { Access } from './access.js';
import { openAiModelsAnswer, psAnswer, tagsAnswer, versionAnswer } from './mesh-answers.js';
import type { GatewayMetrics } from './metrics.js';
import { fullModelName } from './model-name.js';
import { type ApiFamily, familyOf, sendError, sendJson } from './own-answers.js';
import { type ProxyDeps, proxy } from './proxy.js';
import { readJsonBody } from './request-body.js';
import type { RouteTable } from './route-table.js';

/** Proxied to one node, streamed through. */
export const PROXIED_PATHS: ReadonlySet<string> = new Set([
  '/api/generate',
  '/api/chat',
  '/api/embed',
  '/api/embeddings',
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/embeddings',
]);

export interface RouteDeps extends ProxyDeps {
  access: Access;
  metrics: GatewayMetrics;
  table: RouteTable;
}

type ViewRoute = (deps: RouteDeps) => string;

/** Answered from the mesh's view. */
const VIEWS: Readonly<Record<string, ViewRoute>> = {
  '/api/tags': (deps) => tagsAnswer(deps.table),
  '/v1/models': (deps) => openAiModelsAnswer(deps.table),
  '/api/ps': (deps) => psAnswer(deps.table),
  '/api/version': (deps) => versionAnswer(deps.table),
};

const OPEN_PATHS = new Set(['/', '/healthz', '/readyz']);

export function handleRequest(deps: RouteDeps, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const family = familyOf(path);
  const method = req.method ?? 'GET';
  if (!OPEN_PATHS.has(path) && !allowed(deps, req, res, family)) return;
  if (PROXIED_PATHS.has(path)) {
    if (method === 'POST') void proxyBody(deps, req, res, path, family);
    else wrongMethod(res, family, 'POST');
    return;
  }
  const view = VIEWS[path];
  if (view !== undefined) {
    if (method === 'GET' || method === 'HEAD') sendJson(res, 200, view(deps));
    else wrongMethod(res, family, 'GET');
    return;
  }
  if (!answerOwnRoute(deps, path, res)) {
    sendError(
      res,
      family,
      501,
      `${method} ${path} is not served by the gpu-mesh gateway: model management (pull, push, create, copy, delete, show, blobs) goes to a node directly`,
    );
  }
}

/** Whether the request may go on; if not, it has been answered 401 (key) or 403 (Host). */
function allowed(
  deps: RouteDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  family: ApiFamily,
): boolean {
  const verdict = deps.access.check(req);
  if (verdict === 'ok') return true;
  deps.metrics.request('', '', 'client_error');
  if (verdict === 'unauthorized') {
    sendError(res, family, 401, 'missing or wrong API key (Authorization: Bearer <key>)', {
      'www-authenticate': 'Bearer',
    });
  } else {
    sendError(res, family, 403, `Host ${req.headers.host} not allowed`);
  }
  return false;
}

/** `/`, `/healthz`, `/readyz` and `/metrics`; false for any other path. */
function answerOwnRoute(deps: RouteDeps, path: string, res: http.ServerResponse): boolean {
  switch (path) {
    case '/':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Ollama is running');
      return true;
    case '/healthz':
      sendJson(res, 200, '{"status":"ok"}');
      return true;
    case '/readyz': {
      const nodes = deps.table.servingNodes().length;
      sendJson(
        res,
        nodes > 0 ? 200 : 503,
        JSON.stringify({ status: nodes > 0 ? 'ready' : 'no routable node', nodes }),
      );
      return true;
    }
    case '/metrics':
      void deps.metrics.render().then((text) => {
        res.writeHead(200, { 'content-type': deps.metrics.contentType });
        res.end(text);
      });
      return true;
    default:
      return false;
  }
}

function wrongMethod(res: http.ServerResponse, family: ApiFamily, allowed: string): void {
  sendError(res, family, 405, `use ${allowed}`, { allow: allowed });
}

async function proxyBody(
  deps: RouteDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  family: ApiFamily,
): Promise<void> {
  const { maxBody } = deps.settings();
  const body = await readJsonBody(req, maxBody);
  if (body.kind === 'gone') return;
  if (body.kind === 'too_large') {
    deps.metrics.request('', '', 'client_error');
    // The rest of the body is not read: the connection closes after the answer.
    sendError(res, family, 413, `request body over gateway.maxBody (${maxBody} bytes)`, {
      connection: 'close',
    });
    return;
  }
  if (body.kind === 'invalid') {
    deps.metrics.request('', '', 'client_error');
    sendError(res, family, 400, body.message);
    return;
  }
  const model = body.json.model;
  if (typeof model !== 'string' || model.trim() === '') {
    deps.metrics.request('', '', 'client_error');
    sendError(res, family, 400, 'model is required');
    return;
  }
  await proxy(
    deps,
    { path, family, bytes: body.bytes, model: fullModelName(model.trim()), json: body.json },
    res,
  );
}
