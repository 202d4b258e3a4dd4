import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { Secrets } from '../../src/config/secrets.js';
import { createLogger, type Logger } from '../../src/runtime/logger.js';

async function loggerWith(secrets: Secrets): Promise<{ logger: Logger; lines: string[] }> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = await createLogger({ level: 'info', file: '', secrets, pretty: false, destination });
  return { logger, lines };
}

const configWith = (yaml: string) => parseConfigText(yaml, {}, 'mesh.yaml').config;

describe('the service logger', () => {
  it('masks a secret containing a quote and a backslash, in the message and in fields', async () => {
    const password = 'pa"ss\\w0rd-7';
    const secrets = new Secrets(configWith(`server: { password: ${JSON.stringify(password)} }`));
    const { logger, lines } = await loggerWith(secrets);
    logger.info({ err: `login with ${password} refused` }, `tried ${password}`);
    const line = lines.join('');
    expect(line).toContain('"msg":"tried ***"');
    expect(line).toContain('"err":"login with *** refused"');
    expect(line).not.toContain('ss\\\\w0rd');
    expect(JSON.parse(line).msg).toBe('tried ***');
  });

  it('masks a secret that a reload brought in, from the next line on', async () => {
    const secrets = new Secrets(configWith('nodes: []'));
    const { logger, lines } = await loggerWith(secrets);
    secrets.update(
      configWith(
        'alerts: { channels: { slack: { webhookUrl: "https://hooks.slack.example/T1/B2/new-tok-8d" } } }',
      ),
    );
    logger.warn('slack at https://hooks.slack.example/T1/B2/new-tok-8d answered 500 for /T1/B2/new-tok-8d');
    const line = lines.join('');
    expect(line).toContain('slack at *** answered 500 for ***');
    expect(line).not.toContain('new-tok-8d');
  });
});
