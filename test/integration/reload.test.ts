import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { CheckSchedule } from '../../src/jobs/schedules.js';
import { type RunningService, startService } from '../../src/main.js';
import { NodeStore } from '../../src/mesh/store.js';
import { freePort, startPrivateRedis } from '../../src/runtime/private-redis.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { startCli, writeTempConfig } from '../helpers/cli.js';
import { meshYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('editing mesh.yaml while running', () => {
  let simulator: Simulator;
  let service: RunningService;
  let path: string;
  const prefix = uniquePrefix();
  const redis = connectTestRedis();

  const schedulerIds = async () => (await new CheckSchedule(redis, prefix).scheduledIds()).sort();
  const yamlFor = (ids: string[]) => {
    const nodes = simulator.nodes.filter((n) => ids.includes(n.id));
    return meshYaml(prefix, { ...simulator, nodes }, {});
  };

  beforeAll(async () => {
    simulator = await startSimulator({ count: 3 });
    path = writeTempConfig(yamlFor(['sim-1', 'sim-2']));
    const load = async () => (await loadConfig({ path, env: {}, cwd: '/' })).config;
    service = await startService({
      config: await load(),
      configSource: path,
      loadConfig: load,
      roles: ['scheduler', 'worker'],
      logger: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    await service?.close();
    await simulator?.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('adds and removes node schedules without a restart', async () => {
    expect(await schedulerIds()).toEqual(['sim-1', 'sim-2']);
    writeFileSync(path, yamlFor(['sim-2', 'sim-3']));
    await waitFor(async () => (await schedulerIds()).join() === 'sim-2,sim-3', 'schedules follow the file');
    await waitFor(() => (simulator.requests('sim-3')['/api/version'] ?? 0) > 0, 'the new node checked');
  });

  it('refuses an invalid edit and keeps the running config', async () => {
    writeFileSync(path, `${yamlFor(['sim-2'])}\nbogus: 1\n`);
    await service.reload();
    expect(service.config().nodes.map((n) => n.id)).toEqual(['sim-2', 'sim-3']);
    expect(await schedulerIds()).toEqual(['sim-2', 'sim-3']);
  });
});

describe('a Redis that is down at start', () => {
  it('is waited for with a clear log line, then the mesh carries on', async () => {
    const port = await freePort();
    const path = writeTempConfig(
      `redis: { url: "redis://127.0.0.1:${port}", prefix: ${uniquePrefix()} }\nnodes: []\n`,
    );
    const gpuMesh = startCli(['start', '--role', 'scheduler,worker', '--config', path]);
    try {
      await waitFor(() => gpuMesh.output().includes('is unreachable'), 'the unreachable line');
      const redis = await startPrivateRedis({ port });
      try {
        await waitFor(
          () => gpuMesh.output().includes('check schedules in place'),
          'startup to finish',
          15_000,
        );
        expect(gpuMesh.child.exitCode).toBeNull();
      } finally {
        gpuMesh.child.kill('SIGTERM');
        expect(await gpuMesh.exited).toBe(0);
        await redis.stop();
      }
    } finally {
      gpuMesh.child.kill('SIGKILL');
    }
  });
});

describe('a node removed from mesh.yaml', () => {
  it('leaves nothing behind in Redis, and starts over when added again', async () => {
    const simulator = await startSimulator({ count: 2 });
    const prefix = uniquePrefix();
    const redis = connectTestRedis();
    const yamlFor = (ids: string[]) =>
      meshYaml(prefix, { ...simulator, nodes: simulator.nodes.filter((n) => ids.includes(n.id)) }, {});
    const path = writeTempConfig(yamlFor(['sim-1', 'sim-2']));
    const load = async () => (await loadConfig({ path, env: {}, cwd: '/' })).config;
    const service = await startService({
      config: await load(),
      configSource: path,
      loadConfig: load,
      roles: ['scheduler', 'worker'],
      logger: pino({ level: 'silent' }),
    });
    const keysOf = async (id: string) => {
      const keys = (await redis.keys(`${prefix}:*`)).filter((key) => key.endsWith(`:${id}`));
      const fields = await redis.hkeys(`${prefix}:metrics:counters`);
      return [...keys, ...fields.filter((field) => field.includes(`|${id}|`))].sort();
    };
    const checksOf = async (id: string) => (await new NodeStore(redis, prefix).read(id)).state.checks;
    try {
      await redis.set(`${prefix}:silence:sim-2`, JSON.stringify({ until: 'x', reason: 'r' }), 'PX', 60_000);
      await waitFor(async () => (await checksOf('sim-2')) >= 3, 'sim-2 checked three times');
      expect(await keysOf('sim-2')).toEqual(
        expect.arrayContaining([
          `${prefix}:node:sim-2`,
          `${prefix}:history:sim-2`,
          `${prefix}:silence:sim-2`,
        ]),
      );

      writeFileSync(path, yamlFor(['sim-1']));
      await service.reload();
      await waitFor(async () => (await keysOf('sim-2')).length === 0, 'sim-2 forgotten', 5_000);
      expect(await keysOf('sim-1')).not.toEqual([]);

      writeFileSync(path, yamlFor(['sim-1', 'sim-2']));
      await service.reload();
      await waitFor(async () => (await checksOf('sim-2')) >= 1, 'sim-2 checked again');
      expect(await checksOf('sim-2')).toBeLessThan(3);
    } finally {
      await service.close();
      await simulator.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
