/**
 * The gateway's picture of the mesh, in memory: each configured node's settings and the routing
 * state the mesh last pushed, indexed by model so that a request looks at the nodes that have its
 * model only. The follower writes it; requests read it; nothing here touches Redis.
 */
import type { NodeConfig } from '../config/types.js';
import type { NodeRouting } from '../mesh/routing.js';
import { hashText } from './hash.js';
import { fullModelName } from './model-name.js';
import type { RouteNode } from './types.js';

const NONE: ReadonlySet<string> = new Set();

export interface LoadedModelView {
  name: string;
  sizeVram: number;
  node: string;
}

export class RouteTable {
  private nodes: RouteNode[] = [];
  /** The state version each node's routing was applied from. */
  private versions = new Map<string, number>();
  private loadedSizes = new Map<string, { name: string; sizeVram: number }[]>();
  private ollamaVersions = new Map<string, string | null>();
  /** Enabled nodes by installed model; rebuilt when models or nodes change. */
  private byModel: Map<string, RouteNode[]> | null = null;

  /** Takes the nodes of a (re)loaded config; a node still configured keeps what was pushed of it. */
  configure(configured: readonly NodeConfig[]): void {
    const known = new Map(this.nodes.map((node) => [node.id, node]));
    this.nodes = configured.map((config) => {
      const before = known.get(config.id);
      return {
        id: config.id,
        url: config.url,
        enabled: config.enabled,
        weight: config.gateway.weight,
        maxInFlight: config.gateway.maxInFlight,
        status: before?.status ?? 'unknown',
        silenced: before?.silenced ?? false,
        installed: before?.installed ?? NONE,
        loaded: before?.loaded ?? NONE,
        latencyMs: before?.latencyMs ?? null,
        idHash: hashText(config.id),
      };
    });
    const ids = new Set(configured.map((node) => node.id));
    for (const map of [this.versions, this.loadedSizes, this.ollamaVersions]) {
      for (const id of map.keys()) if (!ids.has(id)) map.delete(id);
    }
    this.byModel = null;
  }

  /** Applies pushed (or read) routing; ignored when older than what was applied, or for an unknown node. */
  apply(routing: NodeRouting): void {
    const node = this.find(routing.id);
    if (node === undefined || routing.v < (this.versions.get(routing.id) ?? 0)) return;
    this.versions.set(routing.id, routing.v);
    node.status = routing.status;
    node.latencyMs = routing.latencyMs;
    const installed = new Set(routing.installed.map(fullModelName));
    if (!sameSet(node.installed, installed)) {
      node.installed = installed;
      this.byModel = null;
    }
    node.loaded = new Set(routing.loaded.map((model) => fullModelName(model.name)));
    this.loadedSizes.set(routing.id, routing.loaded);
    this.ollamaVersions.set(routing.id, routing.ollama);
  }

  /** Marks exactly these nodes silenced. */
  setSilenced(silenced: ReadonlySet<string>): void {
    for (const node of this.nodes) node.silenced = silenced.has(node.id);
  }

  ids(): string[] {
    return this.nodes.map((node) => node.id);
  }

  find(id: string): RouteNode | undefined {
    return this.nodes.find((node) => node.id === id);
  }

  /** Enabled nodes that have `model` (a full name) installed, in mesh.yaml order. */
  nodesWith(model: string): readonly RouteNode[] {
    if (this.byModel === null) this.byModel = indexByModel(this.nodes);
    return this.byModel.get(model) ?? [];
  }

  /** Enabled, not silenced, healthy or degraded: the nodes whose models the gateway offers. */
  servingNodes(): RouteNode[] {
    return this.nodes.filter(isServing);
  }

  /** Models installed on serving nodes, each once, sorted. */
  servedModels(): string[] {
    const names = new Set<string>();
    for (const node of this.servingNodes()) for (const name of node.installed) names.add(name);
    return [...names].sort();
  }

  /** Models loaded on serving nodes, each with the node that holds it. */
  loadedModels(): LoadedModelView[] {
    return this.servingNodes().flatMap((node) =>
      (this.loadedSizes.get(node.id) ?? []).map((model) => ({ ...model, node: node.id })),
    );
  }

  /** The Ollama versions the serving nodes reported. */
  ollamaVersionsServing(): string[] {
    return this.servingNodes()
      .map((node) => this.ollamaVersions.get(node.id))
      .filter((version): version is string => typeof version === 'string');
  }
}

export function isServing(node: RouteNode): boolean {
  return node.enabled && !node.silenced && (node.status === 'healthy' || node.status === 'degraded');
}

function indexByModel(nodes: readonly RouteNode[]): Map<string, RouteNode[]> {
  const index = new Map<string, RouteNode[]>();
  for (const node of nodes) {
    if (!node.enabled) continue;
    for (const model of node.installed) {
      const list = index.get(model);
      if (list) list.push(node);
      else index.set(model, [node]);
    }
  }
  return index;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
