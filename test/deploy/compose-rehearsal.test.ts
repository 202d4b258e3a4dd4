/**
 * A rehearsal of `docker compose up` without Docker (none runs on these machines): the compose
 * mesh.yaml and the demo's node killer, run as the compose services run them — two `gpu-mesh start`
 * processes (the scaled `gpu-mesh` service), one `start --role server` (the `dashboard` service) —
 * with only the host names rewritten (simulator, redis, mailpit -> loopback) and the environment
 * docker-compose.yml gives them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshView } from '../../src/mesh/view.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { SMTP_PASSWORD, SMTP_USER, type SmtpReceiver, startSmtpReceiver } from '../alerts/support.js';
import { type CliProcess, startCli, writeTempConfig } from '../helpers/cli.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '../..');
const COMPOSE_MESH = resolve(ROOT, 'deploy/compose/mesh.yaml');
const KILL_A_NODE = resolve(ROOT, 'deploy/compose/kill-a-node.mjs');
const PASSWORD = 'rehearsal-password';

/** deploy/compose/mesh.yaml with the compose network's names pointed at this machine. */
function rehearsalYaml(simulator: Simulator): string {
  let yaml = readFileSync(COMPOSE_MESH, 'utf8');
  simulator.nodes.forEach((node, index) => {
    yaml = yaml.replaceAll(`http://simulator:${11501 + index}`, node.url);
  });
  return yaml
    .replaceAll('http://simulator:11500', simulator.controlUrl ?? '')
    .replace('host: 0.0.0.0', 'host: 127.0.0.1')
    .replace('port: 3000', 'port: 0');
}

describe('the docker compose demo, rehearsed without Docker', () => {
  const prefix = uniquePrefix();
  let simulator: Simulator;
  let smtp: SmtpReceiver;
  const processes: CliProcess[] = [];
  let dashboard = '';

  async function mesh(): Promise<MeshView> {
    const authorization = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
    return (await (await fetch(`${dashboard}/api/mesh`, { headers: { authorization } })).json()) as MeshView;
  }

  beforeAll(async () => {
    simulator = await startSimulator({ count: 3, controlPort: 0 });
    smtp = await startSmtpReceiver(true);
    const config = writeTempConfig(rehearsalYaml(simulator));
    const env = {
      GPU_MESH_CONFIG: config,
      REDIS_URL: testRedisUrl(),
      GPU_MESH_PREFIX: prefix,
      GPU_MESH_PASSWORD: PASSWORD,
      SMTP_URL: `smtp://${encodeURIComponent(SMTP_USER)}:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
      ALERT_EMAIL_FROM: '',
      ALERT_EMAIL_TO: '',
      SLACK_WEBHOOK_URL: '',
    };
    processes.push(startCli(['start'], env), startCli(['start'], env));
    const board = startCli(['start', '--role', 'server'], env);
    processes.push(board);
    const listening = await waitFor(
      () => /server listening on (http:\/\/[^\s"]+)/.exec(board.output()),
      'the dashboard process to listen',
      15_000,
    );
    dashboard = listening[1] ?? '';
  }, 30_000);

  afterAll(async () => {
    for (const process of processes) process.child.kill('SIGTERM');
    const codes = await Promise.all(processes.map((process) => process.exited));
    await simulator?.close();
    await smtp?.close();
    const redis = connectTestRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    const failed = processes
      .filter((_, index) => codes[index] !== 0)
      .map((process) => process.output().slice(-3000));
    expect(failed).toEqual([]);
    expect(codes).toEqual(processes.map(() => 0));
  });

  it('shows a healthy mesh of the three simulated nodes on the dashboard', async () => {
    const view = await waitFor(async () => {
      const current = await mesh();
      return current.healthy === 3 ? current : null;
    }, 'three healthy nodes');
    expect(view.nodes.map((node) => node.name)).toEqual([
      'Simulated GPU 1',
      'Simulated GPU 2',
      'Simulated GPU 3',
    ]);
  });

  it('runs the whole loop: the killed node is mailed once as unhealthy, restarted by its http action, mailed once as recovered', async () => {
    const chaos = await promisify(execFile)(process.execPath, [KILL_A_NODE], {
      env: {
        PATH: process.env.PATH ?? '',
        SIMULATOR_CONTROL_URL: simulator.controlUrl ?? '',
        DEMO_FIRST_KILL_AFTER_S: '0',
        DEMO_KILL_EVERY_S: '0',
        DEMO_NODES: 'sim-2',
      },
    });
    expect(chaos.stdout).toContain('demo: killed sim-2');
    // Its recovery starts the moment it is unhealthy and is quick: the status may pass through
    // `unhealthy` between two polls, so the incident being open is what marks the detection.
    await waitFor(
      async () =>
        (await mesh()).nodes[1]?.incidentId != null ||
        smtp.mails.some((m) => m.subject.includes('unhealthy')),
      'sim-2 detected',
      20_000,
    );
    await waitFor(
      async () => {
        const sim2 = (await mesh()).nodes[1];
        return sim2?.status === 'healthy' && sim2.incidentId === null;
      },
      'sim-2 revived by its recovery action',
      30_000,
    );
    const subjects = () => smtp.mails.map((mail) => mail.subject);
    await waitFor(
      () => subjects().some((subject) => subject.includes('INFO recovered')),
      'the recovered e-mail',
    );
    expect(subjects().filter((subject) => subject.includes('ERROR unhealthy'))).toEqual([
      '[gpu-mesh] ERROR unhealthy: Simulated GPU 2 (sim-2)',
    ]);
    expect(subjects().filter((subject) => subject.includes('INFO recovered'))).toHaveLength(1);
    expect(smtp.mails[0]?.raw).toContain('To: oncall@example.com');
  }, 60_000);
});
