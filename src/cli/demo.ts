/**
 * `start --demo`: simulated Ollama nodes in this process, and a private Redis when none answers,
 * so a newcomer sees a working mesh with no GPU and no setup. The nodes heal: each one's recovery
 * action is an `http` POST of `{"mode":"healthy"}` to the simulator's control endpoint (the same
 * action, and code path, as a production restart hook; deploy/compose/mesh.yaml does the same), so
 * a node killed through that endpoint goes degraded, unhealthy, is restarted and recovers.
 */
import { join } from 'node:path';
import type { ChecksConfig, MeshConfig, NodeConfig, RecoveryAction } from '../config/types.js';
import type { Logger } from '../runtime/logger.js';
import {
  HOW_TO_GET_REDIS,
  redisAnswers,
  redisServerOnPath,
  startPrivateRedis,
} from '../runtime/private-redis.js';
import { describeRedisUrl } from '../runtime/redis.js';
import { startSimulator } from '../simulator/index.js';
import { UserError } from './errors.js';

const DEMO_NODES = 3;
/** The first simulated node's port; node i listens on P + i - 1, the control endpoint on P - 1. */
export const DEFAULT_DEMO_PORT = 11501;
/** Where a user picks the demo's ports (`--demo-port` wins). */
export const DEMO_PORT_ENV = 'GPU_MESH_DEMO_PORT';
const HOW_TO_PICK_PORTS = `pick other ports with --demo-port P or ${DEMO_PORT_ENV}=P (nodes on P..P+${DEMO_NODES - 1}, control endpoint on P-1)`;

/**
 * The demo's tempo, quick enough to watch: a kill is noticed within 5 s (degraded), is unhealthy
 * two retries later, and the restart is issued at once (the recovery `backoff` only spaces failed
 * attempts). Applies to the demo's own nodes only; a real fleet keeps its mesh.yaml's tempo.
 */
const DEMO_CHECKS: Pick<ChecksConfig, 'interval' | 'retryInterval' | 'timeout'> = {
  interval: 5000,
  retryInterval: 2000,
  timeout: 2000,
};
const DEMO_RECOVERY = { backoff: 2000, verifyTimeout: 20_000 };
const DEMO_RESTART_TIMEOUT_MS = 5000;

export interface Demo {
  config: MeshConfig;
  announce(logger: Logger, serverUrl: string | null, gatewayUrl?: string | null): void;
  close(): Promise<void>;
}

/**
 * The demo's first node port: `--demo-port`, else $GPU_MESH_DEMO_PORT, else 11501. Throws a
 * UserError (exit 2) for a value that leaves no room for the control endpoint and the nodes.
 */
export function demoPort(flag: number | undefined, env: NodeJS.ProcessEnv): number {
  const raw = flag === undefined ? env[DEMO_PORT_ENV] : String(flag);
  if (raw === undefined || raw === '') return DEFAULT_DEMO_PORT;
  const where = flag === undefined ? DEMO_PORT_ENV : '--demo-port';
  const port = Number(raw);
  const highest = 65535 - (DEMO_NODES - 1);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 2 || port > highest) {
    throw new UserError(
      `${where}: ${raw} is not a port from 2 to ${highest} (nodes on P..P+${DEMO_NODES - 1}, control endpoint on P-1)`,
      2,
    );
  }
  return port;
}

export async function startDemo(config: MeshConfig, options: { port?: number } = {}): Promise<Demo> {
  const port = options.port ?? DEFAULT_DEMO_PORT;
  const redis = await demoRedis(config.redis.url);
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator({ count: DEMO_NODES, port, controlPort: port - 1 });
  } catch (error) {
    await redis.stop();
    throw listenProblem(error) ?? error;
  }
  const controlUrl = simulator.controlUrl ?? `http://127.0.0.1:${port - 1}`;
  const nodes: NodeConfig[] = simulator.nodes.map((sim, index) => ({
    id: sim.id,
    name: `Simulated GPU ${index + 1}`,
    url: sim.url,
    enabled: true,
    tags: ['demo'],
    checks: { ...config.checks, ...DEMO_CHECKS },
    recovery: restartThroughControl(controlUrl, sim.id),
    gateway: { weight: 1, maxInFlight: 0 },
  }));
  return {
    config: {
      ...config,
      redis: { ...config.redis, url: redis.url },
      recovery: { ...config.recovery, ...DEMO_RECOVERY },
      nodes,
    },
    announce(logger, serverUrl, gatewayUrl) {
      if (redis.started)
        logger.info(
          { redis: redis.url },
          `demo: no Redis answered; started a private one (data in ./.gpu-mesh/)`,
        );
      const victim = simulator.nodes[1]?.id ?? simulator.nodes[0]?.id ?? 'sim-1';
      logger.info(
        { nodes: simulator.nodes.map((n) => n.url), control: controlUrl, dashboard: serverUrl },
        `demo: ${DEMO_NODES} simulated nodes that heal (their restart hook is the control endpoint); how to kill one is on stderr`,
      );
      // For a person, not the log: the log masks the restart hook's URL (an http action's URL is a
      // secret), and the kill URL is the same path.
      process.stderr.write(
        [
          `demo: kill ${victim} with: ${killCurl(controlUrl, victim)}`,
          `demo: then watch it in this log${serverUrl ? ` and on ${serverUrl}` : ''}: WARNING degraded -> ERROR unhealthy -> INFO recovery_started (the demo restarts it through the control endpoint, as a real mesh runs its recovery action) -> INFO recovered, within about 15 s`,
          '',
        ].join('\n'),
      );
      if (gatewayUrl)
        logger.info(
          { gateway: gatewayUrl },
          `demo: generate through the gateway: ${gatewayCurl(gatewayUrl)}`,
        );
    },
    async close() {
      await simulator.close();
      await redis.stop();
    },
  };
}

async function demoRedis(url: string): Promise<{ url: string; started: boolean; stop(): Promise<void> }> {
  if (await redisAnswers(url)) return { url, started: false, stop: async () => {} };
  if (process.env.REDIS_URL || !redisServerOnPath()) {
    throw new UserError(`redis: ${describeRedisUrl(url)}: ${HOW_TO_GET_REDIS}`, 2);
  }
  const local = await startPrivateRedis({ dir: join(process.cwd(), '.gpu-mesh', 'redis') });
  return { url: local.url, started: true, stop: local.stop };
}

/**
 * The demo's restart hook: the simulator's control endpoint sets the node healthy again. The
 * action sets the JSON content type itself: a header here would be a secret (masked in every log line).
 * The browser test's nodes heal through it too (test/board/support.ts).
 */
export function restartThroughControl(
  controlUrl: string,
  nodeId: string,
): Extract<RecoveryAction, { kind: 'http' }> {
  return {
    kind: 'http',
    url: `${controlUrl}/nodes/${encodeURIComponent(nodeId)}/mode`,
    method: 'POST',
    headers: {},
    body: '{"mode":"healthy"}',
    timeout: DEMO_RESTART_TIMEOUT_MS,
  };
}

/** How to kill a simulated node, as a person would type it. */
export function killCurl(controlUrl: string, nodeId: string): string {
  return `curl -X POST ${controlUrl}/nodes/${nodeId}/mode -H 'content-type: application/json' -d '{"mode":"dead"}'`;
}

/**
 * A simulated node or the control endpoint that could not listen (`sim-1: cannot listen on
 * 127.0.0.1:11501: EADDRINUSE`): one line saying how to pick other ports.
 */
function listenProblem(error: unknown): UserError | null {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^(.+): cannot listen on (.+):(\d+): (\S+)$/.exec(message);
  if (!match) return null;
  const [, who, host, port, code] = match;
  const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${code})`;
  return new UserError(`demo: port ${port} (${who} on ${host}) ${why}; ${HOW_TO_PICK_PORTS}`, 2);
}

/** A generation through the gateway, as a person would type it. */
export function gatewayCurl(gatewayUrl: string): string {
  return `curl ${gatewayUrl}/api/generate -d '{"model":"llama3.2","prompt":"Why is the sky blue?"}'`;
}
