/**
 * The simulator's control endpoint, to break and mend nodes from a shell or a test:
 *   GET  /nodes              -> [{id, url, port, mode}]
 *   POST /nodes/:id/mode     {"mode": "dead", "delayMs": 0} -> 204
 *   POST /nodes/:id/models   {"installed": ["llama3.2:latest"], "loaded": []} -> 204
 *   POST /nodes/:id/stream   {"tokens": 50, "chunkDelayMs": 20, "loadDelayMs": 0, "dieAfterChunks": 0} -> 204
 * Errors are `{"error": "<one line>"}` with 400 (bad request) or 404 (unknown node or route).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSimMode, SIM_MODES, type SimMode } from './modes.js';
import { JSON_TYPE, send, sendError } from './send.js';
import type { StreamSettings } from './streaming.js';

export interface ControlledNode {
  readonly id: string;
  readonly url: string;
  readonly port: number;
  readonly mode: SimMode;
}

export interface ControlTarget {
  list(): readonly ControlledNode[];
  find(id: string): ControlledNode | undefined;
  setMode(id: string, mode: SimMode, options: { delayMs?: number }): Promise<void>;
  /** Throws a one-line Error for a bad change (answered 400). */
  setModels(id: string, change: { installed?: string[]; loaded?: string[] }): void;
  setStream(id: string, changes: Partial<StreamSettings>): void;
}

const NODE_ROUTE = /^\/nodes\/([^/]+)\/(mode|models|stream)$/;
const MAX_BODY_BYTES = 64 * 1024;

export async function startControlServer(
  target: ControlTarget,
  host: string,
  port: number,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    route(target, req, res).catch((error: Error) => sendError(res, 500, error.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`simulator control: cannot listen on ${host}:${port}: ${error.code ?? error.message}`),
      ),
    );
    server.listen(port, host, resolve);
  });
  return server;
}

export function controlUrlOf(server: http.Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function route(
  target: ControlTarget,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/nodes' && req.method === 'GET') {
    const nodes = target.list().map(({ id, url, port, mode }) => ({ id, url, port, mode }));
    return send(res, 200, JSON_TYPE, JSON.stringify(nodes));
  }
  const match = NODE_ROUTE.exec(path);
  if (match === null || req.method !== 'POST') return sendError(res, 404, `no route ${req.method} ${path}`);
  const id = decodeURIComponent(match[1] ?? '');
  if (target.find(id) === undefined) return sendError(res, 404, `unknown node: ${id}`);
  const text = await readBody(req);
  if (match[2] === 'mode') {
    const request = parseModeRequest(text);
    if (typeof request === 'string') return sendError(res, 400, request);
    await target.setMode(id, request.mode, { delayMs: request.delayMs });
  } else {
    const body = parseObject(text);
    if (typeof body === 'string') return sendError(res, 400, body);
    try {
      if (match[2] === 'models') target.setModels(id, modelChange(body));
      else target.setStream(id, body as Partial<StreamSettings>);
    } catch (error) {
      return sendError(res, 400, (error as Error).message);
    }
  }
  res.writeHead(204);
  res.end();
}

function parseObject(text: string | null): Record<string, unknown> | string {
  if (text === null) return `body over ${MAX_BODY_BYTES} bytes`;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  return 'body is not a JSON object';
}

function modelChange(body: Record<string, unknown>): { installed?: string[]; loaded?: string[] } {
  const list = (key: string): string[] | undefined => {
    const value = body[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
      throw new Error(`${key} must be a list of model names`);
    }
    return value as string[];
  };
  return { installed: list('installed'), loaded: list('loaded') };
}

/** The mode change asked for, or what is wrong with the request. */
function parseModeRequest(text: string | null): { mode: SimMode; delayMs?: number } | string {
  if (text === null) return `body over ${MAX_BODY_BYTES} bytes`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON: expected {"mode": "...", "delayMs": 0}';
  }
  if (typeof body !== 'object' || body === null) return 'body is not an object: expected {"mode": "..."}';
  const { mode, delayMs } = body as { mode?: unknown; delayMs?: unknown };
  if (!isSimMode(mode)) return `unknown mode: ${String(mode)} (one of ${SIM_MODES.join(', ')})`;
  if (delayMs === undefined) return { mode };
  if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0) {
    return 'delayMs must be a non-negative integer (milliseconds)';
  }
  return { mode, delayMs };
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
