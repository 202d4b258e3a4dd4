import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { maskConfig, renderConfig, secretValues } from '../../src/config/mask.js';
import { parseConfigText } from '../../src/config/parse.js';
import { Secrets } from '../../src/config/secrets.js';

const SECRETS = {
  serverPassword: 'srv-Pa55word',
  redisPassword: 'redis-s3cret',
  smtpPassword: 'smtp-s3cret',
  slackUrl: 'https://hooks.slack.com/services/T000/B000/slack-token-xyz',
  webhookUrl: 'https://alerts.example/hook?token=webhook-token-abc',
  webhookHeader: 'Bearer webhook-header-token',
  heartbeatUrl: 'https://hc-ping.example/heartbeat-uuid-123',
  nodePassword: 'node-basic-pw',
  recoveryHeader: 'Bearer recovery-header-token',
  recoveryBody: '{"apiKey":"recovery-body-key"}',
  recoveryPathToken: 'rec-path-tok-4b2',
  recoveryQueryToken: 'rec-query-tok-8c1',
};

const TEXT = `
redis: { url: "redis://:${SECRETS.redisPassword}@redis.internal:6379" }
heartbeat: { url: "${SECRETS.heartbeatUrl}" }
alerts:
  channels:
    email: { smtp: "smtp://alerts:${SECRETS.smtpPassword}@mail.example:587", from: a@b.c, to: [ops@b.c] }
    slack: { webhookUrl: "${SECRETS.slackUrl}" }
    webhook: { url: "${SECRETS.webhookUrl}", headers: { Authorization: "${SECRETS.webhookHeader}" } }
server: { password: "${SECRETS.serverPassword}" }
nodes:
  - id: gpu-1
    url: "http://ollama:${SECRETS.nodePassword}@gpu-1:11434"
    recovery:
      kind: http
      url: "https://cloud.example/hooks/${SECRETS.recoveryPathToken}/restart?key=${SECRETS.recoveryQueryToken}"
      headers: { Authorization: "${SECRETS.recoveryHeader}" }
      body: '${SECRETS.recoveryBody}'
  - id: gpu-2
    url: http://gpu-2:11434
`;

const { config } = parseConfigText(TEXT, {}, 'mesh.yaml');

describe('renderConfig', () => {
  const rendered = renderConfig(config);

  it.each(Object.entries(SECRETS))('never shows the %s', (_name, secret) => {
    expect(rendered).not.toContain(secret);
  });

  it('keeps the non-secret parts of URLs readable', () => {
    const printed = parseYaml(rendered);
    expect(printed.redis.url).toBe('redis://:***@redis.internal:6379');
    expect(printed.alerts.channels.email.smtp).toBe('smtp://alerts:***@mail.example:587');
    expect(printed.nodes[0].url).toBe('http://ollama:***@gpu-1:11434');
    expect(printed.nodes[1].url).toBe('http://gpu-2:11434');
  });

  it('masks token-carrying URLs, header values and bodies entirely', () => {
    const printed = parseYaml(rendered);
    expect(printed.alerts.channels.slack.webhookUrl).toBe('***');
    expect(printed.alerts.channels.webhook).toMatchObject({ url: '***', headers: { Authorization: '***' } });
    expect(printed.heartbeat.url).toBe('***');
    expect(printed.server.password).toBe('***');
    expect(printed.nodes[0].recovery).toMatchObject({ headers: { Authorization: '***' }, body: '***' });
  });

  it("masks an http recovery URL's path and query (they carry its token), keeping its origin", () => {
    expect(parseYaml(rendered).nodes[0].recovery.url).toBe('https://cloud.example/***');
  });

  it('prints durations as milliseconds', () => {
    expect(parseYaml(rendered).checks.interval).toBe(30_000);
  });

  it('leaves unset secrets empty rather than masked', () => {
    const printed = parseYaml(renderConfig(parseConfigText('', {}, 'mesh.yaml').config));
    expect(printed.server.password).toBe('');
    expect(printed.alerts.channels.slack.webhookUrl).toBe('');
  });
});

describe('maskConfig', () => {
  it('does not touch the config it masks', () => {
    const before = structuredClone(config);
    maskConfig(config);
    expect(config).toEqual(before);
  });
});

describe('secretValues', () => {
  it.each(Object.entries(SECRETS))(
    'lists the %s, or a secret that masks it, for the logger',
    (_name, secret) => {
      expect(new Secrets(config).mask(`at ${secret}.`)).toBe('at ***.');
    },
  );

  it('lists a URL password both as written and decoded', () => {
    const { config: encoded } = parseConfigText('redis: { url: "redis://:p%40ss@h:6379" }', {}, 'mesh.yaml');
    expect(secretValues(encoded)).toEqual(['p%40ss', 'p@ss']);
  });

  it('is empty for the defaults', () => {
    expect(secretValues(parseConfigText('', {}, 'mesh.yaml').config)).toEqual([]);
  });
});
