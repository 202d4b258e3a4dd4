import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { withGatewayInAll } from '../../src/cli/roles.js';
import { parseConfigText } from '../../src/config/load.js';
import { GatewayPortInUseError } from '../../src/gateway/errors.js';
import { startGateway } from '../../src/gateway/service.js';
import type { RunningService } from '../../src/main.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { startServiceFromYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let service: RunningService | null = null;
let simulator: Simulator | null = null;
const prefix = uniquePrefix();

afterEach(async () => {
  await service?.close();
  await simulator?.close();
  service = null;
  simulator = null;
  const redis = connectTestRedis();
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

describe('gpu-mesh start with the gateway role', () => {
  it('serves the mesh it checks: the models, generations, and which node answered', async () => {
    simulator = await startSimulator({ count: 2 });
    const yaml = [
      `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
      'checks: { interval: 1s, timeout: 500ms, retryInterval: 250ms }',
      'keepalive: { watch: false }',
      'gateway: { port: 0, route: round-robin }',
      'nodes:',
      ...simulator.nodes.map((node) => `  - { id: ${node.id}, url: "${node.url}" }`),
    ].join('\n');
    ({ service } = await startServiceFromYaml(yaml, { roles: ['scheduler', 'worker', 'gateway'] }));
    const url = service.gateway?.url ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The checks the mesh makes reach the gateway through Redis.
    await waitFor(
      async () => ((await (await fetch(`${url}/readyz`)).json()) as { nodes: number }).nodes === 2,
      'two nodes routed',
    );
    const tags = (await (await fetch(`${url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((model) => model.name)).toContain('llama3.2:latest');
    const answered = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'llama3.2',
          messages: [{ role: 'user', content: 'hi' }],
          stream: false,
        }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ message: { content: 'Pong!' }, done: true });
      answered.add(response.headers.get('x-gpu-mesh-node') ?? '');
    }
    expect(answered).toEqual(new Set(['sim-1', 'sim-2']));
  });

  it('refuses a gateway port that is taken', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const { config } = parseConfigText(
      `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }\ngateway: { port: ${port} }\nnodes: []`,
      {},
      'test.yaml',
    );
    const redis = connectTestRedis();
    const queue = new Queue('health-check', { connection: redis, prefix });
    try {
      await expect(
        startGateway({ config: () => config, redis, checkQueue: queue, logger: pino({ level: 'silent' }) }),
      ).rejects.toThrow(new GatewayPortInUseError(`gateway: port ${port} on 127.0.0.1 is already in use`));
    } finally {
      await queue.close();
      redis.disconnect();
      blocker.close();
    }
  });
});

describe('withGatewayInAll', () => {
  it('adds the gateway to `all` when gateway.enabled, and to nothing else', () => {
    const all = ['scheduler', 'worker', 'server'] as const;
    expect(withGatewayInAll('all', [...all], true)).toEqual([...all, 'gateway']);
    expect(withGatewayInAll('all', [...all], false)).toEqual([...all]);
    expect(withGatewayInAll('worker', ['worker'], true)).toEqual(['worker']);
  });
});
