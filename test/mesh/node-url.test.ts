/**
 * A node reached through a proxy with Basic auth (`http://user:pass@host`): its user:password is
 * used to check it and shown nowhere — not by the API, the event stream, `status --json`, or the
 * node list the scheduler writes to Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshView, NodeView } from '../../src/mesh/view.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { runCli, writeTempConfig } from '../helpers/cli.js';
import { startServiceFromYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const USER = 'proxy-user';
const PASSWORD = 'proxy-pw-6f3a91';

describe('a node URL with user:password', () => {
  const prefix = uniquePrefix();
  const redis = connectTestRedis();
  let simulator: Simulator;
  let service: Awaited<ReturnType<typeof startServiceFromYaml>>['service'];
  let yaml: string;
  let plainUrl: string;

  beforeAll(async () => {
    simulator = await startSimulator({ count: 1 });
    const [sim] = simulator.nodes;
    if (!sim) throw new Error('no simulated node');
    plainUrl = sim.url;
    const withAuth = sim.url.replace('http://', `http://${USER}:${PASSWORD}@`);
    yaml = [
      `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
      'checks: { interval: 1s, retryInterval: 250ms, timeout: 500ms }',
      'server: { host: 127.0.0.1, port: 0 }',
      'nodes:',
      `  - { id: ${sim.id}, url: "${withAuth}" }`,
    ].join('\n');
    ({ service } = await startServiceFromYaml(yaml));
  });

  afterAll(async () => {
    await service?.close();
    await simulator?.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  const api = async <T>(path: string) =>
    (await (await fetch(`${service.server?.url ?? ''}${path}`)).json()) as T;

  it('is checked with its credentials, and shown without them by /api/mesh and /api/nodes/:id', async () => {
    const mesh = await waitFor(async () => {
      const read = await api<MeshView>('/api/mesh');
      return read.nodes[0]?.status === 'healthy' ? read : null;
    }, 'the node healthy');
    expect(mesh.nodes[0]?.url).toBe(plainUrl);
    const node = await api<NodeView>('/api/nodes/sim-1');
    expect(node.url).toBe(plainUrl);
    expect(JSON.stringify([mesh, node])).not.toMatch(new RegExp(`${USER}|${PASSWORD}`));
  });

  it('is written to the Redis node list without them', async () => {
    const list = await waitFor(() => redis.get(`${prefix}:nodes`), 'the published node list');
    expect(JSON.parse(list)).toEqual([expect.objectContaining({ id: 'sim-1', url: plainUrl })]);
    expect(list).not.toMatch(new RegExp(`${USER}|${PASSWORD}`));
  });

  it('is sent on the event stream without them', async () => {
    const abort = new AbortController();
    const response = await fetch(`${service.server?.url ?? ''}/api/events`, { signal: abort.signal });
    let received = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      received += decoder.decode(chunk, { stream: true });
      if (/event: node\ndata: .*\n\n/.test(received)) break;
    }
    abort.abort();
    expect(received).toContain(`"url":"${plainUrl}"`);
    expect(received).not.toMatch(new RegExp(`${USER}|${PASSWORD}`));
  });

  it('is printed by status --json without them', async () => {
    const result = await runCli(['status', '--json', '--config', writeTempConfig(yaml)]);
    expect(JSON.parse(result.stdout).nodes[0].url).toBe(plainUrl);
    expect(result.stdout).not.toMatch(new RegExp(`${USER}|${PASSWORD}`));
  });
});
