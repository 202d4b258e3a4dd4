/** Starts gpu-mesh in this process against simulated nodes, on an isolated prefix. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseConfigText } from '../../src/config/load.js';
import type { MeshConfig } from '../../src/config/types.js';
import { type Role, type RunningService, startService } from '../../src/main.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from './redis.js';

export interface TestMesh {
  service: RunningService;
  simulator: Simulator;
  config: MeshConfig;
  prefix: string;
  logs: string[];
  stop(): Promise<void>;
}

export interface TestMeshOptions {
  nodes?: number;
  /** YAML for the `checks:` block, indented by two spaces. */
  checks?: string;
  roles?: Role[];
  extraYaml?: string;
  /** Extra flow-style fields for a node, e.g. `recovery: { kind: command, command: [...] }`. */
  nodeFields?: (nodeId: string, simulator: Simulator) => string;
  /** Starts the simulator with its control endpoint (actions revive nodes through it). */
  control?: boolean;
  recoveryLockMs?: number;
}

/** Starts the whole service in this process from mesh.yaml text, its log lines captured. */
export async function startServiceFromYaml(
  yaml: string,
  options: { roles?: Role[]; recoveryLockMs?: number } = {},
): Promise<{ service: RunningService; config: MeshConfig; logs: string[] }> {
  const { config } = parseConfigText(yaml, {}, 'test.yaml');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const service = await startService({
    config,
    configSource: null,
    loadConfig: async () => config,
    roles: options.roles ?? ['scheduler', 'worker', 'server'],
    logger: pino({ level: 'debug' }, sink),
    concurrency: 20,
    recoveryLockMs: options.recoveryLockMs,
  });
  return { service, config, logs };
}

export function meshYaml(prefix: string, simulator: Simulator, options: TestMeshOptions): string {
  return [
    `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
    `checks:\n${options.checks ?? '  interval: 1s\n  retryInterval: 250ms\n  timeout: 500ms'}`,
    'server: { host: 127.0.0.1, port: 0 }',
    options.extraYaml ?? '',
    'nodes:',
    ...simulator.nodes.map((node) => {
      const extra = options.nodeFields?.(node.id, simulator);
      return `  - { id: ${node.id}, url: "${node.url}"${extra ? `, ${extra}` : ''} }`;
    }),
  ].join('\n');
}

export async function startTestMesh(options: TestMeshOptions = {}): Promise<TestMesh> {
  const prefix = uniquePrefix();
  const simulator = await startSimulator({
    count: options.nodes ?? 2,
    controlPort: options.control ? 0 : undefined,
  });
  const { service, config, logs } = await startServiceFromYaml(meshYaml(prefix, simulator, options), {
    roles: options.roles,
    recoveryLockMs: options.recoveryLockMs,
  });
  return {
    service,
    simulator,
    config,
    prefix,
    logs,
    async stop() {
      await service.close();
      await simulator.close();
      const redis = connectTestRedis();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
