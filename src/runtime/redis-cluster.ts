/**
 * A Redis Cluster connection that the rest of gpu-mesh can hold as a `Redis`.
 *
 * Every module takes an ioredis `Redis`; an ioredis `Cluster` answers the same commands, and with the
 * mesh's prefix a `{hash tag}` (see `clusterSafePrefix`) every key, pipeline, MGET and Lua script of
 * one mesh lands in one slot, so they all work unchanged. What gpu-mesh uses beyond commands, checked:
 * - `duplicate(options)`: a Cluster's is `duplicate(startupNodes, clusterOptions)`. The copy made here
 *   also accepts the `Redis` form (the options then apply to each node's connection), and still
 *   accepts the Cluster form, which is what BullMQ calls (it knows a Cluster by `isCluster`, wraps its
 *   blocking commands, and reads `redisOptions.maxRetriesPerRequest`).
 * - `defineCommand`, `pipeline`, `multi`, `subscribe`/`publish`, `quit`, `disconnect`, the `ready`
 *   and `error` events: the Cluster has them with the same meaning.
 * gpu-mesh never SCANs or runs KEYS (which would see one node only) nor runs keyless scripts.
 */
import { Cluster, type ClusterNode, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';
import type { RedisEndpoint } from './redis-url.js';

export interface ClusterTarget {
  nodes: RedisEndpoint[];
  tls: boolean;
  username?: string;
  password?: string;
}

/** `options` are a single connection's; the cluster-wide ones are moved to the cluster level. */
export function connectCluster(target: ClusterTarget, options: RedisOptions): Redis {
  const { retryStrategy, enableOfflineQueue, lazyConnect, enableReadyCheck, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...perNode,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableReadyCheck === undefined ? {} : { enableReadyCheck }),
  };
  return asRedis(withRedisDuplicate(new Cluster(target.nodes, clusterOptions)));
}

function withRedisDuplicate(cluster: Cluster): Cluster {
  const clusterDuplicate = cluster.duplicate.bind(cluster);
  const duplicate = (
    first?: ClusterOptions['redisOptions'] | ClusterNode[],
    second?: ClusterOptions,
  ): Cluster => {
    if (first === undefined || Array.isArray(first))
      return withRedisDuplicate(clusterDuplicate(first, second));
    const redisOptions = { ...cluster.options.redisOptions, ...first };
    return withRedisDuplicate(clusterDuplicate([], { redisOptions }));
  };
  cluster.duplicate = duplicate as Cluster['duplicate'];
  return cluster;
}

/** See the file's comment for why a Cluster may stand where a `Redis` is expected. */
function asRedis(cluster: Cluster): Redis {
  return cluster as unknown as Redis;
}
