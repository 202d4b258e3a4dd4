/**
 * `gpu-mesh start` while its Redis is down: what it writes (JSON lines only, a bounded number of
 * them) and how it stops (within its 9 s deadline; exit 1 when that cut the shutdown short).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../src/runtime/private-redis.js';
import { settlesWithin } from '../../src/runtime/shutdown.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type CliProcess, runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function startMesh(redisUrl: string, simulator: Simulator | null): CliProcess {
  const config = writeTempConfig(
    [
      `redis: { url: "${redisUrl}", prefix: ${uniquePrefix()} }`,
      'checks: { interval: 500ms, timeout: 400ms }',
      'keepalive: { interval: 1s, watch: false }',
      'server: { host: 127.0.0.1, port: 0 }',
      'nodes:',
      ...(simulator?.nodes ?? []).map((node) => `  - { id: ${node.id}, url: "${node.url}" }`),
      ...(simulator ? [] : ['  - { id: nowhere, url: "http://127.0.0.1:9" }']),
    ].join('\n'),
  );
  const mesh = startCli(['start', '--config', config]);
  cleanups.push(() => {
    if (mesh.child.exitCode === null && mesh.child.signalCode === null) mesh.child.kill('SIGKILL');
  });
  return mesh;
}

/** A running mesh whose Redis has just gone away (and said so in the log). */
async function meshWithRedisGone(): Promise<CliProcess> {
  const simulator = await startSimulator({ count: 2 });
  cleanups.push(() => simulator.close());
  const redis: PrivateRedis = await startPrivateRedis();
  cleanups.push(() => redis.stop());
  const mesh = startMesh(redis.url, simulator);
  // The last line of start-up: the server comes last.
  await waitFor(() => mesh.output().includes('server listening on'), 'the mesh to start', 15_000);
  await redis.stop();
  await waitFor(() => mesh.output().includes('is unreachable'), 'the outage to be noticed');
  return mesh;
}

function outputLines(mesh: CliProcess): string[] {
  return mesh
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** Each line parsed; a line that is not JSON (a stack trace, say) fails the test, quoted. */
function jsonLines(mesh: CliProcess): Record<string, unknown>[] {
  return outputLines(mesh).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON log line: ${line}`);
    }
  });
}

async function exitWithin(mesh: CliProcess, ms: number): Promise<{ code: number | null; tookMs: number }> {
  const asked = Date.now();
  const ended = await settlesWithin(mesh.exited, ms);
  if (!ended) throw new Error(`still running ${ms} ms later:\n${outputLines(mesh).slice(-10).join('\n')}`);
  return { code: await mesh.exited, tookMs: Date.now() - asked };
}

describe('gpu-mesh start while Redis is down', () => {
  it('logs the outage as JSON lines only, at most one error line per component, no stack traces', async () => {
    const mesh = await meshWithRedisGone();
    // Reconnect attempts come every 2 s at most: a few rounds of them, each an error per component.
    const since = Date.now();
    await waitFor(() => Date.now() - since > 6000, 'several reconnect attempts', 7000, 100);
    const lines = jsonLines(mesh);
    const perComponent = new Map<string, number>();
    for (const line of lines) {
      if (typeof line.component === 'string')
        perComponent.set(line.component, (perComponent.get(line.component) ?? 0) + 1);
    }
    for (const [component, count] of perComponent) expect(count, component).toBe(1);
    expect(lines.filter((line) => Number(line.level) >= 50).length).toBeLessThanOrEqual(25);
  });

  it('stops within 10 s of SIGTERM, with exit code 1 (its shutdown cut short)', async () => {
    const mesh = await meshWithRedisGone();
    mesh.child.kill('SIGTERM');
    const { code, tookMs } = await exitWithin(mesh, 10_000);
    expect(code).toBe(1);
    expect(tookMs).toBeLessThan(10_000);
    // Cut short by the deadline, or closed within it with parts that could not close (Redis gone).
    expect(jsonLines(mesh).at(-1)?.msg).toMatch(
      /^(shutdown cut short \(still not done after 9 s\)|gpu-mesh stopped, some parts not cleanly)/,
    );
  });

  it('stops at once on a second SIGTERM, with exit code 1', async () => {
    const mesh = await meshWithRedisGone();
    mesh.child.kill('SIGTERM');
    await waitFor(() => mesh.output().includes('SIGTERM: shutting down'), 'the shutdown to begin');
    mesh.child.kill('SIGTERM');
    const { code, tookMs } = await exitWithin(mesh, 10_000);
    expect(code).toBe(1);
    expect(tookMs).toBeLessThan(2000);
    expect(jsonLines(mesh).at(-1)?.msg).toMatch(/^shutdown cut short \(a second signal\)/);
  });

  it('stops at once on SIGTERM while start-up still waits for Redis, with exit code 0 and no stack traces', async () => {
    const mesh = startMesh(`redis://127.0.0.1:${await freePort()}`, null);
    await waitFor(() => mesh.output().includes('is unreachable'), 'start-up to wait for Redis');
    mesh.child.kill('SIGTERM');
    const { code, tookMs } = await exitWithin(mesh, 10_000);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(2000);
    const lines = outputLines(mesh);
    expect(lines.at(-1)).toBe('gpu-mesh: stopped before start-up finished');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line), line).not.toThrow();
  });
});

describe('gpu-mesh check while Redis is down', () => {
  it('says so in one line on stderr, exit 3, with no stack traces', async () => {
    const config = writeTempConfig('nodes:\n  - { id: lonely, url: "http://127.0.0.1:9" }\n');
    const result = await runCli(['check', 'lonely', '--config', config], {
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^gpu-mesh: check: Redis unreachable/),
    ]);
  });
});
