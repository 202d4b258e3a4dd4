/**
 * Chaos: an SMTP server that greets and then answers EHLO with `250-` continuation lines every
 * 300 ms, forever. No idle timeout ever fires, so each e-mail hangs until its channel's deadline
 * (here 60 s, longer than the case). SPEC guarantee 8: however many deliveries hang, other
 * channels' alerts and the heartbeat go out on time. With two dozen e-mails stuck, a node that
 * dies next still reaches the webhook (its ERROR) and Slack (its CRITICAL) within seconds, and the
 * heartbeat keeps its rate.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { startService } from '../../src/main.js';
import { NodeStore } from '../../src/mesh/store.js';
import { startSimulator } from '../../src/simulator/index.js';
import { startTricklingSmtp } from '../alerts/helpers.js';
import { bodies, startHttpReceiver } from '../alerts/support.js';
import { waitFor } from '../helpers/wait.js';
import { type Cleanup, chaosYaml, openQueue, QUEUE_NAMES, runCleanups, startChaosRedis } from './support.js';

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

const PREFIX = 'stalled-smtp';
const HEARTBEAT_MS = 500;
const CRITICAL_AFTER_MS = 2000;
/** Nodes whose alerts fill the e-mail channel: degraded, unhealthy and down_too_long each. */
const STUCK = ['sim-1', 'sim-2', 'sim-3', 'sim-4', 'sim-5', 'sim-6', 'sim-7', 'sim-8'];
const LATE = 'sim-9';

describe('chaos: a stalled SMTP server', () => {
  it('with two dozen e-mails hanging, a new incident still reaches the webhook and Slack within seconds, and the heartbeat keeps its rate', async () => {
    const redis = await startChaosRedis(cleanups);
    const simulator = await startSimulator({ count: 12 });
    cleanups.push(() => simulator.close());
    const smtp = await startTricklingSmtp(300);
    const [slack, webhook, heartbeat] = await Promise.all([
      startHttpReceiver(),
      startHttpReceiver(),
      startHttpReceiver(),
    ]);
    cleanups.push(
      () => smtp.close(),
      () => slack.close(),
      () => webhook.close(),
      () => heartbeat.close(),
    );
    const yaml = chaosYaml(redis.url, PREFIX, simulator, [
      'checks: { interval: 500ms, retryInterval: 250ms, timeout: 1s }',
      'keepalive: { interval: 2s, watch: false }',
      `heartbeat: { url: "${heartbeat.origin}/ping", interval: ${HEARTBEAT_MS}ms }`,
      'server: { host: 127.0.0.1, port: 0 }',
      'alerts:',
      `  criticalAfter: ${CRITICAL_AFTER_MS}ms`,
      // Each node alerts on its own, however many fail together.
      '  massFailure: { ratio: 0.5, minNodes: 1000 }',
      '  channels:',
      `    email: { minSeverity: WARNING, smtp: "smtp://127.0.0.1:${smtp.port}", from: "gpu-mesh@example.test", to: ["ops@example.test"], timeout: 60s }`,
      `    slack: { minSeverity: CRITICAL, webhookUrl: "${slack.origin}/services/T0/B0/x" }`,
      `    webhook: { minSeverity: ERROR, url: "${webhook.origin}/hook" }`,
    ]);
    const { config } = parseConfigText(yaml, {}, 'stalled-smtp.yaml');
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
      // Production's notify concurrency and retries; only shutdown is hurried.
      alerting: { closeGraceMs: 500 },
    });
    cleanups.push(() => service.close());
    const store = new NodeStore(redis.client, PREFIX);
    const notifyQueue = openQueue(cleanups, redis.client, PREFIX, QUEUE_NAMES.notify);
    const pendingEmails = async () =>
      (await notifyQueue.getJobs(['active', 'waiting', 'delayed', 'prioritized'])).filter(
        (job) => job?.data.channel === 'email',
      ).length;

    try {
      await waitFor(
        async () =>
          (await Promise.all(simulator.nodes.map(async (n) => (await store.read(n.id)).state.checks))).every(
            (checks) => checks >= 1,
          ),
        'first checks',
        20_000,
        100,
      );
      await waitFor(() => heartbeat.requests.length >= 1, 'the first heartbeat', 10_000, 50);

      // The stall: eight nodes die, and their 24 e-mails hang on the trickling server.
      await Promise.all(STUCK.map((id) => simulator.setMode(id, 'dead')));
      await waitFor(async () => (await pendingEmails()) >= 20, '20+ e-mails stuck', 20_000, 100);
      await waitFor(
        () => STUCK.every((id) => slack.accepted.some((r) => r.body.includes(`(${id})`))),
        "the stuck nodes' down_too_long to reach Slack",
        15_000,
        100,
      );
      const stallStart = Date.now();
      const pingsBefore = heartbeat.requests.length;
      const stuckEmails = await pendingEmails();

      // A new incident while the e-mails hang.
      await simulator.setMode(LATE, 'dead');
      await waitFor(
        async () => (await store.read(LATE)).state.status === 'unhealthy',
        `${LATE} unhealthy`,
        10_000,
        25,
      );
      const unhealthyAt = Date.now();
      await waitFor(
        () => bodies(webhook.accepted).some((alert) => alert.nodeId === LATE && alert.kind === 'unhealthy'),
        `${LATE}'s ERROR at the webhook`,
        5000,
        25,
      );
      const errorAfter = Date.now() - unhealthyAt;
      await waitFor(
        () => slack.accepted.some((r) => r.body.includes('down_too_long') && r.body.includes(`(${LATE})`)),
        `${LATE}'s CRITICAL in Slack`,
        CRITICAL_AFTER_MS + 5000,
        25,
      );
      const criticalAfter = Date.now() - unhealthyAt;
      // Watch the heartbeat for a dozen of its intervals into the stall.
      await waitFor(() => Date.now() - stallStart >= 12 * HEARTBEAT_MS, 'a longer stall', 10_000, 50);
      const stallMs = Date.now() - stallStart;
      const pings = heartbeat.requests.length - pingsBefore;

      console.log(
        [
          `stalled SMTP (in-process, notify concurrency 16, e-mail timeout 60 s): ${stuckEmails} e-mails pending, watched for ${stallMs} ms`,
          `  SMTP connections open ${smtp.open()} of ${smtp.connections.length} opened, replies trickled ${smtp.connections.reduce((n, c) => n + c.lines, 0)} lines`,
          `  ${LATE} unhealthy -> its ERROR at the webhook after ${errorAfter} ms, its down_too_long in Slack after ${criticalAfter} ms (criticalAfter ${CRITICAL_AFTER_MS} ms)`,
          `  heartbeat pings during the stall: ${pings} (one per ${HEARTBEAT_MS} ms: ~${Math.floor(stallMs / HEARTBEAT_MS)})`,
        ].join('\n'),
      );

      expect(stuckEmails).toBeGreaterThanOrEqual(20);
      // Still stuck: no e-mail got through, none of their connections ended.
      expect(smtp.open()).toBe(smtp.connections.length);
      expect(errorAfter).toBeLessThan(5000);
      expect(criticalAfter).toBeLessThan(CRITICAL_AFTER_MS + 5000);
      expect(pings).toBeGreaterThanOrEqual(Math.floor(stallMs / HEARTBEAT_MS / 2));
    } catch (error) {
      console.log(logs.slice(-40).join(''));
      throw error;
    }
  });
});
