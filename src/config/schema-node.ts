import * as z from 'zod';
import { argv, count, duration, flag, HTTP, NODE_ID, nonEmptyText, url } from '../values/fields.js';
import { withInputKind } from '../values/input-kinds.js';
import { nodeGatewaySchema } from './schema-gateway.js';
import { isMapping } from './tree.js';
import type { ChecksConfig, NodeConfig } from './types.js';

/* mesh.yaml's `checks` (mesh-wide, with the defaults of docs/configuration.md) and one entry of `nodes`. */

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const deepCheckFields = {
  every: duration({ zeroMeansOff: true }),
  model: z.string(),
  timeout: duration(),
  failAfter: count(),
};
const checkFields = {
  interval: duration(),
  timeout: duration(),
  retryInterval: duration(),
  degradedAfter: count(),
  unhealthyAfter: count(),
  healthyAfter: count(),
};

export const meshChecksSchema = z.strictObject({
  interval: checkFields.interval.prefault('30s'),
  timeout: checkFields.timeout.prefault('5s'),
  retryInterval: checkFields.retryInterval.prefault('5s'),
  degradedAfter: checkFields.degradedAfter.prefault(1),
  unhealthyAfter: checkFields.unhealthyAfter.prefault(3),
  healthyAfter: checkFields.healthyAfter.prefault(1),
  deep: z
    .strictObject({
      every: deepCheckFields.every.prefault(0),
      model: deepCheckFields.model.prefault(''),
      timeout: deepCheckFields.timeout.prefault('60s'),
      failAfter: deepCheckFields.failAfter.prefault(2),
    })
    .prefault({}),
});

/** A node's own checks: any key of `checks`, `deep` included, each optional. */
const nodeChecks = z
  .strictObject({ ...checkFields, deep: z.strictObject(deepCheckFields).partial() })
  .partial();
export type NodeChecks = z.output<typeof nodeChecks>;

const recoveryTimeout = () => duration().prefault('30s');
const recovery = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('command'), command: argv(), timeout: recoveryTimeout() }),
  z.strictObject({
    kind: z.literal('ssh'),
    host: nonEmptyText(),
    command: argv(),
    timeout: recoveryTimeout(),
  }),
  z.strictObject({
    kind: z.literal('http'),
    url: url(HTTP),
    method: z.enum(HTTP_METHODS).prefault('POST'),
    headers: z.record(z.string(), z.string()).prefault({}),
    body: z.string().prefault(''),
    timeout: recoveryTimeout(),
  }),
  z.strictObject({ kind: z.literal('agent'), command: argv(), timeout: recoveryTimeout() }),
]);

/** `recovery: {}` (or none at all) is `kind: none`. */
const recoveryWithDefaultKind = withInputKind(
  z.preprocess(
    (value) => (isMapping(value) && !('kind' in value) ? { kind: 'none', ...value } : value),
    recovery,
  ),
  { kind: 'recovery' },
).prefault({});

export const nodeSchema = z.strictObject({
  id: z
    .string()
    .regex(NODE_ID, 'not a valid id (lowercase letters, digits, - and _, at most 64, e.g. gpu-01)'),
  /** Defaults to the id. */
  name: nonEmptyText().optional(),
  url: url(HTTP),
  enabled: flag().prefault(true),
  tags: z.array(z.string()).prefault([]),
  checks: nodeChecks.prefault({}),
  recovery: recoveryWithDefaultKind,
  gateway: nodeGatewaySchema,
});
export type ParsedNode = z.output<typeof nodeSchema>;

export function toNodeConfig(node: ParsedNode, meshChecks: ChecksConfig): NodeConfig {
  return {
    id: node.id,
    name: node.name ?? node.id,
    url: node.url,
    enabled: node.enabled,
    tags: node.tags,
    checks: effectiveChecks(meshChecks, node.checks),
    recovery: node.recovery,
    gateway: node.gateway,
  };
}

/** The mesh-wide checks with a node's own keys applied, `deep` key by key. */
export function effectiveChecks(mesh: ChecksConfig, own: NodeChecks): ChecksConfig {
  const { deep, ...flat } = own;
  return { ...mesh, ...withoutUndefined(flat), deep: { ...mesh.deep, ...withoutUndefined(deep ?? {}) } };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
