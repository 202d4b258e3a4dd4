import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type RunningService, startService } from '../../src/main.js';
import { readWatchStates, watchStatesKey } from '../../src/mesh/watch-states.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { writeTempConfig } from '../helpers/cli.js';
import { meshYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { logLines, SLOW_SCHEDULE } from './support.js';

describe('the keep-alive watch across config reloads', () => {
  let simulator: Simulator;
  let service: RunningService;
  let path: string;
  const logs: string[] = [];
  const prefix = uniquePrefix();
  const redis = connectTestRedis();
  const ids = ['sim-1', 'sim-2', 'sim-3'];
  const yamlFor = (nodeIds: string[], extraYaml = '') => {
    const nodes = simulator.nodes.filter((n) => nodeIds.includes(n.id));
    return meshYaml(prefix, { ...simulator, nodes }, { checks: SLOW_SCHEDULE, extraYaml });
  };
  const states = async () => Object.fromEntries(await readWatchStates(redis, prefix, ids));
  const reportedIds = async () => Object.keys(await redis.hgetall(watchStatesKey(prefix))).sort();

  beforeAll(async () => {
    simulator = await startSimulator({ count: 3 });
    path = writeTempConfig(yamlFor(['sim-1', 'sim-2']));
    const load = async () => (await loadConfig({ path, env: {}, cwd: '/' })).config;
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    service = await startService({
      config: await load(),
      configSource: null,
      loadConfig: load,
      roles: ['scheduler', 'worker'],
      logger: pino({ level: 'info' }, sink),
    });
    await waitFor(async () => {
      const current = await states();
      return current['sim-1'] === 'connected' && current['sim-2'] === 'connected';
    }, 'sim-1 and sim-2 watched');
  });

  afterAll(async () => {
    await service?.close();
    await simulator?.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('watches an added node and closes the watch of a removed one', async () => {
    writeFileSync(path, yamlFor(['sim-2', 'sim-3']));
    await service.reload();
    await waitFor(async () => (await states())['sim-3'] === 'connected', 'sim-3 watched');
    await waitFor(async () => (await reportedIds()).join() === 'sim-2,sim-3', 'sim-1 no longer reported');
    await simulator.setMode('sim-1', 'dead');
    await simulator.setMode('sim-2', 'dead');
    await waitFor(() => logLines(logs, /^watch on sim-2 fired/).length === 1, 'sim-2 to fire');
    expect(logLines(logs, /^watch on sim-1 fired/)).toEqual([]);
    await simulator.setMode('sim-2', 'healthy');
    await waitFor(async () => (await states())['sim-2'] === 'connected', 'sim-2 watched again', 5000);
  });

  it('holds no connection and reports `off` once `keepalive.watch` is turned off', async () => {
    writeFileSync(path, yamlFor(['sim-2', 'sim-3'], 'keepalive: { watch: false }'));
    await service.reload();
    await waitFor(async () => {
      const current = await states();
      return current['sim-2'] === 'off' && current['sim-3'] === 'off';
    }, 'every watch off');
    const fired = logLines(logs, /^watch on/).length;
    await simulator.setMode('sim-3', 'dead');
    const killedAt = Date.now();
    await waitFor(() => Date.now() - killedAt >= 300, '300 ms after the kill', 1000, 50);
    expect(logLines(logs, /^watch on/)).toHaveLength(fired);
  });
});
