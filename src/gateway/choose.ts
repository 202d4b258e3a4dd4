/**
 * Which node gets a request (docs/gateway.md "Choosing a node"). Pure: the nodes as the gateway knows them,
 * its own in-flight counts, and the request's model, key and turn in; one node (or why none) out.
 *
 * Tiers, best first: healthy with the model loaded, healthy cold, degraded loaded, degraded cold;
 * only the best tier that has a node is considered, so a request never pays a cold load another
 * node has already paid, and a degraded node serves only when no healthy one can. Within the
 * tier, the strategy picks.
 */
import { rendezvousScore } from './hash.js';
import type { RouteNode, RouteStrategy } from './types.js';

export interface RouteRequest {
  /** The model's full name (`fullModelName`). */
  model: string;
  strategy: RouteStrategy;
  /** `affinity`: the hash of the model and the prompt prefix. */
  keyHash: number;
  /** `affinity`: a node carrying more than this × its share of the in-flight requests is passed over. */
  maxLoad: number;
  /** `round-robin`: this request's number. */
  turn: number;
  /** Nodes this request has failed on already. */
  tried: ReadonlySet<string> | null;
}

export type Choice =
  | { kind: 'node'; node: RouteNode; warm: boolean }
  /** No enabled node has the model installed. */
  | { kind: 'unknown_model' }
  /** Some node has the model, none can take the request now. */
  | { kind: 'no_node' };

const NOT_ROUTABLE = -1;
const NO_TIER = 4;

/** The node's tier for `model` (0 best), or NOT_ROUTABLE. */
function tierOf(node: RouteNode, model: string, inFlight: number, tried: ReadonlySet<string> | null): number {
  if (node.silenced || tried?.has(node.id)) return NOT_ROUTABLE;
  if (node.maxInFlight > 0 && inFlight >= node.maxInFlight) return NOT_ROUTABLE;
  const cold = node.loaded.has(model) ? 0 : 1;
  if (node.status === 'healthy') return cold;
  if (node.status === 'degraded') return 2 + cold;
  return NOT_ROUTABLE;
}

export function chooseNode(
  nodes: readonly RouteNode[],
  inFlight: ReadonlyMap<string, number>,
  request: RouteRequest,
): Choice {
  const { model, tried } = request;
  let known = false;
  let best = NO_TIER;
  const tiers: number[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as RouteNode;
    tiers[i] = NOT_ROUTABLE;
    if (!node.enabled || !node.installed.has(model)) continue;
    known = true;
    const tier = tierOf(node, model, inFlight.get(node.id) ?? 0, tried);
    tiers[i] = tier;
    if (tier !== NOT_ROUTABLE && tier < best) best = tier;
  }
  if (!known) return { kind: 'unknown_model' };
  if (best === NO_TIER) return { kind: 'no_node' };
  const candidates: RouteNode[] = [];
  for (let i = 0; i < nodes.length; i++) if (tiers[i] === best) candidates.push(nodes[i] as RouteNode);
  const node = pick(candidates, inFlight, request);
  return { kind: 'node', node, warm: best % 2 === 0 };
}

function pick(
  candidates: RouteNode[],
  inFlight: ReadonlyMap<string, number>,
  request: RouteRequest,
): RouteNode {
  switch (request.strategy) {
    case 'least-busy':
      return leastBusy(candidates, inFlight);
    case 'affinity':
      return byAffinity(candidates, inFlight, request.keyHash, request.maxLoad);
    case 'round-robin':
      return candidates[request.turn % candidates.length] as RouteNode;
  }
}

/** Fewest in flight per unit of weight; ties: lower recent latency, then mesh.yaml order. */
export function leastBusy(
  candidates: readonly RouteNode[],
  inFlight: ReadonlyMap<string, number>,
): RouteNode {
  let best = candidates[0] as RouteNode;
  let bestLoad = (inFlight.get(best.id) ?? 0) / best.weight;
  for (let i = 1; i < candidates.length; i++) {
    const node = candidates[i] as RouteNode;
    const load = (inFlight.get(node.id) ?? 0) / node.weight;
    if (load < bestLoad || (load === bestLoad && latencyOf(node) < latencyOf(best))) {
      best = node;
      bestLoad = load;
    }
  }
  return best;
}

function latencyOf(node: RouteNode): number {
  return node.latencyMs ?? Number.POSITIVE_INFINITY;
}

/**
 * Rendezvous hashing with bounded loads: the node with the highest score for the key, unless
 * taking one more request would put it over `maxLoad` × its weighted share of the requests in
 * flight (counting this one, rounded up); then the next in score order that is not.
 */
export function byAffinity(
  candidates: readonly RouteNode[],
  inFlight: ReadonlyMap<string, number>,
  keyHash: number,
  maxLoad: number,
): RouteNode {
  let total = 0;
  let weights = 0;
  for (const node of candidates) {
    total += inFlight.get(node.id) ?? 0;
    weights += node.weight;
  }
  let owner = candidates[0] as RouteNode;
  let ownerScore = -1;
  let open: RouteNode | null = null;
  let openScore = -1;
  for (const node of candidates) {
    const score = rendezvousScore(keyHash, node.idHash, node.weight);
    if (score > ownerScore) {
      owner = node;
      ownerScore = score;
    }
    const capacity = Math.ceil((maxLoad * (total + 1) * node.weight) / weights);
    if ((inFlight.get(node.id) ?? 0) + 1 <= capacity && score > openScore) {
      open = node;
      openScore = score;
    }
  }
  return open ?? owner;
}
