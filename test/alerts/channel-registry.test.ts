/**
 * Everything that varies by channel comes from the registry: the names, the `alerts.channels`
 * schema and its defaults, the secrets the process masks, what `config check` prints, and the
 * channels built. A channel module that leaves out a declaration does not compile.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ChannelSet } from '../../src/alerts/channel-set.js';
import {
  buildChannels,
  CHANNEL_NAMES,
  CHANNELS,
  type ChannelsConfig,
  type ConfiguredChannelName,
  channelSecrets,
} from '../../src/alerts/channels/index.js';
import { channelSettings, defineChannel } from '../../src/alerts/channels/plugin.js';
import { renderConfig, secretValues } from '../../src/config/mask.js';
import { parseConfigText } from '../../src/config/parse.js';
import { Secrets } from '../../src/config/secrets.js';
import { notifyPayload, placesPerChannel } from '../../src/jobs/notify.js';
import type { Severity } from '../../src/mesh/types.js';
import { makeAlert } from './helpers.js';

const logger = pino({ level: 'silent' });

/** SPEC's defaults: a channel missing here does not compile. */
const SPEC_MIN_SEVERITY: Record<ConfiguredChannelName, Severity> = {
  email: 'CRITICAL',
  slack: 'CRITICAL',
  webhook: 'ERROR',
  discord: 'CRITICAL',
  pagerduty: 'CRITICAL',
  teams: 'CRITICAL',
  ntfy: 'WARNING',
};

/** Every channel configured, with the secrets it holds and what `config check` must print instead. */
const EXAMPLES: Record<
  ConfiguredChannelName,
  { yaml: string; secrets: string[]; printed: Record<string, unknown> }
> = {
  email: {
    yaml: 'email: { smtp: "smtp://alerts:smtp-pw-5512@mail.example:587", from: a@b.c, to: [ops@b.c] }',
    secrets: ['smtp-pw-5512'],
    printed: { smtp: 'smtp://alerts:***@mail.example:587' },
  },
  slack: {
    yaml: 'slack: { webhookUrl: "https://hooks.slack.com/services/T0/B0/slack-tok-7781" }',
    secrets: ['slack-tok-7781', 'https://hooks.slack.com/services/T0/B0/slack-tok-7781'],
    printed: { webhookUrl: '***' },
  },
  webhook: {
    yaml: 'webhook: { url: "https://hooks.example/in?token=hook-tok-3390", headers: { Authorization: "Bearer hdr-tok-6621" } }',
    secrets: ['hook-tok-3390', 'Bearer hdr-tok-6621', 'hdr-tok-6621'],
    printed: { url: '***', headers: { Authorization: '***' } },
  },
  discord: {
    yaml: 'discord: { webhookUrl: "https://discord.com/api/webhooks/1122334455/disc-tok-9912" }',
    secrets: ['disc-tok-9912', 'https://discord.com/api/webhooks/1122334455/disc-tok-9912'],
    printed: { webhookUrl: '***' },
  },
  pagerduty: {
    yaml: 'pagerduty: { routingKey: "pd0routing0key0000000000004411" }',
    secrets: ['pd0routing0key0000000000004411'],
    printed: { routingKey: '***', url: 'https://events.pagerduty.com/v2/enqueue' },
  },
  teams: {
    yaml: 'teams: { webhookUrl: "https://prod.logic.example/workflows/wf1/triggers/manual/paths/invoke?sig=teams-sig-5523" }',
    secrets: ['teams-sig-5523'],
    printed: { webhookUrl: '***' },
  },
  ntfy: {
    yaml: 'ntfy: { url: "https://ntfy.example/gpu-alerts-7741", token: "tk_ntfy-token-0042" }',
    secrets: ['gpu-alerts-7741', 'tk_ntfy-token-0042'],
    printed: { url: 'https://ntfy.example/***', token: '***' },
  },
};

const ALL = parseConfigText(
  ['alerts:', '  channels:', ...Object.values(EXAMPLES).map((example) => `    ${example.yaml}`)].join('\n'),
  {},
  'mesh.yaml',
).config;
const DEFAULTS = parseConfigText('', {}, 'mesh.yaml').config;
const NAMES = CHANNELS.map((plugin) => plugin.name);

describe('the channel registry', () => {
  it('names every channel, log first, and a notify job takes exactly those names', () => {
    expect(CHANNEL_NAMES).toEqual(['log', ...NAMES]);
    for (const name of CHANNEL_NAMES)
      expect(notifyPayload.safeParse({ alert: makeAlert(), channel: name }).success).toBe(true);
    expect(notifyPayload.safeParse({ alert: makeAlert(), channel: 'carrier-pigeon' }).success).toBe(false);
  });

  it.each(NAMES)(
    "gives %s its block in the parsed defaults, with SPEC's minSeverity and a 30 s timeout",
    (name) => {
      expect(Object.keys(DEFAULTS.alerts.channels)).toEqual(NAMES);
      expect(DEFAULTS.alerts.channels[name]).toMatchObject({
        minSeverity: SPEC_MIN_SEVERITY[name],
        timeout: 30_000,
      });
    },
  );

  it('refuses an unknown key in a channel block, naming its path', () => {
    expect(() => parseConfigText('alerts: { channels: { ntfy: { topic: x } } }', {}, 'mesh.yaml')).toThrow(
      /alerts\.channels\.ntfy/,
    );
  });

  it('builds log and every configured channel, in registry order, and none from the defaults', () => {
    expect(buildChannels(ALL.alerts.channels, { logger }).map((channel) => channel.name)).toEqual(
      CHANNEL_NAMES,
    );
    expect(buildChannels(DEFAULTS.alerts.channels, { logger }).map((channel) => channel.name)).toEqual([
      'log',
    ]);
  });

  it.each(CHANNELS.map((plugin) => [plugin.name, plugin.onWhenSet] as const))(
    'leaves %s off until every one of %j is set',
    (name, keys) => {
      const configured: Record<string, unknown> = ALL.alerts.channels[name];
      for (const key of keys) {
        const settings = { ...configured, [key]: Array.isArray(configured[key]) ? [] : '' };
        const config = { ...ALL.alerts.channels, [name]: settings } as ChannelsConfig;
        expect(buildChannels(config, { logger }).map((channel) => channel.name)).not.toContain(name);
      }
    },
  );

  it("divides the notify worker's places by the configured channels, whatever their number", () => {
    const channels = new ChannelSet(() => ALL, { logger });
    const delivering = channels.current().filter((channel) => channel.name !== 'log').length;
    expect(delivering).toBe(NAMES.length);
    expect(placesPerChannel(16, delivering)).toBe(2);
  });
});

describe('channel secrets, from the registry', () => {
  it.each(NAMES)('lists the secrets %s declares in the secrets table the process masks with', (name) => {
    const masked = new Secrets(ALL);
    for (const secret of EXAMPLES[name].secrets) {
      expect(masked.mask(`failed with ${secret}.`)).toBe('failed with ***.');
    }
    expect(secretValues(ALL)).toEqual(expect.arrayContaining(channelSecrets(ALL.alerts.channels)));
  });

  it.each(NAMES)('has config check print the %s secrets masked, and nothing else changed', (name) => {
    const rendered = renderConfig(ALL);
    for (const secret of EXAMPLES[name].secrets) expect(rendered).not.toContain(secret);
    const printed = (parseYaml(rendered) as { alerts: { channels: Record<string, unknown> } }).alerts
      .channels[name];
    expect(printed).toEqual({ ...ALL.alerts.channels[name], ...EXAMPLES[name].printed });
  });

  it('lists no channel secret for the defaults', () => {
    expect(channelSecrets(DEFAULTS.alerts.channels)).toEqual([]);
  });
});

describe('a channel module', () => {
  const settings = channelSettings('ERROR', {
    key: z.string().prefault(''),
    hooks: z.record(z.string(), z.string()).prefault({}),
  });
  const create = () => ({
    name: 'pager' as const,
    minSeverity: 'ERROR' as const,
    timeout: 1,
    send: async () => {},
  });

  it('does not compile without its secrets, or with a secret kind that does not fit the field', () => {
    // @ts-expect-error `secrets` is required: a channel cannot be added without saying what is secret.
    const withoutSecrets = defineChannel({ name: 'pager', settings, onWhenSet: ['key'], create });
    const wrongKind = defineChannel({
      name: 'pager',
      settings,
      // @ts-expect-error a text setting cannot be declared as a map of secrets.
      secrets: { key: 'values' },
      onWhenSet: ['key'],
      create,
    });
    const unknownKey = defineChannel({
      name: 'pager',
      settings,
      secrets: { key: 'whole' },
      // @ts-expect-error `onWhenSet` names settings the channel has.
      onWhenSet: ['nope'],
      create,
    });
    const whole = defineChannel({
      name: 'pager',
      settings,
      secrets: { key: 'whole', hooks: 'values' },
      onWhenSet: ['key'],
      create,
    });
    expect([withoutSecrets, wrongKind, unknownKey].every((plugin) => plugin.name === 'pager')).toBe(true);
    expect(whole.secrets).toEqual({ key: 'whole', hooks: 'values' });
  });
});
