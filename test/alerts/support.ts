/**
 * What the alerting integration tests share: a real SMTP server and HTTP receivers that count
 * what they get, gpu-mesh instances (one or several on one prefix) against simulated nodes with
 * captured logs, and waits on Redis state — never bare sleeps.
 */
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { AlertHistory } from '../../src/alerts/history.js';
import { alertJobId } from '../../src/alerts/routing.js';
import type { Alert } from '../../src/alerts/types.js';
import { parseConfigText } from '../../src/config/load.js';
import type { MeshConfig } from '../../src/config/types.js';
import type { AlertOutcome } from '../../src/jobs/alert.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { type RunningService, startService } from '../../src/main.js';
import { NodeStore } from '../../src/mesh/store.js';
import type { NodeStatus } from '../../src/mesh/types.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { type Alerting, type AlertingTuning, startAlerting } from '../../src/workers/alerting.js';
import { type CliProcess, startCli, writeTempConfig } from '../helpers/cli.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type ReceivedRequest, startHttpServer } from './helpers.js';

export const SMTP_USER = 'alerts@example.test';
export const SMTP_PASSWORD = 'sm7p-Pa55word-XYZ';
export const SLACK_TOKEN = 'T0SECRET/B0SECRET/slackTokenXYZ';
export const WEBHOOK_TOKEN = 'webhook-secret-token-XYZ';
export const WEBHOOK_AUTH = 'Bearer header-secret-XYZ';

export interface Mail {
  subject: string;
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback, AUTH required: with STARTTLS and a self-signed certificate, or
 * (`plain`) without TLS, for a gpu-mesh process that cannot be told to accept that certificate.
 */
export async function startSmtpReceiver(plain = false): Promise<SmtpReceiver> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    ...(plain ? { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 100,
    logger: false,
    onAuth(login, _session, callback) {
      if (login.username === SMTP_USER && login.password === SMTP_PASSWORD)
        callback(null, { user: SMTP_USER });
      else callback(new Error('bad credentials'));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ subject: /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? '', raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface HttpReceiver {
  origin: string;
  /** Every request received, answered well or not. */
  requests: ReceivedRequest[];
  /** The requests answered 2xx. */
  accepted: ReceivedRequest[];
  /** What the next requests are answered with. */
  status: number;
  close(): Promise<void>;
}

/** An HTTP server standing in for Slack or a webhook receiver; set `status` to make it fail. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    origin: '',
    requests: [],
    accepted: [],
    status: 200,
    close: async () => {},
  };
  const server = await startHttpServer((request: ReceivedRequest, response: ServerResponse) => {
    const status = receiver.status;
    receiver.requests.push(request);
    if (status < 300) receiver.accepted.push(request);
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(status < 300 ? 'ok' : 'internal_error');
  });
  receiver.origin = server.origin;
  receiver.close = server.close;
  return receiver;
}

export interface Receivers {
  smtp: SmtpReceiver;
  slack: HttpReceiver;
  webhook: HttpReceiver;
  slackUrl: string;
  webhookUrl: string;
  close(): Promise<void>;
}

export async function startReceivers(plainSmtp = false): Promise<Receivers> {
  const [smtp, slack, webhook] = await Promise.all([
    startSmtpReceiver(plainSmtp),
    startHttpReceiver(),
    startHttpReceiver(),
  ]);
  return {
    smtp,
    slack,
    webhook,
    slackUrl: `${slack.origin}/services/${SLACK_TOKEN}`,
    webhookUrl: `${webhook.origin}/hook?token=${WEBHOOK_TOKEN}`,
    close: async () => {
      await Promise.all([smtp.close(), slack.close(), webhook.close()]);
    },
  };
}

/** The `alerts:` block sending to all three receivers, at SPEC's default severities. */
export function channelsYaml(receivers: Receivers, alertsExtra = ''): string {
  const smtp = `smtp://${encodeURIComponent(SMTP_USER)}:${SMTP_PASSWORD}@127.0.0.1:${receivers.smtp.port}`;
  return [
    'alerts:',
    alertsExtra,
    '  channels:',
    `    email: { minSeverity: CRITICAL, smtp: "${smtp}", from: "gpu-mesh@example.test", to: ["ops@example.test"] }`,
    `    slack: { minSeverity: CRITICAL, webhookUrl: "${receivers.slackUrl}" }`,
    `    webhook: { minSeverity: ERROR, url: "${receivers.webhookUrl}", headers: { authorization: "${WEBHOOK_AUTH}" } }`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** Every secret the config above holds, in every form a log line could show. */
export function secretsOf(receivers: Receivers): string[] {
  return [
    SMTP_PASSWORD,
    SLACK_TOKEN,
    'slackTokenXYZ',
    receivers.slackUrl,
    WEBHOOK_TOKEN,
    receivers.webhookUrl,
    WEBHOOK_AUTH,
  ];
}

/** Short retries and an SMTP server with a self-signed certificate (deadlines: `timeout` in the YAML). */
export const TEST_TUNING: AlertingTuning = {
  delivery: { attempts: 3, backoffMs: 100 },
  channels: { emailOptions: { allowUntrustedCertificates: true } },
  closeGraceMs: 2000,
};

export interface AlertingMesh {
  prefix: string;
  config: MeshConfig;
  simulator: Simulator;
  services: RunningService[];
  /** Log lines of every instance. */
  readonly logs: string[];
  redis: Redis;
  store: NodeStore;
  history: AlertHistory;
  status(nodeId: string): Promise<NodeStatus>;
  /** Waits until every node listed has `status`. */
  waitForStatus(nodeIds: readonly string[], status: NodeStatus, timeoutMs?: number): Promise<void>;
  /** Waits for a delivered alert matching `match` (from the history) and returns it. */
  waitForAlert(match: (alert: Alert) => boolean, what: string, timeoutMs?: number): Promise<Alert>;
  /** Waits until no alert or delivery is waiting, delayed or running. */
  quiesce(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface AlertingMeshOptions {
  nodes: number;
  /** YAML put before `nodes:` (e.g. `channelsYaml(...)`). */
  yaml: string;
  checks?: string;
  instances?: number;
  /** Run each instance as its own `gpu-mesh start` process (the built CLI) rather than in this one. */
  processes?: boolean;
  tuning?: AlertingTuning;
}

/** Starts `instances` gpu-mesh services (scheduler + worker) on one fresh prefix against simulated nodes. */
export async function startAlertingMesh(options: AlertingMeshOptions): Promise<AlertingMesh> {
  const prefix = uniquePrefix();
  const simulator = await startSimulator({ count: options.nodes });
  const yaml = [
    `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
    `checks:\n${options.checks ?? '  interval: 500ms\n  retryInterval: 250ms\n  timeout: 1s'}`,
    'server: { host: 127.0.0.1, port: 0 }',
    options.yaml,
    'nodes:',
    ...simulator.nodes.map((node) => `  - { id: ${node.id}, url: "${node.url}" }`),
  ].join('\n');
  const { config } = parseConfigText(yaml, {}, 'test.yaml');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const services: RunningService[] = [];
  const children: CliProcess[] = [];
  for (let i = 0; i < (options.instances ?? 1) && options.processes; i++) {
    children.push(startCli(['start', '--role', 'scheduler,worker', '--config', writeTempConfig(yaml)]));
  }
  for (const child of children) {
    await waitFor(
      () => child.output().includes('check schedules in place'),
      'a gpu-mesh process to start',
      15_000,
    );
  }
  for (let i = 0; i < (options.instances ?? 1) && !options.processes; i++) {
    services.push(
      await startService({
        config,
        configSource: null,
        loadConfig: async () => config,
        roles: ['scheduler', 'worker'],
        logger: pino({ level: 'debug' }, sink),
        concurrency: 20,
        alerting: options.tuning ?? TEST_TUNING,
      }),
    );
  }
  const redis = connectTestRedis();
  const store = new NodeStore(redis, prefix);
  const history = new AlertHistory(redis, prefix);
  const queues = [QUEUE_NAMES.alerts, QUEUE_NAMES.notify].map(
    (name) => new Queue(name, { connection: redis, prefix }),
  );
  const status = async (nodeId: string) => (await store.read(nodeId)).state.status;
  return {
    prefix,
    config,
    simulator,
    services,
    get logs() {
      return children.length === 0
        ? logs
        : children.flatMap((child) => child.output().split('\n').filter(Boolean));
    },
    redis,
    store,
    history,
    status,
    async waitForStatus(nodeIds, wanted, timeoutMs = 10_000) {
      await waitFor(
        async () => (await Promise.all(nodeIds.map(status))).every((current) => current === wanted),
        `${nodeIds.join(', ')} ${wanted}`,
        timeoutMs,
      );
    },
    async waitForAlert(match, what, timeoutMs = 15_000) {
      return waitFor(async () => (await history.list(3_600_000)).find(match), what, timeoutMs);
    },
    async quiesce(timeoutMs = 15_000) {
      await waitFor(
        async () => {
          for (const queue of queues) {
            const jobs = await queue.getJobs([
              'waiting',
              'active',
              'delayed',
              'prioritized',
              'waiting-children',
            ]);
            if (jobs.some((job) => job && job.name !== 'evaluate' && job.name !== 'heartbeat')) return false;
          }
          return true;
        },
        'the alerts and notify queues to drain',
        timeoutMs,
      );
    },
    async stop() {
      for (const service of services) await service.close();
      await Promise.all(children.map(stopProcess));
      await Promise.all(queues.map((queue) => queue.close()));
      await simulator.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** The alert log lines (the log channel's), as parsed JSON. */
export function alertLogLines(logs: readonly string[]): { level: number; alert: Alert }[] {
  return logs
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { level: number; alert?: Alert }];
      } catch {
        return [];
      }
    })
    .filter((line): line is { level: number; alert: Alert } => line.alert !== undefined);
}

/** SIGTERM, and SIGKILL if it has not exited within 10 s. */
async function stopProcess(child: CliProcess): Promise<void> {
  if (child.child.exitCode !== null) return;
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 10_000);
  child.child.kill('SIGTERM');
  await child.exited;
  clearTimeout(timer);
}

export function bodies(requests: readonly ReceivedRequest[]): Alert[] {
  return requests.map((request) => JSON.parse(request.body) as Alert);
}

export function slackTexts(requests: readonly ReceivedRequest[]): string[] {
  return requests.map((request) => (JSON.parse(request.body) as { text: string }).text);
}

export interface AlertingOnly {
  prefix: string;
  config: MeshConfig;
  alerting: Alerting;
  redis: Redis;
  logs: string[];
  history: AlertHistory;
  alertQueue: Queue;
  notifyQueue: Queue;
  waitForAlert(match: (alert: Alert) => boolean, what: string, timeoutMs?: number): Promise<Alert>;
  /** Waits until the alert's job ran, whatever it decided, and returns its outcome. */
  outcomeOf(alert: Alert, timeoutMs?: number): Promise<AlertOutcome>;
  stop(): Promise<void>;
}

/** The alert workers alone (no checks), fed by `alerting.raise`: for deliveries and their retries. */
export async function startAlertingOnly(yaml: string, tuning: AlertingTuning): Promise<AlertingOnly> {
  const prefix = uniquePrefix();
  const text = [
    `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
    'server: { host: 127.0.0.1, port: 3000 }',
    yaml,
    'nodes:',
    '  - { id: gpu-1, name: GPU one, url: "http://127.0.0.1:9" }',
  ].join('\n');
  const { config } = parseConfigText(text, {}, 'test.yaml');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const redis = connectTestRedis();
  const alerting = startAlerting({
    connection: redis,
    prefix,
    config: () => config,
    store: new NodeStore(redis, prefix),
    logger: pino({ level: 'debug' }, sink),
    tuning,
  });
  const history = new AlertHistory(redis, prefix);
  const alertQueue = new Queue(QUEUE_NAMES.alerts, { connection: redis, prefix });
  const notifyQueue = new Queue(QUEUE_NAMES.notify, { connection: redis, prefix });
  return {
    prefix,
    config,
    alerting,
    redis,
    logs,
    history,
    alertQueue,
    notifyQueue,
    waitForAlert: (match, what, timeoutMs = 10_000) =>
      waitFor(async () => (await history.list(3_600_000)).find(match), what, timeoutMs),
    async outcomeOf(alert, timeoutMs = 10_000) {
      return waitFor(
        async () => {
          const job = await alertQueue.getJob(alertJobId(alert));
          return (await job?.getState()) === 'completed' ? (job?.returnvalue as AlertOutcome) : null;
        },
        `the alerts job of ${alert.id}`,
        timeoutMs,
      );
    },
    async stop() {
      await alerting.close();
      await Promise.all([alertQueue.close(), notifyQueue.close()]);
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
