/**
 * What each gateway process is doing with each node, for `/api/mesh` and the dashboard (SPEC: a
 * node carries `gateway: { inFlight, requestsPerMinute }` while the role runs). Each process
 * writes its own field of one hash every few seconds, never per request; readers add up the
 * fields written recently, so a gateway that stopped (or was killed) drops out by itself.
 */
import type { Redis } from 'ioredis';

export interface GatewayLoad {
  inFlight: number;
  requestsPerMinute: number;
}

interface ProcessReport {
  at: number;
  nodes: Record<string, GatewayLoad>;
}

/** A report older than this is a gateway that stopped. */
export const GATEWAY_LOAD_STALE_MS = 20_000;

export function gatewayLoadKey(prefix: string): string {
  return `${prefix}:gateway-load`;
}

export async function writeGatewayLoad(
  redis: Redis,
  prefix: string,
  processId: string,
  nodes: Readonly<Record<string, GatewayLoad>>,
  now: number,
): Promise<void> {
  const report: ProcessReport = { at: now, nodes: { ...nodes } };
  await redis.hset(gatewayLoadKey(prefix), processId, JSON.stringify(report));
}

export async function removeGatewayLoad(redis: Redis, prefix: string, processId: string): Promise<void> {
  await redis.hdel(gatewayLoadKey(prefix), processId);
}

/** Each node's load summed over the gateway processes that reported lately; empty when none runs. */
export async function readGatewayLoad(
  redis: Redis,
  prefix: string,
  now: number,
): Promise<Map<string, GatewayLoad>> {
  const fields = await redis.hgetall(gatewayLoadKey(prefix));
  const total = new Map<string, GatewayLoad>();
  for (const json of Object.values(fields)) {
    let report: ProcessReport;
    try {
      report = JSON.parse(json) as ProcessReport;
    } catch {
      continue;
    }
    if (!(now - report.at <= GATEWAY_LOAD_STALE_MS)) continue;
    for (const [id, load] of Object.entries(report.nodes)) {
      const sum = total.get(id) ?? { inFlight: 0, requestsPerMinute: 0 };
      sum.inFlight += load.inFlight;
      sum.requestsPerMinute += load.requestsPerMinute;
      total.set(id, sum);
    }
  }
  return total;
}

/** Removes the reports of gateways that stopped long ago. */
export async function pruneGatewayLoad(redis: Redis, prefix: string, now: number): Promise<void> {
  const fields = await redis.hgetall(gatewayLoadKey(prefix));
  const stale = Object.entries(fields)
    .filter(([, json]) => {
      try {
        return now - (JSON.parse(json) as ProcessReport).at > 10 * GATEWAY_LOAD_STALE_MS;
      } catch {
        return true;
      }
    })
    .map(([field]) => field);
  if (stale.length > 0) await redis.hdel(gatewayLoadKey(prefix), ...stale);
}
