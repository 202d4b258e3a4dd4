import { stringify } from 'yaml';
import { maskRedisUrl, redisUrlSecrets } from './schema-redis-url.js';
import type { MeshConfig, NodeConfig, RecoveryAction } from './types.js';

/*
 * Secrets never leave the process: `config check` prints them as `***` and the logger redacts
 * every raw secret string wherever it appears. Secrets are passwords (server, inside any URL),
 * webhook and heartbeat URLs (their path carries the token), header values and http recovery bodies.
 */

const MASK = '***';

/** The config with every secret replaced by `***`, for printing. Durations stay ms numbers. */
export function maskConfig(config: MeshConfig): MeshConfig {
  const { email, slack, webhook } = config.alerts.channels;
  return {
    ...config,
    redis: { ...config.redis, url: maskRedisUrl(config.redis.url) },
    heartbeat: { ...config.heartbeat, url: maskAll(config.heartbeat.url) },
    alerts: {
      ...config.alerts,
      channels: {
        email: { ...email, smtp: maskUrlPassword(email.smtp) },
        slack: { ...slack, webhookUrl: maskAll(slack.webhookUrl) },
        webhook: { ...webhook, url: maskAll(webhook.url), headers: maskValues(webhook.headers) },
      },
    },
    server: { ...config.server, password: maskAll(config.server.password) },
    nodes: config.nodes.map(maskNode),
  };
}

/** The effective config as YAML, secrets `***` (what `config check` prints). */
export function renderConfig(config: MeshConfig): string {
  return stringify(maskConfig(config), { aliasDuplicateObjects: false });
}

/** Every raw secret string in the config, for the logger to redact wherever it shows up. */
export function secretValues(config: MeshConfig): string[] {
  const { email, slack, webhook } = config.alerts.channels;
  const secrets = [
    config.server.password,
    ...redisUrlSecrets(config.redis.url),
    ...urlPasswords(email.smtp),
    slack.webhookUrl,
    webhook.url,
    ...Object.values(webhook.headers),
    config.heartbeat.url,
    ...config.nodes.flatMap((node) => [...urlPasswords(node.url), ...recoverySecrets(node.recovery)]),
  ];
  return [...new Set(secrets.filter((secret) => secret !== ''))];
}

function maskNode(node: NodeConfig): NodeConfig {
  const { recovery } = node;
  const maskedRecovery: RecoveryAction =
    recovery.kind === 'http'
      ? {
          ...recovery,
          url: maskUrlPassword(recovery.url),
          headers: maskValues(recovery.headers),
          body: maskAll(recovery.body),
        }
      : recovery;
  return { ...node, url: maskUrlPassword(node.url), recovery: maskedRecovery };
}

function recoverySecrets(recovery: RecoveryAction): string[] {
  if (recovery.kind !== 'http') return [];
  return [...urlPasswords(recovery.url), ...Object.values(recovery.headers), recovery.body];
}

function maskAll(secret: string): string {
  return secret === '' ? '' : MASK;
}

function maskValues(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, MASK]));
}

/** `redis://:pw@h:6379` -> `redis://:***@h:6379`; a URL without a password is left as written. */
function maskUrlPassword(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.password === '') return text;
  url.password = MASK;
  return url.href;
}

/** The password as written in the URL and decoded, since either may end up in a log line. */
function urlPasswords(text: string): string[] {
  if (!URL.canParse(text)) return [];
  const { password } = new URL(text);
  if (password === '') return [];
  return [password, safeDecode(password)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
