/**
 * `gpu-mesh start --demo` as a user runs it: the simulated nodes heal through their restart hook
 * (an `http` action on the simulator's control endpoint), and a taken port is one line and exit 2.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/types.js';
import { freePort } from '../../src/runtime/private-redis.js';
import { type CliProcess, runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** Listens on `port` (127.0.0.1), or null when it is taken. */
function hold(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** P such that P-1 .. P+2 (control endpoint and three nodes) are free now. */
async function freeDemoPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const held = await Promise.all([0, 1, 2, 3].map((i) => hold(first + i)));
    await Promise.all(held.map((s) => s && new Promise((r) => s.close(() => r(null)))));
    if (held.every((s) => s !== null)) return first + 1;
  }
  throw new Error('no four free ports in a row');
}

async function mode(control: string, node: string, value?: string): Promise<string> {
  if (value !== undefined) {
    const res = await fetch(`${control}/nodes/${node}/mode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: value }),
    });
    expect(res.status).toBe(204);
    return value;
  }
  const nodes = (await (await fetch(`${control}/nodes`)).json()) as { id: string; mode: string }[];
  return nodes.find((n) => n.id === node)?.mode ?? 'missing';
}

describe('gpu-mesh start --demo', () => {
  const prefix = uniquePrefix();
  let env: Record<string, string>;
  let configPath: string;
  let demoPort: number;
  let serverPort: number;
  let demo: CliProcess;

  beforeAll(async () => {
    serverPort = await freePort();
    const gatewayPort = await freePort();
    demoPort = await freeDemoPort();
    configPath = writeTempConfig(`server:\n  port: ${serverPort}\ngateway:\n  port: ${gatewayPort}\n`);
    env = { REDIS_URL: testRedisUrl(), GPU_MESH_PREFIX: prefix };
    demo = startCli(['start', '--demo', '--demo-port', String(demoPort), '--config', configPath], env);
    await waitFor(() => demo.output().includes('demo: kill sim-2 with:'), 'the demo started', 20_000);
  });

  afterAll(async () => {
    demo?.child.kill('SIGKILL');
    const redis = connectTestRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('prints the curl that kills sim-2, on the control endpoint before the first node port', () => {
    expect(demo.output()).toContain(
      `demo: kill sim-2 with: curl -X POST http://127.0.0.1:${demoPort - 1}/nodes/sim-2/mode -H 'content-type: application/json' -d '{"mode":"dead"}'`,
    );
  });

  it('heals a killed node by itself: degraded, unhealthy, recovery_started, recovered', async () => {
    const control = `http://127.0.0.1:${demoPort - 1}`;
    await waitFor(() => demo.output().includes('(sim-2) is healthy'), 'sim-2 healthy first', 15_000);
    const killed = Date.now();
    await mode(control, 'sim-2', 'dead');
    const alerts = await waitFor(
      async () => {
        const result = await runCli(['alerts', '--json', '--config', configPath], env);
        const list = JSON.parse(result.stdout) as Alert[];
        return list.some((a) => a.nodeId === 'sim-2' && a.kind === 'recovered') ? list : null;
      },
      'sim-2 recovered',
      30_000,
      250,
    );
    const tookMs = Date.now() - killed;
    const kinds = alerts
      .filter((a) => a.nodeId === 'sim-2')
      .reverse()
      .map((a) => a.kind);
    expect(kinds).toEqual(['degraded', 'unhealthy', 'recovery_started', 'recovered']);
    expect(await mode(control, 'sim-2')).toBe('healthy');
    const status = await runCli(['status', '--json', '--config', configPath], env);
    expect(status.code).toBe(0);
    expect(demo.output()).toContain('(sim-2) recovered');
    console.log(`demo: sim-2 killed -> recovered alert seen in ${tookMs} ms`);
    expect(tookMs).toBeLessThan(20_000);
  }, 40_000);

  it('refuses a second demo on the same demo ports: one line naming the port, exit 2', async () => {
    const other = writeTempConfig(
      `server:\n  port: ${await freePort()}\ngateway:\n  port: ${await freePort()}\n`,
    );
    const result = await runCli(['start', '--demo', '--demo-port', String(demoPort), '--config', other], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `gpu-mesh: demo: port ${demoPort} (sim-1 on 127.0.0.1) is already in use; pick other ports with --demo-port P or GPU_MESH_DEMO_PORT=P (nodes on P..P+2, control endpoint on P-1)\n`,
    );
  });

  it('names the control endpoint port when only that one is taken (GPU_MESH_DEMO_PORT)', async () => {
    const taken = await freeDemoPort();
    const blocker = await hold(taken - 1);
    try {
      const result = await runCli(['start', '--demo', '--config', configPath], {
        ...env,
        GPU_MESH_DEMO_PORT: String(taken),
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(
        `demo: port ${taken - 1} (simulator control on 127.0.0.1) is already in use`,
      );
    } finally {
      blocker?.close();
    }
  });

  it('refuses a taken server port: one line naming it and how to pick another, exit 2', async () => {
    const result = await runCli(
      ['start', '--demo', '--demo-port', String(await freeDemoPort()), '--config', configPath],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `gpu-mesh: server: port ${serverPort} on 127.0.0.1 is already in use; pick another with server.port in mesh.yaml\n`,
    );
  });
});
