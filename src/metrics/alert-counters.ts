/**
 * Mesh-wide alert counters behind `gpu_mesh_alerts_total{kind,severity,channel}` and
 * `gpu_mesh_notify_failures_total{channel}`. The alert delivery code calls these once per delivery
 * (and once per failed delivery attempt); the counts live in Redis, so every server process exports
 * the same totals whichever process delivered.
 */
import type { Redis } from 'ioredis';
import { metricsCountersKey } from './keys.js';

export async function countAlertDelivered(
  redis: Redis,
  prefix: string,
  alert: { kind: string; severity: string },
  channel: string,
): Promise<void> {
  await redis.hincrby(metricsCountersKey(prefix), `alerts|${alert.kind}|${alert.severity}|${channel}`, 1);
}

export async function countNotifyFailure(redis: Redis, prefix: string, channel: string): Promise<void> {
  await redis.hincrby(metricsCountersKey(prefix), `notify_failures|${channel}`, 1);
}
