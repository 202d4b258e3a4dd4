/**
 * What an alert channel is. One module under `alerts/channels/` declares one `ChannelPlugin` — its
 * settings (`alerts.channels.<name>` of mesh.yaml, with their defaults), which of them are secret,
 * which of them turn it on, and its sender — and `registry.ts` lists it. The config schema and
 * types, the secrets the process masks, what `config check` prints and the channels built at
 * startup all follow from that list (docs/alerts.md, "Adding an alert channel").
 *
 * - channel: one delivery plugin (`log`, `email`, `slack`, ...), behind `AlertChannel`. `log` is
 *   always on; the others are on when configured (`onWhenSet`).
 * - context: what the notify job knows about the alert's node when it delivers, read from the
 *   store at delivery time; a channel formats it and never looks anything up itself.
 * - deadline: one delivery's total time, connect to last byte (`alerts.channels.<name>.timeout`).
 *
 * This module imports no channel and no registry: every channel module imports it.
 */
import type { Logger } from 'pino';
import * as z from 'zod';
import { SEVERITIES, type Severity } from '../../mesh/types.js';
import { duration } from '../../values/fields.js';
import type { Alert } from '../types.js';
import type { SecretFields } from './secret-fields.js';

/** The node and links an alert is delivered with. Everything node-related is null for mesh-wide alerts. */
export interface AlertContext {
  /** The node's display name (`nodes[].name`); null for mesh-wide alerts or a node no longer configured. */
  nodeName: string | null;
  /** The node's status when the alert is delivered (`healthy`, `unhealthy`, ...). */
  nodeStatus: string | null;
  /** The node's last check error, if any. */
  lastError: string | null;
  /** When the alert's incident started (ISO time), or null outside an incident. */
  incidentStartedAt: string | null;
  /** Absolute URL of the dashboard page. */
  dashboardUrl: string;
  /** Absolute URL of Bull Board. */
  boardUrl: string;
}

/**
 * One delivery plugin. `send` resolves once the alert is delivered and throws otherwise, so that the
 * notify job retries it with backoff (BullMQ's `UnrecoverableError` where a retry cannot help). Its
 * errors are wrapped with `{ cause }` and never carry a secret (SMTP credentials, webhook URLs,
 * routing keys, tokens, header values). `signal` aborts a delivery in progress: on it, `send` ends
 * its connection and rejects — the notify job's deadline relies on that.
 */
export interface AlertChannel<Name extends string = string> {
  name: Name;
  /** The lowest severity this channel receives (`alerts.channels.<name>.minSeverity`). */
  minSeverity: Severity;
  /**
   * One delivery's total deadline in ms, first connection to last byte
   * (`alerts.channels.<name>.timeout`, default 30 s): `deliverWithinDeadline` aborts `send` past it.
   */
  timeout: number;
  send(alert: Alert, context: AlertContext, signal: AbortSignal): Promise<void>;
}

/** The settings every channel has. */
export interface ChannelSettings {
  /** The least severity the channel receives; each channel has its own default. */
  minSeverity: Severity;
  /** One delivery's total deadline in ms, connect to last byte. Default 30 s. */
  timeout: number;
}

/** Transport settings the composition root (or a test) may tune. */
export interface EmailOptions {
  /** Accept a self-signed or otherwise untrusted server certificate. Default false: never in production. */
  allowUntrustedCertificates?: boolean;
}

/** What the process hands every channel it builds. */
export interface ChannelDeps {
  logger: Logger;
  emailOptions?: EmailOptions;
}

/** One channel module's declaration: everything the rest of gpu-mesh knows of the channel. */
export interface ChannelPlugin<Name extends string, Settings extends ChannelSettings> {
  /** The key under `alerts.channels`, the channel's name in job ids, metrics and logs. */
  name: Name;
  /** Its settings, with their defaults (`channelSettings`). */
  settings: z.ZodType<Settings>;
  /**
   * Which settings are secret, and how `config check` shows them: required, so that a channel
   * cannot be added without saying (`{}` for none). Masked everywhere from then on (guarantee 6).
   */
  secrets: SecretFields<Settings>;
  /** "On when configured": the channel is built when every one of these settings is set (not empty). */
  onWhenSet: readonly string[];
  /** The sender. Throws (never quoting a secret) when a setting is unusable, which stops startup. */
  create(settings: Settings, deps: ChannelDeps): AlertChannel<Name>;
}

/** Declares a channel; the types check the declaration is whole (settings, secrets, on-when, sender). */
export function defineChannel<const Name extends string, Settings extends ChannelSettings>(plugin: {
  name: Name;
  settings: z.ZodType<Settings>;
  secrets: NoInfer<SecretFields<Settings>>;
  onWhenSet: NoInfer<readonly (keyof Settings & string)[]>;
  create(settings: NoInfer<Settings>, deps: ChannelDeps): AlertChannel<Name>;
}): ChannelPlugin<Name, Settings> {
  return plugin;
}

/**
 * A channel's settings schema: `minSeverity` (its default given here), the channel's own keys, and
 * `timeout` (default 30 s), in that order — the order `config check` prints them in.
 */
export function channelSettings<const Shape extends z.ZodRawShape>(minSeverity: Severity, shape: Shape) {
  return z.strictObject({
    minSeverity: z.enum(SEVERITIES).prefault(minSeverity),
    ...shape,
    timeout: duration().prefault('30s'),
  });
}

/** Whether every key of `keys` is set in `settings`: a non-empty text, list or map. */
export function isConfigured(settings: ChannelSettings, keys: readonly string[]): boolean {
  return keys.every((key) => {
    const value: unknown = (settings as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string') return value !== '';
    if (Array.isArray(value)) return value.length > 0;
    return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
  });
}

/** Refuses a URL a channel would post to that is not http(s), naming the key and never the value. */
export function requireWebUrl(value: string, key: string): void {
  const protocol = URL.canParse(value) ? new URL(value).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`${key}: not an http(s) URL`);
}
