/**
 * The probe as the service uses it: one pair of keep-alive agents for everything a process sends
 * to the nodes, so each node's connection is reused from check to check.
 */
import type { NodeConfig } from '../config/types.js';
import type { ProbeResult } from '../mesh/types.js';
import { createProbeAgents, destroyProbeAgents } from './http-pools.js';
import { type DeepCheckOptions, probeNode } from './probe.js';
import { unloadModels } from './unload-models.js';
import { warmModels } from './warm-models.js';

/** Loading a model from disk into VRAM takes seconds to minutes; a sweep waits this long at most. */
const WARM_TIMEOUT_MS = 60_000;

export interface Probe {
  /** Checks a node within its `checks.timeout`, with the deep part when `deep` is given. */
  check(node: NodeConfig, deep: DeepCheckOptions | null): Promise<ProbeResult>;
  /** Unloads the models, allowing the node's `checks.timeout` for each. @throws Error naming the failures. */
  unloadModels(node: NodeConfig, models: readonly string[]): Promise<void>;
  /** Keeps the models the node has loaded for `keepAliveMs`; resolves how many. */
  warmModels(node: NodeConfig, models: readonly string[], keepAliveMs: number): Promise<number>;
  /** Drops the pooled connections. */
  close(): Promise<void>;
}

export function createProbe(): Probe {
  const agents = createProbeAgents();
  return {
    check: (node, deep) => probeNode(node.url, { timeoutMs: node.checks.timeout, deep, agents }),
    unloadModels: (node, models) =>
      unloadModels(node.url, models, { timeoutMs: node.checks.timeout * Math.max(1, models.length), agents }),
    warmModels: (node, models, keepAliveMs) =>
      warmModels(node.url, models, { timeoutMs: WARM_TIMEOUT_MS, keepAliveMs, agents }),
    async close() {
      destroyProbeAgents(agents);
    },
  };
}
