import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogChannel } from '../../src/alerts/channels/log.js';
import { makeAlert, makeContext } from './helpers.js';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

describe('the log channel', () => {
  it('is always on and takes every severity', () => {
    const { logger } = capturingLogger();
    const channel = createLogChannel(logger);
    expect(channel.name).toBe('log');
    expect(channel.minSeverity).toBe('INFO');
  });

  it.each([
    ['INFO', 30],
    ['WARNING', 40],
    ['ERROR', 50],
    ['CRITICAL', 60],
  ] as const)('writes a %s alert at pino level %i with the alert as a field', async (severity, level) => {
    const { logger, lines } = capturingLogger();
    const alert = makeAlert({ severity });

    await createLogChannel(logger).send(alert, makeContext(), new AbortController().signal);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level, alert, msg: alert.title });
  });
});
