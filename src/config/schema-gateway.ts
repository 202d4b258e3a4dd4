import * as z from 'zod';
import { count, duration, flag, nonEmptyText, port } from '../values/fields.js';
import { withInputKind } from '../values/input-kinds.js';

/*
 * mesh.yaml's `gateway:` (the inference gateway, docs/gateway.md) and each node's
 * `nodes[].gateway`, with the defaults of docs/configuration.md.
 */

export const GATEWAY_ROUTES = ['least-busy', 'affinity', 'round-robin'] as const;
export type GatewayRoute = (typeof GATEWAY_ROUTES)[number];

const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;
const BYTE_SIZE = /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;
const BYTES_PER_UNIT: Record<string, number> = {
  B: 1,
  KB: 1000,
  KiB: 1024,
  MB: 1000 ** 2,
  MiB: 1024 ** 2,
  GB: 1000 ** 3,
  GiB: 1024 ** 3,
};
export const NOT_A_SIZE = 'not a size (use e.g. 512KiB, 32MiB, 1GB or a number of bytes)';

/** Bytes of `32MiB`, `512KiB`, `1GB`, `100B` or a whole number of bytes; at least 1. */
export function parseByteSize(value: string | number): number {
  const match = typeof value === 'number' ? null : BYTE_SIZE.exec(value.trim());
  const bytes =
    typeof value === 'number'
      ? value
      : match
        ? Number(match[1]) * (BYTES_PER_UNIT[match[2] ?? 'B'] ?? 0)
        : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(NOT_A_SIZE);
  return bytes;
}

function byteSize() {
  const schema = z.union([z.string(), z.number()], { error: NOT_A_SIZE }).transform((value, ctx) => {
    try {
      return parseByteSize(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: NOT_A_SIZE, input: value });
      return z.NEVER;
    }
  });
  return withInputKind(schema, { kind: 'size' });
}

function numberFromText(value: unknown): unknown {
  return typeof value === 'string' && NUMBER_TEXT.test(value.trim()) ? Number(value) : value;
}

function positiveNumber() {
  return withInputKind(z.preprocess(numberFromText, z.number().gt(0)), { kind: 'number' });
}

function wholeNumber() {
  return withInputKind(z.preprocess(numberFromText, z.number().int().min(0)), { kind: 'number' });
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '[::1]']);

/** Whether a listen address reaches this machine only. */
export function isLoopbackAddress(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

export const gatewaySchema = z
  .strictObject({
    /** When true, role `all` includes `gateway`. */
    enabled: flag().prefault(false),
    host: nonEmptyText().prefault('127.0.0.1'),
    port: port().prefault(11480),
    /** `Authorization: Bearer <key>`; required when `host` is not loopback. */
    apiKeys: z.array(nonEmptyText()).prefault([]),
    route: z.enum(GATEWAY_ROUTES).prefault('least-busy'),
    affinity: z
      .strictObject({
        prefixChars: withInputKind(z.preprocess(numberFromText, z.number().int().min(1)), {
          kind: 'number',
        }).prefault(2048),
        maxLoad: withInputKind(z.preprocess(numberFromText, z.number().min(1)), { kind: 'number' }).prefault(
          1.25,
        ),
      })
      .prefault({}),
    /** Nodes tried for one request before its first byte. */
    attempts: count().prefault(3),
    headerTimeout: z
      .strictObject({ warm: duration().prefault('30s'), cold: duration().prefault('10m') })
      .prefault({}),
    idleTimeout: duration().prefault('2m'),
    maxBody: byteSize().prefault('32MiB'),
  })
  .superRefine((gateway, ctx) => {
    if (gateway.apiKeys.length === 0 && !isLoopbackAddress(gateway.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['apiKeys'],
        message: `required when gateway.host (${gateway.host}) is not loopback: anyone who reaches the port could use every GPU`,
      });
    }
  })
  .prefault({});

/** A node's own `gateway:`: its share of requests and its cap. */
export const nodeGatewaySchema = z
  .strictObject({
    /** Relative capacity for `least-busy` and `affinity` (a node with weight 2 takes twice the load). */
    weight: positiveNumber().prefault(1),
    /** Requests in flight through one gateway process at most; 0 = no cap. */
    maxInFlight: wholeNumber().prefault(0),
  })
  .prefault({});
