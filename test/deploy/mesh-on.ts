/**
 * gpu-mesh in this process on a given `redis.url` (a Cluster, a Sentinel), against simulated nodes
 * that an `http` recovery action revives through the simulator's control endpoint — the demo loop
 * of docker-compose.yml — with e-mail alerts to a real SMTP server.
 */
import { randomUUID } from 'node:crypto';
import type { MeshConfig } from '../../src/config/types.js';
import type { RunningService } from '../../src/main.js';
import type { NodeView } from '../../src/mesh/view.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { SMTP_PASSWORD, SMTP_USER, type SmtpReceiver, startSmtpReceiver } from '../alerts/support.js';
import { startServiceFromYaml } from '../helpers/mesh.js';

export interface MeshOn {
  service: RunningService;
  simulator: Simulator;
  smtp: SmtpReceiver;
  config: MeshConfig;
  /** The mesh.yaml it runs on (for CLI processes on the same mesh). */
  yaml: string;
  logs: string[];
  node(id: string): Promise<NodeView>;
  stop(): Promise<void>;
}

export function deployMeshYaml(
  redisUrl: string,
  prefix: string,
  simulator: Simulator,
  smtpPort: number,
): string {
  const smtp = `smtp://${encodeURIComponent(SMTP_USER)}:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`;
  return [
    `redis: { url: "${redisUrl}", prefix: ${prefix} }`,
    'checks: { interval: 1s, retryInterval: 250ms, timeout: 500ms }',
    'recovery: { attempts: 3, backoff: 200ms, verifyTimeout: 3s }',
    'server: { host: 127.0.0.1, port: 0 }',
    'alerts:',
    '  channels:',
    `    email: { minSeverity: ERROR, smtp: "${smtp}", from: "gpu-mesh@example.test", to: ["ops@example.test"] }`,
    'nodes:',
    ...simulator.nodes.map(
      (node) =>
        `  - { id: ${node.id}, url: "${node.url}", recovery: { kind: http, url: "${simulator.controlUrl}/nodes/${node.id}/mode", body: '{"mode":"healthy"}', timeout: 5s } }`,
    ),
  ].join('\n');
}

export async function startMeshOn(redisUrl: string, nodes = 2): Promise<MeshOn> {
  const smtp = await startSmtpReceiver(true);
  const simulator = await startSimulator({ count: nodes, controlPort: 0 });
  const yaml = deployMeshYaml(redisUrl, `test-${randomUUID().slice(0, 8)}`, simulator, smtp.port);
  const { service, config, logs } = await startServiceFromYaml(yaml, { recoveryLockMs: 2000 });
  return {
    service,
    simulator,
    smtp,
    config,
    yaml,
    logs,
    node: async (id) => (await (await fetch(`${service.server?.url}/api/nodes/${id}`)).json()) as NodeView,
    async stop() {
      await service.close();
      await simulator.close();
      await smtp.close();
    },
  };
}
