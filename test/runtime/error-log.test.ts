import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { errorLine, logErrors, markLogged, oneLine } from '../../src/runtime/error-log.js';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describe('errorLine', () => {
  it('writes one line per window, then says how many it left out', () => {
    const { logger, lines } = capturedLogger();
    let now = 0;
    const report = errorLine(logger, 'health-check queue', 60_000, () => now);
    report(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    for (now = 2000; now < 60_000; now += 2000) report(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(lines).toHaveLength(1);
    now = 60_000;
    report(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 50,
      component: 'health-check queue',
      msg: 'health-check queue: connect ECONNREFUSED 127.0.0.1:6379',
    });
    expect(lines[1]).toMatchObject({
      leftOut: 29,
      msg: expect.stringContaining('(29 more since the last line)'),
    });
  });

  it('stays quiet about errors their connection logged already', () => {
    const { logger, lines } = capturedLogger();
    const report = errorLine(logger, 'stats queue');
    const echoed = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    markLogged(echoed);
    report(echoed);
    expect(lines).toHaveLength(0);
    report(new Error('NOSCRIPT No matching script'));
    expect(lines).toHaveLength(1);
  });
});

describe('logErrors', () => {
  it('gives an emitter an error listener, so an error event no longer throws', () => {
    const { logger, lines } = capturedLogger();
    const emitter = logErrors(new EventEmitter(), logger, 'notify worker');
    expect(() => emitter.emit('error', new Error('Missing lock for job 7'))).not.toThrow();
    expect(lines[0]).toMatchObject({ component: 'notify worker', err: 'Missing lock for job 7' });
  });
});

describe('oneLine', () => {
  it('puts a multi-line message on one line, and takes thrown non-errors too', () => {
    expect(oneLine(new Error('first\n   second\nthird'))).toBe('first second third');
    expect(oneLine('plain reason')).toBe('plain reason');
    expect(oneLine(undefined)).toBe('undefined');
  });
});
