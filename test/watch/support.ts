/** Helpers of the keep-alive watch tests: a loopback TCP proxy, a mesh behind it, what the watch did. */
import net from 'node:net';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import type { NodeView } from '../../src/mesh/view.js';
import { metricsCountersKey } from '../../src/metrics/keys.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { watchTriggeredField } from '../../src/watch/reports.js';
import type { TestMesh } from '../helpers/mesh.js';
import { meshYaml, startServiceFromYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';

/** interval 30 s: without the watch, nothing notices a death for up to 30 s. */
export const SLOW_SCHEDULE = '  interval: 30s\n  retryInterval: 250ms\n  timeout: 500ms\n  unhealthyAfter: 3';

export interface TcpProxy {
  url: string;
  /** Connections the proxy closed for being idle. */
  idleCloses(): number;
  /** Closes every connection through the proxy now (the node behind stays up). */
  dropAll(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `targetUrl`, closing any connection idle for `idleCloseMs`
 * (both sides), as a load balancer's idle timeout does.
 */
export async function startTcpProxy(targetUrl: string, idleCloseMs = 0): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const open = new Set<net.Socket>();
  let idleCloses = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
    open.add(client);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
    };
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.pipe(upstream);
    upstream.pipe(client);
    if (idleCloseMs > 0) {
      client.setTimeout(idleCloseMs, () => {
        idleCloses++;
        closeBoth();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    idleCloses: () => idleCloses,
    dropAll: () => {
      for (const client of open) client.destroy();
    },
    close: async () => {
      for (const client of open) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A mesh (scheduler, worker, server in this process) whose nodes are reached at `urlOf(node)`. */
export async function startMeshAt(
  count: number,
  urlOf: (simulator: Simulator, nodeId: string) => Promise<string>,
  checks = SLOW_SCHEDULE,
): Promise<TestMesh & { closeExtra: (() => Promise<void>)[] }> {
  const prefix = uniquePrefix();
  const simulator = await startSimulator({ count });
  const nodes = await Promise.all(
    simulator.nodes.map(async (node) => ({ ...node, url: await urlOf(simulator, node.id) })),
  );
  const yaml = meshYaml(prefix, { ...simulator, nodes }, { checks });
  const { service, config, logs } = await startServiceFromYaml(yaml);
  const closeExtra: (() => Promise<void>)[] = [];
  return {
    service,
    simulator,
    config,
    prefix,
    logs,
    closeExtra,
    async stop() {
      await service.close();
      for (const close of closeExtra) await close();
      await simulator.close();
      const redis = connectTestRedis();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function nodeJson(t: TestMesh, id: string): Promise<NodeView> {
  const response = await fetch(`${t.service.server?.url}/api/nodes/${id}`);
  return (await response.json()) as NodeView;
}

/** The watch-triggered checks counted for `nodeId` (the metrics counter). */
export async function triggeredCount(redis: Redis, prefix: string, nodeId: string): Promise<number> {
  return Number((await redis.hget(metricsCountersKey(prefix), watchTriggeredField(nodeId))) ?? 0);
}

/** `health-check` jobs with reason `watch`, by node, whatever their state. */
export async function watchJobsByNode(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const queue = new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix });
  try {
    const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized']);
    const counts = new Map<string, number>();
    for (const job of jobs) {
      const data = job?.data as { nodeId?: string; reason?: string } | undefined;
      if (data?.reason === 'watch' && data.nodeId)
        counts.set(data.nodeId, (counts.get(data.nodeId) ?? 0) + 1);
    }
    return counts;
  } finally {
    await queue.close();
  }
}

/** `name: reason` of every failed `health-check` job. */
export async function failedChecks(redis: Redis, prefix: string): Promise<string[]> {
  const queue = new Queue(QUEUE_NAMES.healthCheck, { connection: redis, prefix });
  try {
    const jobs = await queue.getJobs(['failed']);
    return jobs.flatMap((job) => (job ? [`${job.name}: ${job.failedReason}`] : []));
  } finally {
    await queue.close();
  }
}

/** Parsed JSON log lines whose message matches. */
export function logLines(logs: readonly string[], match: RegExp): { msg: string; time: number }[] {
  return logs
    .map((line) => JSON.parse(line) as { msg: string; time: number })
    .filter((line) => match.test(line.msg));
}
