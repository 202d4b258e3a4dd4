/**
 * The alert channels gpu-mesh has: `log`, always on, and the configured ones, one module each.
 * Everything that varies by channel is derived from `CHANNELS`: the `alerts.channels` block of the
 * config schema and its type, the channel names (job payloads, job ids, metrics), the secrets the
 * process masks, what `config check` prints, and the channels built at startup and on reload.
 * Adding a channel is one module and one entry here (docs/alerts.md, "Adding an alert channel").
 */
import * as z from 'zod';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { createLogChannel } from './log.js';
import { ntfyChannel } from './ntfy.js';
import { pagerdutyChannel } from './pagerduty.js';
import {
  type AlertChannel,
  type ChannelDeps,
  type ChannelPlugin,
  type ChannelSettings,
  isConfigured,
} from './plugin.js';
import { maskedSettings, secretsOf } from './secret-fields.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { webhookChannel } from './webhook.js';

/** The configured channels, in the order `config check` prints them and routing visits them. */
export const CHANNELS = [
  emailChannel,
  slackChannel,
  webhookChannel,
  discordChannel,
  pagerdutyChannel,
  teamsChannel,
  ntfyChannel,
] as const;

type Plugins = typeof CHANNELS;
type Plugin = Plugins[number];
type SettingsOf<P> = P extends ChannelPlugin<string, infer Settings> ? Settings : never;
type NamesOf<T extends readonly { name: string }[]> = { [I in keyof T]: T[I]['name'] };

/** A channel turned on by `alerts.channels.<name>`. */
export type ConfiguredChannelName = Plugin['name'];

/** Every channel name, `log` first: a literal union, so a switch over it is checked whole. */
export const CHANNEL_NAMES = ['log', ...namesOf(CHANNELS)] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** `alerts.channels` once parsed: each channel's settings, durations in ms. */
export type ChannelsConfig = { [P in Plugin as P['name']]: SettingsOf<P> };

function namesOf<const T extends readonly { name: string }[]>(plugins: T): NamesOf<T> {
  return plugins.map((plugin) => plugin.name) as NamesOf<T>;
}

/** The channels as the functions below visit them: each with its own settings, by its own name. */
const PLUGINS: readonly ChannelPlugin<ConfiguredChannelName, ChannelSettings>[] = CHANNELS;

/** The `alerts.channels` block of mesh.yaml: one key per channel, each defaulting to its defaults. */
export const channelsSchema = z
  .strictObject(
    Object.fromEntries(CHANNELS.map((plugin) => [plugin.name, plugin.settings.prefault({})])) as {
      [P in Plugin as P['name']]: z.ZodPrefault<z.ZodType<SettingsOf<P>>>;
    },
  )
  .prefault({});

/** Every secret the channels' settings hold, as each channel declares them (empty ones dropped). */
export function channelSecrets(config: ChannelsConfig): string[] {
  return PLUGINS.flatMap((plugin) => secretsOf(config[plugin.name], plugin.secrets)).filter(
    (secret) => secret !== '',
  );
}

/** `alerts.channels` as `config check` prints it: every secret field masked. */
export function maskChannels(config: ChannelsConfig): ChannelsConfig {
  const masked = PLUGINS.map((plugin) => [plugin.name, maskedSettings(config[plugin.name], plugin.secrets)]);
  return Object.fromEntries(masked) as ChannelsConfig;
}

/**
 * The channels in force, in a plain list: `log` always, then every channel whose `onWhenSet`
 * settings are all set. Throws (without quoting secrets) when a configured value is unusable, so a
 * bad channel stops startup instead of every delivery.
 */
export function buildChannels(config: ChannelsConfig, deps: ChannelDeps): AlertChannel<ChannelName>[] {
  const channels: AlertChannel<ChannelName>[] = [createLogChannel(deps.logger)];
  for (const plugin of PLUGINS) {
    const settings = config[plugin.name];
    if (isConfigured(settings, plugin.onWhenSet)) channels.push(plugin.create(settings, deps));
  }
  return channels;
}
