/**
 * The config in force, read by every role through `current()`, and what a reload does: it swaps
 * the config, then tells each role that asked (`onReload`), in the order they asked.
 */
import { diffNodes, type NodesDiff } from '../config/diff.js';
import type { MeshConfig, NodeConfig } from '../config/types.js';

export type ReloadListener = (next: MeshConfig, diff: NodesDiff) => Promise<void> | void;

export class LiveConfig {
  private config: MeshConfig;
  private nodesById: Map<string, NodeConfig>;
  private readonly listeners: ReloadListener[] = [];

  constructor(initial: MeshConfig) {
    this.config = initial;
    this.nodesById = indexNodes(initial.nodes);
  }

  current(): MeshConfig {
    return this.config;
  }

  node(id: string): NodeConfig | undefined {
    return this.nodesById.get(id);
  }

  onReload(listener: ReloadListener): void {
    this.listeners.push(listener);
  }

  /** Puts `next` in force and lets every listener apply it; returns what changed in the nodes. */
  async apply(next: MeshConfig): Promise<NodesDiff> {
    const diff = diffNodes(this.config.nodes, next.nodes);
    this.config = next;
    this.nodesById = indexNodes(next.nodes);
    for (const listener of this.listeners) await listener(next, diff);
    return diff;
  }
}

function indexNodes(nodes: readonly NodeConfig[]): Map<string, NodeConfig> {
  return new Map(nodes.map((node) => [node.id, node]));
}
