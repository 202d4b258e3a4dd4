import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/runtime/redis.js';
import { parseRedisUrl } from '../../src/runtime/redis-url.js';
import { runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { type MeshOn, startMeshOn } from './mesh-on.js';
import {
  missingRedisTools,
  startRedisCluster,
  startRedisSentinel,
  type Topology,
} from './redis-topologies.js';

const missing = missingRedisTools();
if (missing && process.env.CI) throw new Error(`the Cluster and Sentinel tests need Redis tools: ${missing}`);

/** Kills `id` through the simulator and waits for the http recovery action to bring it back. */
async function killAndSeeRecovered(t: MeshOn, id: string): Promise<void> {
  await waitFor(async () => (await t.node(id)).status === 'healthy', `${id} healthy`, 15_000);
  await t.simulator.setMode(id, 'dead');
  await waitFor(async () => (await t.node(id)).status !== 'healthy', `${id} failing`);
  await waitFor(
    async () => {
      const node = await t.node(id);
      return node.status === 'healthy' && node.incidentId === null;
    },
    `${id} recovered by its http action`,
    20_000,
  );
}

function subjects(t: MeshOn): string[] {
  return t.smtp.mails.map((mail) => mail.subject);
}

describe.skipIf(missing !== null)('on a real 3-master Redis Cluster (redis+cluster://)', () => {
  let cluster: Topology;
  let t: MeshOn;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    t = await startMeshOn(cluster.url, 2);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await cluster?.stop();
  });

  it('wraps the prefix in a hash tag, so every key of the mesh lives in one slot', () => {
    expect(t.config.redis.prefix).toMatch(/^\{test-[0-9a-f]{8}\}$/);
  });

  it('checks the simulated nodes, and a killed node gets its alert e-mail, its recovery and its recovered e-mail', async () => {
    await waitFor(
      async () =>
        ((await (await fetch(`${t.service.server?.url}/api/mesh`)).json()) as { healthy: number }).healthy ===
        2,
      'both nodes healthy',
      15_000,
    );
    await killAndSeeRecovered(t, 'sim-1');
    await waitFor(
      () => subjects(t).some((subject) => subject.includes('INFO recovered')),
      'the recovered e-mail',
      15_000,
    );
    expect(
      subjects(t).some((subject) => subject.includes('ERROR unhealthy') && subject.includes('sim-1')),
    ).toBe(true);
    expect(t.logs.join('')).toContain('"kind":"recovery_started"');
  });

  it('answers /readyz, and duplicates its connection for pub/sub as the event stream does', async () => {
    expect((await fetch(`${t.service.server?.url}/readyz`)).status).toBe(200);
    const redis = connectRedis(cluster.url, { maxRetriesPerRequest: null });
    const subscriber = redis.duplicate({ connectionName: 'gpu-mesh:events' });
    try {
      const received = new Promise<string>((resolve) =>
        subscriber.on('message', (_channel, text) => resolve(text)),
      );
      await subscriber.subscribe(`${t.config.redis.prefix}:test-events`);
      await redis.publish(`${t.config.redis.prefix}:test-events`, 'hello');
      expect(await received).toBe('hello');
      expect(subscriber).toBeInstanceOf(Cluster);
    } finally {
      subscriber.disconnect();
      redis.disconnect();
    }
  });

  it('keeps every key it wrote (BullMQ queues, node state, alerting) in the prefix hash slot', async () => {
    const target = parseRedisUrl(cluster.url);
    if (target.mode !== 'cluster') throw new Error('not a cluster URL');
    const probe = new Cluster(target.nodes);
    try {
      const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', t.config.redis.prefix));
      const masters = probe.nodes('master');
      const keysPerMaster = await Promise.all(masters.map((node) => node.keys('*')));
      const keys = keysPerMaster.flat();
      const slots = await Promise.all(
        keys.map(async (key) => Number(await probe.call('CLUSTER', 'KEYSLOT', key))),
      );
      expect(masters).toHaveLength(3);
      expect(keys.length).toBeGreaterThan(10);
      expect(keys.some((key) => key.includes(':health-check:'))).toBe(true);
      expect(keys.some((key) => key.includes(':node:sim-1'))).toBe(true);
      expect(new Set(slots)).toEqual(new Set([slot]));
      expect(keysPerMaster.filter((onMaster) => onMaster.length > 0)).toHaveLength(1);
    } finally {
      probe.disconnect();
    }
  });

  it('serves `gpu-mesh status --json` from the cluster, and a second `start` process works beside it without a Redis error', async () => {
    const path = writeTempConfig(t.yaml);
    const status = await runCli(['status', '--json', '--config', path]);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ healthy: 2, total: 2 });

    const second = startCli(['start', '--role', 'scheduler,worker', '--config', path]);
    try {
      await waitFor(
        () => second.output().includes('check schedules in place'),
        'the second process up',
        15_000,
      );
      await killAndSeeRecovered(t, 'sim-2');
      expect(second.output()).not.toMatch(/CROSSSLOT|MOVED|ClusterAllFailed|non local key|"err":/);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});

describe.skipIf(missing !== null)('on a master watched by Redis Sentinel (redis+sentinel://)', () => {
  let sentinel: Topology;
  let t: MeshOn;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    t = await startMeshOn(sentinel.url, 1);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await sentinel?.stop();
  });

  it('finds the master through the sentinel, checks the node, and recovers it with alert e-mails', async () => {
    expect(t.config.redis.prefix).toMatch(/^test-[0-9a-f]{8}$/);
    await killAndSeeRecovered(t, 'sim-1');
    await waitFor(
      () => subjects(t).some((subject) => subject.includes('INFO recovered')),
      'the recovered e-mail',
      15_000,
    );
    const path = writeTempConfig(t.yaml);
    const status = await runCli(['status', '--json', '--config', path]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ healthy: 1, total: 1 });
  });
});
