/**
 * What a node removed from mesh.yaml leaves behind in Redis, deleted: its state and history, its
 * silence, watch state, telemetry, recovery guard, flapping record and its metric series. Added
 * again, it starts `unknown` with fresh counters. Its alerts stay in the alert history and past
 * stats reports keep its rows; raw stats windows expire by themselves within a few intervals.
 */
import type { Redis } from 'ioredis';
import { telemetryKey } from '../agent/telemetry.js';
import { alertingKeys } from '../alerts/keys.js';
import { silenceKey } from '../mesh/silence.js';
import { nodeStateKeys, notHealthyKey } from '../mesh/store.js';
import { watchStatesKey } from '../mesh/watch-states.js';
import { CHECK_DURATION_BOUNDS } from '../metrics/histograms.js';
import { metricsCountersKey, nodeCounterFields } from '../metrics/keys.js';
import { RecoveryBookkeeping } from '../recovery/bookkeeping.js';
import { watchGateKey, watchTriggeredField } from '../watch/reports.js';

/** Deletes every per-node key and field of `nodeIds` in one round trip. */
export async function forgetNodes(redis: Redis, prefix: string, nodeIds: readonly string[]): Promise<void> {
  if (nodeIds.length === 0) return;
  const alerting = alertingKeys(prefix);
  const bookkeeping = new RecoveryBookkeeping(redis, prefix);
  const keys = nodeIds.flatMap((id) => {
    const { state, history } = nodeStateKeys(prefix, id);
    return [
      state,
      history,
      silenceKey(prefix, id),
      watchGateKey(prefix, id),
      telemetryKey(prefix, id),
      alerting.changes(id),
      alerting.flapping(id),
      ...bookkeeping.nodeKeys(id),
    ];
  });
  const counterFields = nodeIds.flatMap((id) => [
    ...nodeCounterFields(id, CHECK_DURATION_BOUNDS.length + 1),
    watchTriggeredField(id),
  ]);
  await redis
    .multi()
    .del(...keys)
    .hdel(notHealthyKey(prefix), ...nodeIds)
    .hdel(watchStatesKey(prefix), ...nodeIds)
    .zrem(alerting.massFailures, ...nodeIds)
    .hdel(metricsCountersKey(prefix), ...counterFields)
    .exec();
}
