import * as z from 'zod';
import { channelsSchema } from '../alerts/channels/registry.js';
import { clusterSafePrefix } from '../runtime/redis-url.js';
import { count, duration, flag, HTTP, nonEmptyText, port, ratio, redisUrl, url } from '../values/fields.js';
import { gatewaySchema } from './schema-gateway.js';
import { effectiveChecks, meshChecksSchema, nodeSchema, toNodeConfig } from './schema-node.js';
import type { ChecksConfig, MeshConfig } from './types.js';

/*
 * The one description of mesh.yaml: every key, its type and its default (as docs/configuration.md lists them).
 * The output is `MeshConfig`: durations in ms, each node's checks the effective ones.
 */

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const LOCAL_NODE = { id: 'local', name: 'Local Ollama', url: 'http://127.0.0.1:11434' };

const meshFields = z.strictObject({
  redis: z
    .strictObject({
      url: redisUrl().prefault('redis://127.0.0.1:6379'),
      prefix: nonEmptyText().prefault('gpu-mesh'),
    })
    .prefault({})
    .transform(({ url, prefix }) => ({ url, prefix: clusterSafePrefix(url, prefix) })),
  checks: meshChecksSchema.prefault({}),
  keepalive: z
    .strictObject({
      interval: duration().prefault('60s'),
      watch: flag().prefault(true),
      staleAfter: count().prefault(3),
      warm: z.array(nonEmptyText()).prefault([]),
    })
    .prefault({}),
  recovery: z
    .strictObject({
      attempts: count().prefault(3),
      backoff: duration().prefault('10s'),
      verifyTimeout: duration().prefault('60s'),
      maxPerHour: count().prefault(5),
    })
    .prefault({}),
  stats: z
    .strictObject({ interval: duration().prefault('5m'), retain: duration().prefault('24h') })
    .prefault({}),
  heartbeat: z
    .strictObject({ url: url(HTTP, { optional: true }).prefault(''), interval: duration().prefault('60s') })
    .prefault({}),
  dashboard: z.strictObject({ interval: duration().prefault('60s') }).prefault({}),
  alerts: z
    .strictObject({
      criticalAfter: duration().prefault('10m'),
      repeatEvery: duration().prefault('1h'),
      flapping: z
        .strictObject({ changes: count().prefault(6), window: duration().prefault('10m') })
        .prefault({}),
      massFailure: z
        .strictObject({ ratio: ratio().prefault(0.5), minNodes: count().prefault(4) })
        .prefault({}),
      channels: channelsSchema,
      maxSilence: duration().prefault('30d'),
    })
    .prefault({}),
  gateway: gatewaySchema,
  server: z
    .strictObject({
      host: nonEmptyText().prefault('127.0.0.1'),
      port: port().prefault(3000),
      username: z.string().prefault('admin'),
      password: z.string().prefault(''),
      statusPage: flag().prefault(false),
    })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(LOG_LEVELS).prefault('info'), file: z.string().prefault('') })
    .prefault({}),
  nodes: z.array(nodeSchema).prefault([LOCAL_NODE]),
});
type ParsedMesh = z.output<typeof meshFields>;

export const meshConfigSchema = meshFields
  .superRefine(rejectDuplicateIds)
  .superRefine(rejectDegradedAfterUnhealthy)
  .transform(toMeshConfig);

function rejectDuplicateIds(mesh: ParsedMesh, ctx: z.RefinementCtx): void {
  const firstIndexOfId = new Map<string, number>();
  mesh.nodes.forEach(({ id }, index) => {
    const first = firstIndexOfId.get(id);
    if (first === undefined) firstIndexOfId.set(id, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: ['nodes', index, 'id'],
        message: `duplicate id "${id}" (see nodes[${first}])`,
      });
  });
}

/** A node must be degraded before it is unhealthy, mesh-wide and in every node that overrides either count. */
function rejectDegradedAfterUnhealthy(mesh: ParsedMesh, ctx: z.RefinementCtx): void {
  const problemWith = ({ degradedAfter, unhealthyAfter }: ChecksConfig) =>
    degradedAfter > unhealthyAfter
      ? `degradedAfter (${degradedAfter}) must not exceed unhealthyAfter (${unhealthyAfter})`
      : undefined;
  const meshProblem = problemWith(mesh.checks);
  if (meshProblem !== undefined) ctx.addIssue({ code: 'custom', path: ['checks'], message: meshProblem });
  mesh.nodes.forEach(({ checks }, index) => {
    if (checks.degradedAfter === undefined && checks.unhealthyAfter === undefined) return;
    const problem = problemWith(effectiveChecks(mesh.checks, checks));
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', path: ['nodes', index, 'checks'], message: problem });
  });
}

function toMeshConfig(mesh: ParsedMesh): MeshConfig {
  return { ...mesh, nodes: mesh.nodes.map((node) => toNodeConfig(node, mesh.checks)) };
}
