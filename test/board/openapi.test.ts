/**
 * docs/openapi.yaml against a running server on a simulated mesh: every operation of the document is
 * called, and every answer's status must be one the operation lists, with a body its schema accepts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AlertHistory } from '../../src/alerts/history.js';
import type { Alert } from '../../src/alerts/types.js';
import { OPENAPI_DOCUMENT, openApiYaml } from '../../src/board/openapi.js';
import type { MeshView } from '../../src/mesh/view.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { AGENT_NODE, type BoardMesh, startBoardMesh } from './support.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const ROOT = resolve(import.meta.dirname, '../..');
const YAML_TEXT = readFileSync(resolve(ROOT, 'docs/openapi.yaml'), 'utf8');
const DOCUMENT = parse(YAML_TEXT) as OpenApi;
const DOCUMENT_ID = 'https://gpu-mesh.invalid/openapi.json';

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApi {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
}

const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
ajv.addVocabulary(['openapi', 'info', 'tags', 'security', 'paths', 'components']);
ajv.addSchema({ ...DOCUMENT, $id: DOCUMENT_ID });

/** Pointer-escapes one path segment (RFC 6901). */
const pointerSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function responseSchema(path: string, method: string, status: number, mediaType: string): ValidateFunction {
  const pointer = ['paths', path, method, 'responses', String(status), 'content', mediaType, 'schema']
    .map(pointerSegment)
    .join('/');
  return ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` });
}

function componentSchema(name: string): ValidateFunction {
  return ajv.compile({ $ref: `${DOCUMENT_ID}#/components/schemas/${name}` });
}

/** Which operations the test has called, as `METHOD path`. */
const called = new Set<string>();

/** The path template of the document a concrete path matches. */
function templateOf(path: string): string {
  const bare = path.split('?')[0] ?? path;
  for (const template of Object.keys(DOCUMENT.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(bare)) return template;
  }
  throw new Error(`no path of the document matches ${bare}`);
}

interface Checked {
  status: number;
  body: unknown;
}

/**
 * Sends the request and checks the answer against the document: its status is listed for the
 * operation, its media type is one the response declares, and a JSON body passes its schema.
 */
async function call(mesh: BoardMesh, method: string, path: string, init: RequestInit = {}): Promise<Checked> {
  const template = templateOf(path);
  const operation = DOCUMENT.paths[template]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is in the document`).toBeDefined();
  called.add(`${method} ${template}`);
  const abort = new AbortController();
  const response = await mesh.get(path, { method, signal: abort.signal, ...init });
  const declared = operation?.responses[String(response.status)];
  expect(
    declared,
    `${method} ${path} answered ${response.status}, which the document does not list`,
  ).toBeDefined();
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const mediaTypes = Object.keys(declared?.content ?? {});
  expect(mediaTypes, `${method} ${path} ${response.status}: ${contentType}`).toContain(contentType);
  if (contentType === 'text/event-stream') {
    const events = await firstEvents(response, ['mesh', 'node']);
    abort.abort();
    return { status: response.status, body: events };
  }
  if (contentType !== 'application/json') return { status: response.status, body: await response.text() };
  const body: unknown = await response.json();
  const validate = responseSchema(template, method.toLowerCase(), response.status, contentType);
  expect(validate(body), `${method} ${path} ${response.status}: ${ajv.errorsText(validate.errors)}`).toBe(
    true,
  );
  return { status: response.status, body };
}

/** What each event of `/api/events` carries, as the operation's description names it. */
const EVENT_SCHEMAS: Record<string, string> = { mesh: 'MeshSummary', node: 'Node', alert: 'Alert' };

/** Reads the stream until one event of each of `wanted` came, each checked against its schema. */
async function firstEvents(response: Response, wanted: string[]): Promise<Record<string, unknown>> {
  const seen: Record<string, unknown> = {};
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      const schema = event === undefined ? undefined : EVENT_SCHEMAS[event];
      if (event === undefined || data === undefined || schema === undefined) continue;
      const validate = componentSchema(schema);
      const value: unknown = JSON.parse(data);
      expect(validate(value), `event ${event}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      seen[event] = value;
    }
    if (wanted.every((event) => event in seen)) break;
  }
  return seen;
}

describe('docs/openapi.yaml', () => {
  it('is the document the server serves, as YAML (regenerate it as src/board/openapi.ts says)', () => {
    expect(YAML_TEXT).toBe(openApiYaml());
    expect(DOCUMENT).toEqual(OPENAPI_DOCUMENT);
  });

  it('is OpenAPI 3.1 for this version of gpu-mesh, its schemas valid JSON Schema', () => {
    expect(DOCUMENT.openapi).toBe('3.1.0');
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(DOCUMENT.info.version).toBe(pkg.version);
    for (const name of ['Mesh', 'Node', 'NodeDetail', 'Alert', 'Report', 'Error']) {
      expect(() => componentSchema(name), name).not.toThrow();
    }
  });

  it('closes its shapes: a Node with a field the document does not name fails', () => {
    const node = componentSchema('Node');
    const mesh = DOCUMENT as unknown as { components: { schemas: Record<string, unknown> } };
    expect(mesh.components.schemas.Node).toBeDefined();
    expect(node({ id: 'a' })).toBe(false);
  });
});

describe('the server answers as docs/openapi.yaml says', () => {
  let mesh: BoardMesh;
  const node = 'sim-1';

  beforeAll(async () => {
    mesh = await startBoardMesh({ withAgentNode: true, statusPage: true });
    await waitFor(async () => (await mesh.json<MeshView>('/api/mesh')).healthy === 2, 'both nodes healthy');
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('probes, pages and the document itself', async () => {
    expect((await call(mesh, 'GET', '/healthz')).status).toBe(200);
    expect((await call(mesh, 'GET', '/readyz')).status).toBe(200);
    expect((await call(mesh, 'GET', '/')).status).toBe(200);
    expect((await call(mesh, 'GET', '/board')).status).toBe(200);
    const served = await call(mesh, 'GET', '/api/openapi.json');
    expect(served.body).toEqual(DOCUMENT);
    expect((await call(mesh, 'GET', '/metrics')).status).toBe(200);
    const events = await call(mesh, 'GET', '/api/events');
    expect(events.status).toBe(200);
    expect(Object.keys(events.body as object).sort()).toEqual(['mesh', 'node']);
  });

  it('the public status page and its badges', async () => {
    const anonymous = { headers: { authorization: '' } };
    expect((await call(mesh, 'GET', '/status', anonymous)).status).toBe(200);
    for (const badge of ['status', 'uptime']) {
      expect((await call(mesh, 'GET', `/status/badge/${node}/${badge}.svg`, anonymous)).status).toBe(200);
      expect((await call(mesh, 'GET', `/status/badge/no-such-node/${badge}.svg`)).status).toBe(404);
      expect((await call(mesh, 'GET', `/status/badge/Not_An_Id/${badge}.svg`)).status).toBe(400);
    }
  });

  it('the mesh, a node, and the errors of a node path', async () => {
    const view = await call(mesh, 'GET', '/api/mesh');
    expect((view.body as MeshView).nodes.map((n) => n.id)).toContain(node);
    expect((await call(mesh, 'GET', `/api/nodes/${node}`)).status).toBe(200);
    expect((await call(mesh, 'GET', '/api/nodes/no-such-node')).status).toBe(404);
    expect((await call(mesh, 'GET', '/api/nodes/Not_An_Id')).status).toBe(400);
  });

  it("a node's timeline, and its errors", async () => {
    expect((await call(mesh, 'GET', `/api/nodes/${node}/timeline?window=2h`)).status).toBe(200);
    expect((await call(mesh, 'GET', `/api/nodes/${node}/timeline?window=30d`)).status).toBe(400);
    expect((await call(mesh, 'GET', '/api/nodes/no-such-node/timeline')).status).toBe(404);
  });

  it('a check now', async () => {
    expect((await call(mesh, 'POST', `/api/nodes/${node}/check`)).status).toBe(200);
    expect((await call(mesh, 'POST', '/api/nodes/no-such-node/check')).status).toBe(404);
  });

  it('recover: enqueued, refused for a node without recovery, bad query', async () => {
    expect((await call(mesh, 'POST', `/api/nodes/${AGENT_NODE}/recover?wait=false`)).status).toBe(202);
    expect((await call(mesh, 'POST', `/api/nodes/${node}/recover`)).status).toBe(400);
    expect((await call(mesh, 'POST', `/api/nodes/${AGENT_NODE}/recover?wait=maybe`)).status).toBe(400);
  });

  it('silence and unsilence', async () => {
    const json = { 'content-type': 'application/json' };
    const silenced = await call(mesh, 'POST', `/api/nodes/${node}/silence`, {
      headers: json,
      body: JSON.stringify({ for: '30m', reason: 'driver upgrade' }),
    });
    expect(silenced.status).toBe(200);
    const refused = await call(mesh, 'POST', `/api/nodes/${node}/silence`, {
      headers: json,
      body: JSON.stringify({ for: 'forever' }),
    });
    expect(refused.status).toBe(400);
    const ended = await call(mesh, 'DELETE', `/api/nodes/${node}/silence`);
    expect(ended).toEqual({ status: 200, body: { nodeId: node, silenced: false, removed: true } });
  });

  it('alerts, with and without a valid since', async () => {
    const redis = connectTestRedis();
    const alert: Alert = {
      id: 'sim-1-degraded-1',
      at: new Date().toISOString(),
      severity: 'WARNING',
      kind: 'degraded',
      nodeId: node,
      incidentId: `${node}:1`,
      title: `${node} degraded`,
      message: 'connection refused',
    };
    await new AlertHistory(redis, mesh.prefix).record(alert);
    redis.disconnect();
    const listed = await call(mesh, 'GET', '/api/alerts?since=1h');
    expect(listed.body).toContainEqual(alert);
    expect((await call(mesh, 'GET', '/api/alerts?since=soon')).status).toBe(400);
  });

  it('the latest report', async () => {
    await waitFor(async () => (await mesh.get('/api/reports/latest')).status === 200, 'a stats report');
    expect((await call(mesh, 'GET', '/api/reports/latest')).status).toBe(200);
  });

  it('the mesh uptime over 24 h and 7 d, and a query field it refuses', async () => {
    await waitFor(async () => (await mesh.get('/api/reports/latest')).status === 200, 'a stats report');
    const uptime = await call(mesh, 'GET', '/api/uptime');
    expect(uptime.status).toBe(200);
    expect((uptime.body as { nodes: { id: string }[] }).nodes.map((n) => n.id)).toContain(node);
    expect((await call(mesh, 'GET', '/api/uptime?window=7d')).status).toBe(400);
  });

  it('401 without credentials, 403 for a cross-site write', async () => {
    const anonymous = { headers: { authorization: '' } };
    expect((await call(mesh, 'GET', '/api/mesh', anonymous)).status).toBe(401);
    expect((await call(mesh, 'GET', '/', anonymous)).status).toBe(401);
    const crossSite = { headers: { 'sec-fetch-site': 'cross-site' } };
    expect((await call(mesh, 'POST', `/api/nodes/${node}/check`, crossSite)).status).toBe(403);
  });

  it('has called every operation of the document', () => {
    const operations = Object.entries(DOCUMENT.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...called].sort()).toEqual(operations.sort());
  });
});
