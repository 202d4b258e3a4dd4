/**
 * The inference gateway's words (docs/gateway.md).
 *
 * - route node: what one gateway process knows of a node: its settings (mesh.yaml) and the state
 *   the mesh last pushed (status, silence, models installed and loaded, latency).
 * - routable: enabled, not silenced, healthy (degraded as a last resort), the model installed, and
 *   below its `maxInFlight`.
 * - warm: the model is loaded on the node per its last `/api/ps`; a warm node answers within
 *   `headerTimeout.warm`, a cold one may take `headerTimeout.cold` to load the model first.
 * - in flight: requests this gateway process has sent to a node and not finished.
 * - attempt: one try of a request on one node, before its first byte; a failed one fails over.
 * - first byte: the node's response has started (its headers went to the client); from there on
 *   nothing is retried.
 */
import type { NodeStatus } from '../mesh/types.js';

export interface RouteNode {
  id: string;
  /** The node's base URL, credentials included (never shown). */
  url: string;
  enabled: boolean;
  /** Relative capacity (`nodes[].gateway.weight`). */
  weight: number;
  /** 0 = no cap. */
  maxInFlight: number;
  status: NodeStatus;
  silenced: boolean;
  /** Model names as `/api/tags` lists them, each with its tag (`llama3.2:latest`). */
  installed: ReadonlySet<string>;
  /** Model names resident in memory per the last `/api/ps`. */
  loaded: ReadonlySet<string>;
  /** The last check's latency, for least-busy's ties; null before the first. */
  latencyMs: number | null;
  /** A number of the node's id, mixed with a request's hash for rendezvous hashing. */
  idHash: number;
}

/** How requests are spread among the nodes that qualify (`gateway.route`). */
export type RouteStrategy = 'least-busy' | 'affinity' | 'round-robin';
