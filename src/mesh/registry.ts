/**
 * The mesh's node list as the scheduler last published it, so that `gpu-mesh status` and a
 * server-only process show the nodes the mesh really checks (the demo's simulated ones, say),
 * not whatever their own mesh.yaml lists. Only what the views need; never a secret (a node URL's
 * user:password stays in the config).
 */
import type { Redis } from 'ioredis';
import type { NodeConfig } from '../config/types.js';
import { safeUrl } from '../values/redaction.js';

export type NodeInfo = Pick<NodeConfig, 'id' | 'name' | 'url' | 'enabled' | 'tags'>;

function registryKey(prefix: string): string {
  return `${prefix}:nodes`;
}

export function nodeInfo(node: NodeConfig): NodeInfo {
  return { id: node.id, name: node.name, url: safeUrl(node.url), enabled: node.enabled, tags: node.tags };
}

export async function publishNodes(
  redis: Redis,
  prefix: string,
  nodes: readonly NodeConfig[],
): Promise<void> {
  await redis.set(registryKey(prefix), JSON.stringify(nodes.map(nodeInfo)));
}

/** Whether a scheduler has published the list on this Redis and prefix (one EXISTS, nothing parsed). */
export async function nodesPublished(redis: Redis, prefix: string): Promise<boolean> {
  return (await redis.exists(registryKey(prefix))) === 1;
}

/** The published list, or null when no scheduler has published one on this Redis and prefix. */
export async function readPublishedNodes(redis: Redis, prefix: string): Promise<NodeInfo[] | null> {
  const json = await redis.get(registryKey(prefix));
  return json === null ? null : (JSON.parse(json) as NodeInfo[]);
}

/** The published list, else the caller's own config (before any scheduler has run). */
export async function meshNodes(
  redis: Redis,
  prefix: string,
  fallback: readonly NodeConfig[],
): Promise<NodeInfo[]> {
  return (await readPublishedNodes(redis, prefix)) ?? fallback.map(nodeInfo);
}
