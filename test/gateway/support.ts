/**
 * A gateway in this process in front of simulated nodes, on its own prefix. The tests play the
 * mesh's part: they write each node's state with the store (as a check would), so the gateway
 * learns it the way it does in production (pushed on `<prefix>:routing`), while the simulator is
 * free to behave otherwise (a node the mesh still thinks healthy may be dead).
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import type { MeshConfig } from '../../src/config/types.js';
import { type RunningGateway, startGateway } from '../../src/gateway/service.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { applyCheck } from '../../src/mesh/state.js';
import { NodeStore } from '../../src/mesh/store.js';
import type { ProbeResult } from '../../src/mesh/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

export interface GatewayHarnessOptions {
  nodes?: number;
  /** Extra keys of `gateway:` in flow style, e.g. `route: affinity, attempts: 2`. */
  gateway?: string;
  /** Extra flow-style fields per node, e.g. `gateway: { maxInFlight: 1 }`. */
  nodeFields?: (nodeId: string) => string;
  /** The follower's and the load reporter's periods; short ones by default. */
  tuning?: { silencePollMs?: number; resyncMs?: number; loadEveryMs?: number };
}

export interface GatewayHarness {
  gateway: RunningGateway;
  simulator: Simulator;
  config: MeshConfig;
  prefix: string;
  redis: Redis;
  checkQueue: Queue;
  logs: string[];
  /** Writes a passing check of the node, with the models the simulator node has now. */
  markHealthy(nodeId: string): Promise<void>;
  /** Writes `count` failed checks of the node (1: degraded, 3: unhealthy). */
  markFailing(nodeId: string, count: number): Promise<void>;
  /** Waits until `/readyz` counts `count` nodes the gateway routes to. */
  waitForServing(count: number): Promise<void>;
  /** A request to the gateway. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** POST of a JSON body to the gateway. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

const THRESHOLDS = {
  degradedAfter: 1,
  unhealthyAfter: 3,
  healthyAfter: 1,
  deep: { every: 0, model: '', timeout: 1000, failAfter: 2 },
};

export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const prefix = uniquePrefix();
  const simulator = await startSimulator({ count: options.nodes ?? 3, controlPort: 0 });
  const yaml = [
    `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
    'checks: { retryInterval: 1s }',
    `gateway: { port: 0${options.gateway ? `, ${options.gateway}` : ''} }`,
    'nodes:',
    ...simulator.nodes.map((node) => {
      const extra = options.nodeFields?.(node.id);
      return `  - { id: ${node.id}, url: "${node.url}"${extra ? `, ${extra}` : ''} }`;
    }),
  ].join('\n');
  const { config } = parseConfigText(yaml, {}, 'test.yaml');
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  );
  const redis = connectTestRedis();
  const checkQueue = new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix });
  const store = new NodeStore(redis, prefix);
  let clock = Date.now();
  const write = (nodeId: string, result: ProbeResult) =>
    store.update(nodeId, (current) => {
      clock += 1;
      const outcome = applyCheck(nodeId, current, clock, result, THRESHOLDS);
      return { state: outcome.state, transitions: outcome.transitions, extra: null };
    });
  const gateway = await startGateway({
    config: () => config,
    redis,
    checkQueue,
    logger,
    tuning: options.tuning ?? { silencePollMs: 100, resyncMs: 2000, loadEveryMs: 200 },
  });
  const fetchGateway = (path: string, init?: RequestInit) => fetch(`${gateway.url}${path}`, init);
  const harness: GatewayHarness = {
    gateway,
    simulator,
    config,
    prefix,
    redis,
    checkQueue,
    logs,
    async markHealthy(nodeId) {
      const { installed, loaded } = simulator.models(nodeId);
      await write(nodeId, {
        ok: true,
        latencyMs: 5,
        version: '0.12.3',
        models: installed.length,
        installedModels: installed,
        loadedModels: loaded.map((name) => ({ name, size: 100, sizeVram: 100, expiresAt: null })),
        deep: null,
        signals: [],
      });
    },
    async markFailing(nodeId, count) {
      for (let i = 0; i < count; i++) {
        await write(nodeId, { ok: false, latencyMs: 1, failure: 'connection', error: 'refused', deep: null });
      }
    },
    async waitForServing(count) {
      await waitFor(async () => {
        const response = await fetchGateway('/readyz');
        const body = (await response.json()) as { nodes: number };
        return body.nodes === count;
      }, `the gateway to route to ${count} nodes`);
    },
    fetch: fetchGateway,
    post: (path, body, headers = {}) =>
      fetchGateway(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...headers },
      }),
    async stop() {
      await gateway.close();
      await simulator.close();
      await checkQueue.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
  return harness;
}

/** Marks every simulated node healthy and waits until the gateway routes to all of them. */
export async function allHealthy(harness: GatewayHarness): Promise<void> {
  for (const node of harness.simulator.nodes) await harness.markHealthy(node.id);
  await harness.waitForServing(harness.simulator.nodes.length);
}

export function nodeOf(response: Response): string | null {
  return response.headers.get('x-gpu-mesh-node');
}

/** The NDJSON lines of a body. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface HeldStream {
  node: string | null;
  /** What has come so far. */
  received(): string;
  /** Whether the gateway ended the answer (cleanly or not). */
  ended(): boolean;
  /** Disconnects, as a client that goes away does. */
  release(): void;
}

/**
 * A streamed request held open on a plain connection: resolves once its first chunk came. (A
 * fetch whose reader is cancelled keeps its connection open, which is not what leaving looks like.)
 */
export function holdStream(
  harness: GatewayHarness,
  prompt: string,
  path = '/api/generate',
  body: Record<string, unknown> = { model: 'llama3.2', prompt },
): Promise<HeldStream> {
  return new Promise((resolve, reject) => {
    let text = '';
    let ended = false;
    const req = http.request(`${harness.gateway.url}${path}`, { method: 'POST', agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        resolve({
          node: (res.headers['x-gpu-mesh-node'] as string | undefined) ?? null,
          received: () => text,
          ended: () => ended,
          release: () => req.destroy(),
        });
      });
      res.on('end', () => {
        ended = true;
      });
      res.on('error', () => {
        ended = true;
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
