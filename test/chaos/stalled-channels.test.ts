/**
 * Chaos: alert channels that accept a connection and then say nothing — an SMTP server that never
 * sends its greeting, a Slack endpoint that never answers. SPEC "Guarantees" 4: a failing channel
 * delays nothing else; its deliveries retry with backoff. Each delivery must end by the channel's
 * timeout, be tried again, and checks of the other nodes must keep their schedule meanwhile (a node
 * killed during the stall is still found unhealthy in time).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { startService } from '../../src/main.js';
import { NodeStore } from '../../src/mesh/store.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { writeTempConfig } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import {
  type ChaosRedis,
  type Cleanup,
  chaosYaml,
  openQueue,
  QUEUE_NAMES,
  runCleanups,
  startChaosRedis,
  startMesh,
  tail,
} from './support.js';

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const PREFIX = 'stall';
const INTERVAL_MS = 500;

/** One connection a stalled server accepted: when, and when the client gave up on it. */
interface Held {
  openedAt: number;
  closedAt: number | null;
}

interface StalledServer {
  port: number;
  held: Held[];
  close(): Promise<void>;
}

/** Accepts TCP connections and never sends a byte: an SMTP server stuck before its greeting. */
async function startSilentSmtp(): Promise<StalledServer> {
  const held: Held[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const entry: Held = { openedAt: Date.now(), closedAt: null };
    held.push(entry);
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      entry.closedAt = Date.now();
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    held,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads each request and never answers it: a Slack webhook that hangs. */
async function startSilentSlack(): Promise<StalledServer> {
  const held: Held[] = [];
  const pending = new Set<ServerResponse>();
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const entry: Held = { openedAt: Date.now(), closedAt: null };
    held.push(entry);
    pending.add(response);
    request.resume();
    response.on('close', () => {
      entry.closedAt = Date.now();
      pending.delete(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    held,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Stage {
  redis: ChaosRedis;
  simulator: Simulator;
  smtp: StalledServer;
  slack: StalledServer;
  yaml: string;
  store: NodeStore;
  notifyQueue: Queue;
  checks(ids: readonly string[]): Promise<number[]>;
}

/** `timeoutMs`: both channels' `timeout`, each delivery's total deadline. */
async function stage(timeoutMs: number): Promise<Stage> {
  const redis = await startChaosRedis(cleanups);
  const simulator = await startSimulator({ count: 4 });
  cleanups.push(() => simulator.close());
  const smtp = await startSilentSmtp();
  const slack = await startSilentSlack();
  cleanups.push(
    () => smtp.close(),
    () => slack.close(),
  );
  const yaml = chaosYaml(redis.url, PREFIX, simulator, [
    `checks: { interval: ${INTERVAL_MS}ms, retryInterval: 250ms, timeout: 1s }`,
    'keepalive: { interval: 2s, watch: false }',
    'server: { host: 127.0.0.1, port: 0 }',
    'alerts:',
    '  channels:',
    `    email: { minSeverity: WARNING, smtp: "smtp://127.0.0.1:${smtp.port}", from: "gpu-mesh@example.test", to: ["ops@example.test"], timeout: ${timeoutMs}ms }`,
    `    slack: { minSeverity: WARNING, webhookUrl: "http://127.0.0.1:${slack.port}/services/T0/B0/x", timeout: ${timeoutMs}ms }`,
  ]);
  const store = new NodeStore(redis.client, PREFIX);
  const notifyQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.notify);
  const checks = async (ids: readonly string[]) =>
    Promise.all(ids.map(async (id) => (await store.read(id)).state.checks));
  return { redis, simulator, smtp, slack, yaml, store, notifyQueue, checks };
}

/** How long each connection a stalled server held lasted, for those the client closed. */
function heldFor(server: StalledServer): number[] {
  return server.held.flatMap((h) => (h.closedAt === null ? [] : [h.closedAt - h.openedAt]));
}

function summary(values: readonly number[]): string {
  if (values.length === 0) return 'none';
  return `${values.length} (min ${Math.min(...values)} ms, max ${Math.max(...values)} ms)`;
}

describe('chaos: stalled alert channels', () => {
  it('bounds each delivery by the channel timeout and retries it, while checks keep their schedule', async () => {
    const timeoutMs = 1000;
    const s = await stage(timeoutMs);
    const { config } = parseConfigText(s.yaml, {}, 'stalled.yaml');
    const logs: string[] = [];
    const service = await startService({
      config,
      configSource: null,
      loadConfig: async () => config,
      roles: ['scheduler', 'worker'],
      logger: pino(
        { level: 'info' },
        new Writable({
          write(chunk, _encoding, done) {
            logs.push(chunk.toString());
            done();
          },
        }),
      ),
      // The delivery retries a test may set (mesh.yaml has no keys for them).
      alerting: {
        delivery: { attempts: 3, backoffMs: 200 },
        closeGraceMs: 500,
      },
    });
    cleanups.push(() => service.close());

    const steady = ['sim-2', 'sim-3', 'sim-4'];
    await waitFor(
      async () => (await s.checks(['sim-1', ...steady])).every((n) => n >= 1),
      'first checks',
      20_000,
      100,
    );
    // The stall begins: sim-1 dies, and its alerts go to channels that never answer.
    const stallStart = Date.now();
    const before = await s.checks(steady);
    await s.simulator.setMode('sim-1', 'dead');

    // Tried again: each stalled server sees a second connection for the same deliveries.
    await waitFor(
      async () => {
        const jobs = await s.notifyQueue.getJobs(['delayed', 'waiting', 'active', 'failed']);
        const retried = (channel: string) =>
          jobs.some((job) => job?.data.channel === channel && job.attemptsMade >= 1);
        return retried('email') && retried('slack') && s.smtp.held.length > 1 && s.slack.held.length > 1;
      },
      'deliveries to both stalled channels to be retried',
      20_000,
      100,
    );
    // A node killed in the middle of the stall is still found unhealthy in time: three failed
    // checks (one interval, then two retryIntervals), with room for a busy CI runner.
    const killedAt = Date.now();
    await s.simulator.setMode('sim-4', 'dead');
    await waitFor(
      async () => (await s.store.read('sim-4')).state.status === 'unhealthy',
      'sim-4 unhealthy during the stall',
      10_000,
      50,
    );
    const detectedAfter = Date.now() - killedAt;
    // Every try of the first deliveries ends: failed for good after 3 tries, each bounded.
    const failed = await waitFor(
      async () => {
        const jobs = await s.notifyQueue.getJobs(['failed']);
        const channels = new Set(jobs.map((job) => job?.data.channel));
        return channels.has('email') && channels.has('slack') ? jobs : null;
      },
      'a delivery per channel to fail for good',
      30_000,
      100,
    );
    const stallMs = Date.now() - stallStart;
    const after = await s.checks(['sim-2', 'sim-3']);
    const gained = after.map((n, i) => n - (before[i] ?? 0));

    console.log(
      [
        `stalled channels (in-process, channel timeout ${timeoutMs} ms, 3 tries, backoff 200 ms), stall watched for ${stallMs} ms`,
        `  SMTP connections accepted ${s.smtp.held.length}, closed by gpu-mesh after: ${summary(heldFor(s.smtp))}`,
        `  Slack requests received ${s.slack.held.length}, abandoned by gpu-mesh after: ${summary(heldFor(s.slack))}`,
        `  failed deliveries: ${failed.map((job) => `${job.name} (${job.attemptsMade} tries: ${job.failedReason})`).join('; ')}`,
        `  checks of sim-2, sim-3 during the stall: +${gained.join(', +')} (one per ${INTERVAL_MS} ms expected: ~${Math.floor(stallMs / INTERVAL_MS)})`,
        `  sim-4 killed during the stall, unhealthy after ${detectedAfter} ms`,
      ].join('\n'),
    );

    // Bounded: no try outlasted the timeout by more than scheduling slack.
    for (const ms of [...heldFor(s.smtp), ...heldFor(s.slack)]) expect(ms).toBeLessThan(timeoutMs + 1500);
    // Retried: the jobs that failed for good made all their tries, and said why.
    for (const job of failed) {
      expect(job.attemptsMade).toBe(3);
      expect(job.failedReason).toMatch(/time|abort/i);
    }
    expect(s.smtp.held.length).toBeGreaterThan(2);
    expect(s.slack.held.length).toBeGreaterThan(2);
    // On schedule: at least half the checks an undisturbed mesh would have made.
    for (const n of gained) expect(n).toBeGreaterThanOrEqual(Math.floor(stallMs / INTERVAL_MS / 2));
    expect(detectedAfter).toBeLessThan(8000);
  });

  it("with the channels' timeout from mesh.yaml, a gpu-mesh process gives up on each stalled try and schedules a retry", async () => {
    const timeoutMs = 3000;
    const s = await stage(timeoutMs);
    const mesh = startMesh(cleanups, ['--role', 'scheduler,worker', '--config', writeTempConfig(s.yaml)]);
    try {
      const steady = ['sim-2', 'sim-3'];
      await waitFor(
        async () => (await s.checks(['sim-1', ...steady])).every((n) => n >= 1),
        'first checks',
        20_000,
        100,
      );
      const stallStart = Date.now();
      const before = await s.checks(steady);
      await s.simulator.setMode('sim-1', 'dead');
      // The first try of each channel ends by its timeout; the job then waits its backoff (40 s).
      const delayed = await waitFor(
        async () => {
          const jobs = await s.notifyQueue.getJobs(['delayed']);
          const channels = new Set(
            jobs.filter((job) => job?.attemptsMade === 1).map((job) => job.data.channel),
          );
          return channels.has('email') && channels.has('slack') ? jobs : null;
        },
        'a first try per channel to time out and wait for its retry',
        25_000,
        200,
      );
      const stallMs = Date.now() - stallStart;
      const gained = (await s.checks(steady)).map((n, i) => n - (before[i] ?? 0));
      const retryIn = delayed.map((job) =>
        Math.round((job.timestamp + (job.delay ?? 0) - Date.now()) / 1000),
      );

      console.log(
        [
          `stalled channels (gpu-mesh process, channel timeout ${timeoutMs} ms), stall watched for ${stallMs} ms`,
          `  SMTP connections ${s.smtp.held.length}, closed by gpu-mesh after: ${summary(heldFor(s.smtp))}`,
          `  Slack requests ${s.slack.held.length}, abandoned by gpu-mesh after: ${summary(heldFor(s.slack))}`,
          `  waiting to retry: ${delayed.map((job) => `${job.name}: ${job.failedReason}`).join('; ')}`,
          `  checks of sim-2, sim-3 during the stall: +${gained.join(', +')} (~${Math.floor(stallMs / INTERVAL_MS)} expected)`,
        ].join('\n'),
      );

      const heldMs = [...heldFor(s.smtp), ...heldFor(s.slack)];
      expect(heldMs.length).toBeGreaterThanOrEqual(2);
      for (const ms of heldMs) {
        expect(ms).toBeGreaterThan(timeoutMs - 500);
        expect(ms).toBeLessThan(timeoutMs + 3000);
      }
      for (const job of delayed) expect(job.failedReason).toMatch(/time|abort/i);
      expect(retryIn.every((seconds) => seconds > 0)).toBe(true);
      for (const n of gained) expect(n).toBeGreaterThanOrEqual(Math.floor(stallMs / INTERVAL_MS / 2));
      expect(mesh.child.exitCode).toBeNull();
    } catch (error) {
      console.log(tail(mesh, 40));
      throw error;
    }
  });
});
