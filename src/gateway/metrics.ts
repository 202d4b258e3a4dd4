/**
 * The gateway's metrics (SPEC "Inference gateway"), in the gateway process's own prom-client
 * registry and served on the gateway's port at `/metrics`: they count what this process routed,
 * so each gateway process is scraped on its own (the server's `/metrics` reads the mesh from
 * Redis and knows nothing of requests). Counter children are kept per label set, so a request
 * costs a map lookup per count rather than prom-client's label hashing.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const OUTCOMES = [
  'ok',
  'client_error',
  'upstream_error',
  'failed_over',
  'no_node',
  'aborted',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const FIRST_BYTE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'node' | 'model' | 'outcome'>;
  private readonly failovers: Counter<'node'>;
  private readonly firstByte: Histogram<'node'>;
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly firstByteChildren = new Map<string, { observe(value: number): void }>();

  /** `inFlight`: each configured node with its requests in flight (0 included, so every node has a series). */
  constructor(inFlight: () => Iterable<readonly [string, number]>) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'gpu_mesh_gateway_requests_total',
      help: 'Requests through this gateway process by node, model and outcome (failed_over: an attempt that failed before its first byte and went on to another node)',
      labelNames: ['node', 'model', 'outcome'],
      registers,
    });
    this.failovers = new Counter({
      name: 'gpu_mesh_gateway_failovers_total',
      help: 'Attempts that failed on this node before their first byte and were sent to another node',
      labelNames: ['node'],
      registers,
    });
    this.firstByte = new Histogram({
      name: 'gpu_mesh_gateway_first_byte_seconds',
      help: "Seconds from sending a request to a node to the node's response headers (a cold load included)",
      labelNames: ['node'],
      buckets: FIRST_BYTE_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'gpu_mesh_gateway_in_flight',
      help: 'Requests this gateway process has in flight to each node',
      labelNames: ['node'],
      registers,
      collect() {
        this.reset();
        for (const [node, count] of inFlight()) this.set({ node }, count);
      },
    });
  }

  request(node: string, model: string, outcome: Outcome): void {
    const key = `${node}\u0000${model}\u0000${outcome}`;
    let child = this.requestChildren.get(key);
    if (child === undefined) {
      child = this.requests.labels(node, model, outcome);
      this.requestChildren.set(key, child);
    }
    child.inc();
  }

  failover(node: string): void {
    this.failovers.labels(node).inc();
  }

  firstByteSeconds(node: string, seconds: number): void {
    let child = this.firstByteChildren.get(node);
    if (child === undefined) {
      child = this.firstByte.labels(node);
      this.firstByteChildren.set(node, child);
    }
    child.observe(seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
