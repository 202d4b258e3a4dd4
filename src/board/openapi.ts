/**
 * The OpenAPI 3.1 document of the HTTP server (docs/http-api.md), served at `GET /api/openapi.json`.
 * It lives in the code so that the build (dist/, all the Docker image has) carries it; docs/openapi.yaml
 * is this document as YAML, and test/board/openapi.test.ts holds both to each other and to the answers
 * of a running server. After an edit here:
 *
 *   npm run build && node -e "import('./dist/board/openapi.js').then((m) => process.stdout.write(m.openApiYaml()))" > docs/openapi.yaml
 */
import { stringify } from 'yaml';
import { SEVERITIES, STATUSES } from '../mesh/types.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: Json = {}): Json => ({ type: [type, 'null'], ...extra });
const json = (schema: Json): Json => ({ 'application/json': { schema } });
const answer = (description: string, schema: Json): Json => ({ description, content: json(schema) });
const error = (description: string): Json => answer(description, ref('Error'));

const UNAUTHORIZED = {
  description: 'No or wrong credentials (with `WWW-Authenticate: Basic realm="gpu-mesh"`)',
  headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
  content: json(ref('Error')),
};
const REDIS_UNAVAILABLE = error('Redis did not answer within 2 s: `{"error":"redis unavailable"}`');
const CROSS_SITE = error(
  'A write sent by a browser from another site: `{"error":"cross-site request refused"}`',
);
const BAD_ID = error('The id is not a node id (`^[a-z0-9][a-z0-9_-]{0,63}$`): `{"error":"id: …"}`');
const UNKNOWN_NODE = error('A well-formed id the mesh does not have: `{"error":"unknown node: <id>"}`');

const SVG_BADGE = {
  description: 'The badge, `Cross-Origin-Resource-Policy: cross-origin` so that any site may embed it',
  content: { 'image/svg+xml': { schema: { type: 'string' } } },
};
const NO_PUBLIC_NODE = error(
  'A node the mesh does not have: the answer of any unknown path, `{"error":"not found: GET <path>"}`',
);
const STATUS_UNAVAILABLE = error(
  'Redis or the server failed; no cause is given to the public: `{"error":"status unavailable"}` or `{"error":"redis unavailable"}`',
);

/** One of the status page's SVG badges: public, per node. */
function badgeRoute(summary: string) {
  return {
    get: {
      tags: ['status page'],
      summary,
      security: [],
      parameters: [NODE_ID],
      responses: { 200: SVG_BADGE, 400: BAD_ID, 404: NO_PUBLIC_NODE, 503: STATUS_UNAVAILABLE },
    },
  };
}

const NODE_ID = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A node id from mesh.yaml',
  schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
};

const DURATION_TEXT = { type: 'string', pattern: '^\\s*\\d+(ms|s|m|h|d)?\\s*$' };

const schemas: Record<string, Json> = {
  Error: {
    type: 'object',
    description: 'Every error: one line, never a stack',
    required: ['error'],
    properties: { error: { type: 'string' } },
    additionalProperties: false,
  },
  Mesh: {
    type: 'object',
    description: '`GET /api/mesh` and `gpu-mesh status --json`',
    required: ['healthPercent', 'healthy', 'total', 'nodes'],
    properties: {
      healthPercent: {
        type: 'number',
        minimum: 0,
        maximum: 100,
        description: 'round(100 × healthy / total, 1)',
      },
      healthy: { type: 'integer', minimum: 0 },
      total: { type: 'integer', minimum: 0, description: 'Enabled nodes' },
      nodes: { type: 'array', items: ref('Node'), description: 'Every configured node, in mesh.yaml order' },
    },
    additionalProperties: false,
  },
  MeshSummary: {
    type: 'object',
    description: 'The `mesh` event of `/api/events`',
    required: ['healthPercent', 'healthy', 'total'],
    properties: {
      healthPercent: { type: 'number', minimum: 0, maximum: 100 },
      healthy: { type: 'integer', minimum: 0 },
      total: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
  },
  NodeFields: {
    type: 'object',
    required: [
      'id',
      'name',
      'url',
      'status',
      'silenced',
      'tags',
      'consecutiveFailures',
      'lastCheckAt',
      'lastOkAt',
      'lastError',
      'latencyMs',
      'version',
      'models',
      'loadedModels',
      'checks',
      'successes',
      'successRate',
      'uptimeScore',
      'incidentId',
      'watch',
    ],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      url: { type: 'string', description: 'Without any user:password' },
      status: { type: 'string', enum: [...STATUSES] },
      silenced: { type: 'boolean', description: 'A maintenance silence is in force' },
      tags: { type: 'array', items: { type: 'string' } },
      consecutiveFailures: { type: 'integer', minimum: 0 },
      lastCheckAt: nullable('string', { format: 'date-time' }),
      lastOkAt: nullable('string', { format: 'date-time' }),
      lastError: nullable('string', {
        description: "The last failure's message, cleared by the next success",
      }),
      latencyMs: nullable('number', { description: "The last check's whole duration" }),
      version: nullable('string', { description: "Ollama's version" }),
      models: nullable('integer', { description: 'Models installed' }),
      loadedModels: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'sizeVram'],
          properties: { name: { type: 'string' }, sizeVram: { type: 'integer', description: 'Bytes' } },
          additionalProperties: false,
        },
      },
      checks: { type: 'integer', minimum: 0, description: 'Checks run, all time' },
      successes: { type: 'integer', minimum: 0, description: 'Checks passed, all time' },
      successRate: nullable('number', { description: '% of all checks that passed' }),
      uptimeScore: nullable('number', { description: '0–100: % of checks passed within stats.retain' }),
      incidentId: nullable('string', {
        description: '`<node>:<epoch-ms of the first failure>` during an incident',
      }),
      watch: { type: 'string', enum: ['connected', 'reconnecting', 'off'] },
      gateway: {
        type: 'object',
        description: 'While the gateway role runs',
        required: ['inFlight', 'requestsPerMinute'],
        properties: {
          inFlight: { type: 'integer', minimum: 0 },
          requestsPerMinute: { type: 'number', minimum: 0 },
        },
        additionalProperties: false,
      },
    },
  },
  Node: {
    description: 'One node as the mesh sees it',
    type: 'object',
    $ref: '#/components/schemas/NodeFields',
    unevaluatedProperties: false,
  },
  NodeDetail: {
    description: '`GET /api/nodes/{id}`: the Node plus its recent checks, newest first (up to 200)',
    type: 'object',
    $ref: '#/components/schemas/NodeFields',
    required: ['history'],
    properties: {
      history: {
        type: 'array',
        maxItems: 200,
        items: {
          type: 'object',
          required: ['at', 'ok', 'latencyMs', 'error'],
          properties: {
            at: { type: 'string', format: 'date-time' },
            ok: { type: 'boolean' },
            latencyMs: { type: 'number' },
            error: nullable('string'),
          },
          additionalProperties: false,
        },
      },
    },
    unevaluatedProperties: false,
  },
  Alert: {
    type: 'object',
    description: 'An alert (also the body the webhook channel posts); kinds and severities: docs/alerts.md',
    required: ['id', 'at', 'severity', 'kind', 'nodeId', 'incidentId', 'title', 'message'],
    properties: {
      id: { type: 'string' },
      at: { type: 'string', format: 'date-time' },
      severity: { type: 'string', enum: [...SEVERITIES] },
      kind: { type: 'string' },
      nodeId: nullable('string', { description: 'null for mesh-wide kinds' }),
      incidentId: nullable('string', { description: 'null outside an incident' }),
      title: { type: 'string' },
      message: { type: 'string' },
    },
    additionalProperties: false,
  },
  Report: {
    type: 'object',
    description: 'The latest stats report (`gpu-mesh report --json`)',
    required: ['at', 'windowMs', 'healthPercent', 'healthy', 'total', 'nodes'],
    properties: {
      at: { type: 'string', format: 'date-time', description: 'The end of the window' },
      windowMs: { type: 'integer', minimum: 0 },
      healthPercent: { type: 'number', minimum: 0, maximum: 100 },
      healthy: { type: 'integer', minimum: 0 },
      total: { type: 'integer', minimum: 0 },
      nodes: {
        type: 'array',
        items: {
          type: 'object',
          required: [
            'id',
            'name',
            'status',
            'checks',
            'successes',
            'successRate',
            'uptimeScore',
            'models',
            'latencyMs',
          ],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            status: { type: 'string', enum: [...STATUSES] },
            checks: { type: 'integer', minimum: 0, description: 'Checks that started within the window' },
            successes: { type: 'integer', minimum: 0 },
            successRate: nullable('number'),
            uptimeScore: nullable('number'),
            models: nullable('integer'),
            latencyMs: {
              type: 'object',
              description: 'Of the checks that passed within the window; nulls when none passed',
              required: ['avg', 'p50', 'p95', 'max'],
              properties: {
                avg: nullable('number'),
                p50: nullable('number'),
                p95: nullable('number'),
                max: nullable('number'),
              },
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  Uptime: {
    type: 'object',
    description: "Each node's mesh uptime over 24 h and 7 d, from the stored stats reports",
    required: ['nodes'],
    properties: {
      nodes: {
        type: 'array',
        description: 'Every node of the mesh, in the order of /api/mesh',
        items: {
          type: 'object',
          required: ['id', 'name', 'h24', 'd7'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            h24: nullable('number', {
              minimum: 0,
              maximum: 100,
              description:
                '% of its checks that passed, summed over the reports of the last 24 h; null without checks',
            }),
            d7: nullable('number', { minimum: 0, maximum: 100, description: 'The same over the last 7 d' }),
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  Timeline: {
    type: 'object',
    description: "A node's status timeline, recent checks and incidents (the dashboard's node detail)",
    required: ['nodeId', 'windowMs', 'from', 'to', 'cellMs', 'cells', 'checks', 'incidents'],
    properties: {
      nodeId: { type: 'string' },
      windowMs: { type: 'integer' },
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      cellMs: { type: 'integer', description: 'One cell: window / 48, or one stored uptime bucket if wider' },
      cells: {
        type: 'array',
        items: {
          type: 'object',
          required: ['from', 'checks', 'passed'],
          properties: {
            from: { type: 'string', format: 'date-time' },
            checks: { type: 'integer' },
            passed: { type: 'integer' },
          },
          additionalProperties: false,
        },
      },
      checks: {
        type: 'array',
        description: 'The recent checks within the window, oldest first',
        items: {
          type: 'object',
          required: ['at', 'ok', 'latencyMs'],
          properties: {
            at: { type: 'string', format: 'date-time' },
            ok: { type: 'boolean' },
            latencyMs: nullable('number'),
          },
          additionalProperties: false,
        },
      },
      incidents: {
        type: 'array',
        description: 'Newest first, from the alert history',
        items: {
          type: 'object',
          required: [
            'id',
            'start',
            'end',
            'ongoing',
            'alerts',
            'recoveryAttempts',
            'durationMs',
            'recoveryJobId',
          ],
          properties: {
            id: { type: 'string' },
            start: { type: 'string', format: 'date-time' },
            end: nullable('string', { format: 'date-time' }),
            ongoing: { type: 'boolean' },
            alerts: { type: 'integer' },
            recoveryAttempts: { type: 'integer' },
            durationMs: nullable('integer'),
            recoveryJobId: {
              type: 'string',
              description: "The incident's automatic recovery job in Bull Board",
            },
          },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  CheckResult: {
    type: 'object',
    description: 'The result of one check asked for now (as `gpu-mesh check --json`)',
    required: [
      'nodeId',
      'skipped',
      'ok',
      'status',
      'latencyMs',
      'error',
      'version',
      'models',
      'startedAt',
      'plannedAt',
    ],
    properties: {
      nodeId: { type: 'string' },
      skipped: nullable('string', { description: 'Why nothing was checked (node disabled), else null' }),
      ok: { type: 'boolean' },
      status: { anyOf: [{ type: 'string', enum: [...STATUSES] }, { type: 'null' }] },
      latencyMs: nullable('number'),
      error: nullable('string'),
      version: nullable('string'),
      models: nullable('integer'),
      startedAt: nullable('integer', { description: 'Epoch ms' }),
      plannedAt: nullable('integer', { description: 'Epoch ms' }),
    },
    additionalProperties: false,
  },
};

const NODE_ACTION = { tags: ['nodes'], parameters: [NODE_ID] };

const paths: Record<string, Json> = {
  '/healthz': {
    get: {
      tags: ['probes'],
      summary: 'Liveness: answers while the process runs',
      security: [],
      responses: {
        200: answer('Alive', {
          type: 'object',
          required: ['status'],
          properties: { status: { const: 'ok' } },
          additionalProperties: false,
        }),
      },
    },
  },
  '/readyz': {
    get: {
      tags: ['probes'],
      summary: 'Readiness: Redis answers within 1 s',
      security: [],
      responses: {
        200: answer('Ready', {
          type: 'object',
          required: ['status'],
          properties: { status: { const: 'ready' } },
          additionalProperties: false,
        }),
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/': {
    get: {
      tags: ['views'],
      summary: 'The live dashboard: one self-contained page fed by /api/events',
      responses: {
        200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
        401: UNAUTHORIZED,
      },
    },
  },
  '/board': {
    get: {
      tags: ['views'],
      summary: 'Bull Board: every queue; retry, promote and clean (docs/http-api.md)',
      description:
        "Bull Board's UI, and its own JSON API under `/board/api/…`, which this document does not describe. Pause, add, obliterate and the like are refused with 403.",
      responses: {
        200: { description: 'The UI', content: { 'text/html': { schema: { type: 'string' } } } },
        401: UNAUTHORIZED,
      },
    },
  },
  '/status': {
    get: {
      tags: ['status page'],
      summary: "The public status page (server.statusPage: true): each node's name, status and 24 h uptime",
      description:
        'Answered without auth when `server.statusPage` is true; otherwise it does not exist (404, behind auth like any unknown path). No node URL, id or error text is shown.',
      security: [],
      responses: {
        200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
        503: STATUS_UNAVAILABLE,
      },
    },
  },
  '/status/badge/{id}/status.svg': badgeRoute(
    "A badge of the node's status, to embed elsewhere (server.statusPage: true)",
  ),
  '/status/badge/{id}/uptime.svg': badgeRoute(
    "A badge of the node's mesh uptime over 24 h, as GET /api/uptime counts it (server.statusPage: true)",
  ),
  '/api/openapi.json': {
    get: {
      tags: ['api'],
      summary: 'This document',
      responses: {
        200: answer('OpenAPI 3.1', {
          type: 'object',
          required: ['openapi'],
          properties: { openapi: { type: 'string' } },
        }),
        401: UNAUTHORIZED,
      },
    },
  },
  '/api/mesh': {
    get: {
      tags: ['api'],
      summary: 'Mesh health and every node',
      responses: { 200: answer('The mesh', ref('Mesh')), 401: UNAUTHORIZED, 503: REDIS_UNAVAILABLE },
    },
  },
  '/api/nodes/{id}': {
    get: {
      ...NODE_ACTION,
      summary: 'One node and its recent checks',
      responses: {
        200: answer('The node', ref('NodeDetail')),
        400: BAD_ID,
        401: UNAUTHORIZED,
        404: UNKNOWN_NODE,
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/api/nodes/{id}/timeline': {
    get: {
      ...NODE_ACTION,
      summary: 'Its status over a window, its recent checks and its incidents',
      parameters: [
        NODE_ID,
        {
          name: 'window',
          in: 'query',
          description: 'How far back: 1h to 7d',
          schema: { ...DURATION_TEXT, default: '24h' },
        },
      ],
      responses: {
        200: answer('The timeline', ref('Timeline')),
        400: error('A bad id or `window`, or an unknown query field: `{"error":"window: …"}`'),
        401: UNAUTHORIZED,
        404: UNKNOWN_NODE,
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/api/nodes/{id}/check': {
    post: {
      ...NODE_ACTION,
      summary: 'One check now, through the queue (as `gpu-mesh check`)',
      responses: {
        200: answer("The check's result", ref('CheckResult')),
        400: BAD_ID,
        401: UNAUTHORIZED,
        403: CROSS_SITE,
        404: UNKNOWN_NODE,
        503: REDIS_UNAVAILABLE,
        504: error('No worker answered in time: `{"error":"no worker answered in time"}`'),
      },
    },
  },
  '/api/nodes/{id}/recover': {
    post: {
      ...NODE_ACTION,
      summary: 'A manual recovery, one attempt (as `gpu-mesh recover`)',
      parameters: [
        NODE_ID,
        {
          name: 'wait',
          in: 'query',
          description: '`false`: enqueue it and answer 202 at once',
          schema: { type: 'string', enum: ['true', 'false'], default: 'true' },
        },
      ],
      responses: {
        200: answer('Recovered', {
          type: 'object',
          required: ['nodeId', 'outcome', 'summary', 'tookMs', 'jobId'],
          properties: {
            nodeId: { type: 'string' },
            outcome: { type: 'string', enum: ['recovered', 'skipped'] },
            summary: { type: 'string', description: 'What was done, or why nothing was' },
            tookMs: { type: 'number', minimum: 0 },
            jobId: { type: 'string' },
          },
          additionalProperties: false,
        }),
        202: answer('Enqueued (`?wait=false`)', {
          type: 'object',
          required: ['nodeId', 'jobId'],
          properties: { nodeId: { type: 'string' }, jobId: { type: 'string' } },
          additionalProperties: false,
        }),
        400: error('A bad id or `wait`, or a node with `recovery.kind: none`'),
        401: UNAUTHORIZED,
        403: CROSS_SITE,
        404: UNKNOWN_NODE,
        502: answer('The recovery failed', {
          type: 'object',
          required: ['nodeId', 'outcome', 'error', 'jobId'],
          properties: {
            nodeId: { type: 'string' },
            outcome: { const: 'failed' },
            error: { type: 'string' },
            jobId: { type: 'string' },
          },
          additionalProperties: false,
        }),
        503: REDIS_UNAVAILABLE,
        504: answer('No worker took it, or it is still running (see it in Bull Board)', {
          type: 'object',
          required: ['error', 'jobId'],
          properties: { error: { type: 'string' }, jobId: { type: 'string' } },
          additionalProperties: false,
        }),
      },
    },
  },
  '/api/nodes/{id}/silence': {
    post: {
      ...NODE_ACTION,
      summary: 'A maintenance silence: no alerts and no automatic recovery (as `gpu-mesh silence`)',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['for'],
          properties: {
            for: { ...DURATION_TEXT, description: 'From 1 s to alerts.maxSilence, e.g. 30m, 2h' },
            reason: { type: 'string', maxLength: 500 },
          },
          additionalProperties: false,
        }),
      },
      responses: {
        200: answer('Silenced', {
          type: 'object',
          required: ['nodeId', 'silenced', 'until', 'reason'],
          properties: {
            nodeId: { type: 'string' },
            silenced: { const: true },
            until: { type: 'string', format: 'date-time' },
            reason: { type: 'string' },
          },
          additionalProperties: false,
        }),
        400: error('A bad id or body, naming the field: `{"error":"for: …"}`'),
        401: UNAUTHORIZED,
        403: CROSS_SITE,
        404: UNKNOWN_NODE,
        503: REDIS_UNAVAILABLE,
      },
    },
    delete: {
      ...NODE_ACTION,
      summary: 'End a silence now (as `gpu-mesh unsilence`)',
      responses: {
        200: answer('Not silenced (any longer)', {
          type: 'object',
          required: ['nodeId', 'silenced', 'removed'],
          properties: {
            nodeId: { type: 'string' },
            silenced: { const: false },
            removed: { type: 'boolean', description: 'A silence was in force' },
          },
          additionalProperties: false,
        }),
        400: BAD_ID,
        401: UNAUTHORIZED,
        403: CROSS_SITE,
        404: UNKNOWN_NODE,
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/api/alerts': {
    get: {
      tags: ['api'],
      summary: 'Recent alerts, newest first',
      parameters: [
        {
          name: 'since',
          in: 'query',
          description: 'How far back: 500ms, 5m, 1h, 1d, or ms',
          schema: { ...DURATION_TEXT, default: '1h' },
        },
      ],
      responses: {
        200: answer('The alerts', { type: 'array', items: ref('Alert') }),
        400: error('`since` is not a duration: `{"error":"since: not a duration …"}`'),
        401: UNAUTHORIZED,
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/api/reports/latest': {
    get: {
      tags: ['api'],
      summary: 'The latest stats report',
      responses: {
        200: answer('The report', ref('Report')),
        401: UNAUTHORIZED,
        404: error('No report yet (one is made every stats.interval)'),
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/api/uptime': {
    get: {
      tags: ['api'],
      summary: "Each node's mesh uptime over the last 24 h and 7 d",
      description:
        'From the stored stats reports (kept for stats.retain or 7 d, whichever is longer): per node, the checks passed over the checks run in the reports whose window ended within the period. Takes no query field.',
      responses: {
        200: answer('The uptime', ref('Uptime')),
        400: error('A query field (none is taken): `{"error":"<field>: unknown field"}`'),
        401: UNAUTHORIZED,
        503: REDIS_UNAVAILABLE,
      },
    },
  },
  '/api/events': {
    get: {
      tags: ['api'],
      summary: 'Server-sent events: the whole picture first, then changes',
      description:
        'Events: `node` (data: a Node), `alert` (an Alert), `mesh` (a MeshSummary), `telemetry` (`{nodeId, telemetry}`, telemetry null when none is reported), `report` (a Report, as each is made); a `: heartbeat` comment every 15 s.',
      responses: {
        200: { description: 'The stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        401: UNAUTHORIZED,
        503: {
          description: 'Too many listeners (with `Retry-After`), or Redis unavailable',
          headers: { 'Retry-After': { schema: { type: 'string' } } },
          content: json(ref('Error')),
        },
      },
    },
  },
  '/metrics': {
    get: {
      tags: ['metrics'],
      summary: 'Prometheus text, every name prefixed gpu_mesh_ (docs/http-api.md#metrics)',
      responses: {
        200: { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        401: UNAUTHORIZED,
        503: REDIS_UNAVAILABLE,
      },
    },
  },
};

export const OPENAPI_DOCUMENT: Json = {
  openapi: '3.1.0',
  info: {
    title: 'gpu-mesh',
    version: '0.1.0',
    description:
      'The HTTP server of gpu-mesh: dashboard, REST API, events, Bull Board and metrics (docs/http-api.md). Every route but /healthz, /readyz and the opt-in status page (/status…) is behind HTTP Basic auth (server.username / server.password); with no password auth is off and only loopback Host headers are answered. An unknown route is 404 and a failure inside the server 500, both `{"error": "…"}`.',
  },
  tags: [
    { name: 'probes' },
    { name: 'views' },
    { name: 'status page' },
    { name: 'api' },
    { name: 'nodes' },
    { name: 'metrics' },
  ],
  security: [{ basicAuth: [] }],
  paths,
  components: {
    securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } },
    schemas,
  },
};

/** docs/openapi.yaml: the document as YAML. */
export function openApiYaml(): string {
  return stringify(OPENAPI_DOCUMENT, { lineWidth: 0, aliasDuplicateObjects: false });
}
