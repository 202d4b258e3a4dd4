/**
 * Secrets: which values of the config are secret (guarantee 6, docs/guarantees.md), and the set of
 * them the process masks. The rule that masks them — every form a secret may be written in, and
 * URLs shown without them — is `redaction.ts`.
 *
 * Secret: the server password; the password of any URL (a URL whose user has no password: that
 * user, which is then a token); heartbeat URLs whole; an http recovery's URL whole, its headers and
 * its body; and what each alert channel declares secret in its settings (`alerts/channels/*`: SMTP
 * credentials, webhook URLs, routing keys, tokens, header values).
 */
import { channelSecrets } from '../alerts/channels/registry.js';
import { redisUrlSecrets } from '../runtime/redis-url.js';
import { headerSecrets, MASK, maskingPattern, urlCredentials } from '../values/redaction.js';
import type { MeshConfig, RecoveryAction } from './types.js';

export { MASK, maskText, safeUrl, type UrlDisplay } from '../values/redaction.js';

/** What is secret in each recovery kind's settings. */
const RECOVERY_SECRETS: {
  [K in RecoveryAction['kind']]: (action: Extract<RecoveryAction, { kind: K }>) => string[];
} = {
  none: () => [],
  command: () => [],
  ssh: () => [],
  agent: () => [],
  http: (http) => [http.url, ...headerSecrets(http.headers), http.body],
};

/** Every raw secret of the config, each once (`Secrets` adds the forms they may be written in). */
export function secretValues(config: MeshConfig): string[] {
  const secrets = [
    config.server.password,
    ...redisUrlSecrets(config.redis.url),
    config.heartbeat.url,
    ...config.gateway.apiKeys,
    ...channelSecrets(config.alerts.channels),
    ...config.nodes.flatMap((node) => [...urlCredentials(node.url), ...recoveryActionSecrets(node.recovery)]),
  ];
  return [...new Set(secrets.filter((secret) => secret !== ''))];
}

/** The secrets of one recovery action (also what the http action masks on top of the config's). */
export function recoveryActionSecrets(action: RecoveryAction): string[] {
  const secretsOf = RECOVERY_SECRETS[action.kind] as (action: RecoveryAction) => string[];
  return secretsOf(action).filter((secret) => secret !== '');
}

/**
 * A set of secrets and the masking of them. The service keeps one per process and `update`s it on
 * every reload, so what a reload brings in is masked from then on; readers hold the object, not a copy.
 */
export class Secrets {
  private source: MeshConfig | undefined;
  private raw: readonly string[] = [];
  private pattern: RegExp | null = null;

  /** With a config, its secrets; without, none. */
  constructor(config?: MeshConfig) {
    if (config) this.update(config);
  }

  static from(values: Iterable<string>): Secrets {
    const secrets = new Secrets();
    secrets.set([...values]);
    return secrets;
  }

  /** Replaces the secrets with those of `config` (cheap when it is the config already in force). */
  update(config: MeshConfig): void {
    if (config === this.source) return;
    this.source = config;
    this.set(secretValues(config));
  }

  /** The raw secrets, as configured. */
  values(): readonly string[] {
    return this.raw;
  }

  /** A new set: these and `more` (an action masks its own secrets on top of the config's). */
  with(more: Iterable<string>): Secrets {
    return Secrets.from([...this.raw, ...more]);
  }

  /** `text` with every form of every secret replaced by `***`. */
  mask(text: string): string {
    return this.pattern === null ? text : text.replace(this.pattern, MASK);
  }

  private set(values: readonly string[]): void {
    this.raw = [...new Set(values.filter((value) => value !== ''))];
    this.pattern = maskingPattern(this.raw);
  }
}
