/**
 * `start --demo`: simulated Ollama nodes in this process, and a private Redis when none answers,
 * so a newcomer sees a working mesh with no GPU and no setup.
 */
import { join } from 'node:path';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import { startSimulator } from '../probes/simulator.js';
import type { Logger } from '../runtime/logger.js';
import {
  HOW_TO_GET_REDIS,
  redisAnswers,
  redisServerOnPath,
  startPrivateRedis,
} from '../runtime/private-redis.js';
import { describeRedisUrl } from '../runtime/redis.js';
import { UserError } from './errors.js';

const DEMO_NODES = 3;
const DEMO_PORT = 11501;
const DEMO_CONTROL_PORT = 11500;

export interface Demo {
  config: MeshConfig;
  announce(logger: Logger, serverUrl: string | null, gatewayUrl?: string | null): void;
  close(): Promise<void>;
}

export async function startDemo(config: MeshConfig): Promise<Demo> {
  const redis = await demoRedis(config.redis.url);
  const simulator = await startSimulator({
    count: DEMO_NODES,
    port: DEMO_PORT,
    controlPort: DEMO_CONTROL_PORT,
  });
  const nodes: NodeConfig[] = simulator.nodes.map((sim, index) => ({
    id: sim.id,
    name: `Simulated GPU ${index + 1}`,
    url: sim.url,
    enabled: true,
    tags: ['demo'],
    checks: config.checks,
    recovery: { kind: 'none' },
    gateway: { weight: 1, maxInFlight: 0 },
  }));
  return {
    config: { ...config, redis: { ...config.redis, url: redis.url }, nodes },
    announce(logger, serverUrl, gatewayUrl) {
      if (redis.started)
        logger.info(
          { redis: redis.url },
          `demo: no Redis answered; started a private one (data in ./.gpu-mesh/)`,
        );
      const first = simulator.nodes[0]?.id ?? 'sim-1';
      logger.info(
        { nodes: simulator.nodes.map((n) => n.url), control: simulator.controlUrl, dashboard: serverUrl },
        `demo: ${DEMO_NODES} simulated nodes; kill one with: curl -X POST ${simulator.controlUrl}/nodes/${first}/mode -d '{"mode":"dead"}' -H 'content-type: application/json'`,
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

/** A generation through the gateway, as a person would type it. */
export function gatewayCurl(gatewayUrl: string): string {
  return `curl ${gatewayUrl}/api/generate -d '{"model":"llama3.2","prompt":"Why is the sky blue?"}'`;
}
