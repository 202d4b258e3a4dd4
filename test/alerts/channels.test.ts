import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildChannels, type ChannelsConfig } from '../../src/alerts/channels/index.js';
import { parseConfigText } from '../../src/config/parse.js';

const logger = pino({ level: 'silent' });

/** Every channel at its defaults (none configured), with `overrides`. */
function config(overrides: Partial<ChannelsConfig> = {}): ChannelsConfig {
  return { ...parseConfigText('', {}, 'mesh.yaml').config.alerts.channels, ...overrides };
}

describe('buildChannels', () => {
  it('builds only the log channel from the defaults', () => {
    expect(buildChannels(config(), { logger }).map((c) => c.name)).toEqual(['log']);
  });

  it('builds every configured channel with its minSeverity', () => {
    const channels = buildChannels(
      config({
        email: {
          minSeverity: 'ERROR',
          smtp: 'smtp://u:p@mail.example.test:587',
          from: 'a@x.test',
          to: ['b@x.test'],
          timeout: 30_000,
        },
        slack: {
          minSeverity: 'CRITICAL',
          webhookUrl: 'https://hooks.slack.com/services/T/B/X',
          timeout: 30_000,
        },
        webhook: { minSeverity: 'WARNING', url: 'https://example.test/hook', headers: {}, timeout: 30_000 },
      }),
      { logger },
    );
    expect(channels.map((c) => [c.name, c.minSeverity])).toEqual([
      ['log', 'INFO'],
      ['email', 'ERROR'],
      ['slack', 'CRITICAL'],
      ['webhook', 'WARNING'],
    ]);
  });

  it('leaves e-mail off until smtp, from and to are all set', () => {
    const withoutTo = config({
      email: {
        minSeverity: 'CRITICAL',
        smtp: 'smtp://mail.example.test',
        from: 'a@x.test',
        to: [],
        timeout: 30_000,
      },
    });
    expect(buildChannels(withoutTo, { logger }).map((c) => c.name)).toEqual(['log']);
  });

  it('refuses an unusable URL at startup without quoting it', () => {
    const bad = config({
      slack: { minSeverity: 'CRITICAL', webhookUrl: 'hooks.slack.com/services/SECRET', timeout: 30_000 },
    });
    expect(() => buildChannels(bad, { logger })).toThrow(
      'alerts.channels.slack.webhookUrl: not an http(s) URL',
    );
    const badSmtp = config({
      email: {
        minSeverity: 'CRITICAL',
        smtp: 'mail.example.test:SECRET',
        from: 'a@x.test',
        to: ['b@x.test'],
        timeout: 30_000,
      },
    });
    expect(() => buildChannels(badSmtp, { logger })).toThrow(/^alerts\.channels\.email\.smtp: (?!.*SECRET)/);
  });
});
