import { stringify } from 'yaml';
import { maskChannels } from '../alerts/channels/registry.js';
import { maskRedisUrl } from '../runtime/redis-url.js';
import { MASK, safeUrl } from './secrets.js';
import type { MeshConfig, NodeConfig, RecoveryAction } from './types.js';

/*
 * What `config check` prints: the effective config with every secret field as `***` (which
 * fields are secret, and how secrets are masked in free text: `secrets.ts`).
 */

/** The config with every secret replaced by `***`, for printing. Durations stay ms numbers. */
export function maskConfig(config: MeshConfig): MeshConfig {
  return {
    ...config,
    redis: { ...config.redis, url: maskRedisUrl(config.redis.url) },
    heartbeat: { ...config.heartbeat, url: maskAll(config.heartbeat.url) },
    gateway: { ...config.gateway, apiKeys: config.gateway.apiKeys.map(() => MASK) },
    alerts: { ...config.alerts, channels: maskChannels(config.alerts.channels) },
    server: { ...config.server, password: maskAll(config.server.password) },
    nodes: config.nodes.map(maskNode),
  };
}

/** The effective config as YAML, secrets `***` (what `config check` prints). */
export function renderConfig(config: MeshConfig): string {
  return stringify(maskConfig(config), { aliasDuplicateObjects: false });
}

export { secretValues } from './secrets.js';

function maskNode(node: NodeConfig): NodeConfig {
  const { recovery } = node;
  const maskedRecovery: RecoveryAction =
    recovery.kind === 'http'
      ? {
          ...recovery,
          url: safeUrl(recovery.url, { userinfo: 'mask', path: 'mask' }),
          headers: maskValues(recovery.headers),
          body: maskAll(recovery.body),
        }
      : recovery;
  return { ...node, url: safeUrl(node.url, { userinfo: 'mask' }), recovery: maskedRecovery };
}

function maskAll(secret: string): string {
  return secret === '' ? '' : MASK;
}

function maskValues(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, MASK]));
}
