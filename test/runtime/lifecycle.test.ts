import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/runtime/lifecycle.js';

const logger = pino({ level: 'silent' });

describe('Lifecycle', () => {
  it('releases what it holds last acquired first', async () => {
    const order: string[] = [];
    const lifecycle = new Lifecycle(logger);
    for (const name of ['redis', 'queue', 'worker', 'server'])
      lifecycle.hold(name, name, (n) => order.push(n));
    expect(await lifecycle.releaseAll()).toBe(true);
    expect(order).toEqual(['server', 'worker', 'queue', 'redis']);
  });

  it("runs one stage's releasers together, where the walk meets the first of them", async () => {
    const events: string[] = [];
    const lifecycle = new Lifecycle(logger);
    const slow = (name: string) => async () => {
      events.push(`${name} start`);
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`${name} end`);
    };
    lifecycle.hold(null, 'redis', slow('redis'));
    lifecycle.hold(null, 'checks', slow('checks'), 'workers');
    lifecycle.hold(null, 'queue', slow('queue'));
    lifecycle.hold(null, 'alerts', slow('alerts'), 'workers');
    lifecycle.hold(null, 'server', slow('server'));
    await lifecycle.releaseAll();
    expect(events).toEqual([
      'server start',
      'server end',
      'alerts start',
      'checks start',
      'alerts end',
      'checks end',
      'queue start',
      'queue end',
      'redis start',
      'redis end',
    ]);
  });

  it('goes on past a releaser that fails, and says it was not clean', async () => {
    const released: string[] = [];
    const lifecycle = new Lifecycle(logger);
    lifecycle.hold('a', 'a', (n) => released.push(n));
    lifecycle.hold('b', 'b', () => {
      throw new Error('stuck');
    });
    lifecycle.hold('c', 'c', (n) => released.push(n));
    expect(await lifecycle.releaseAll()).toBe(false);
    expect(released).toEqual(['c', 'a']);
  });

  it('releases what a start acquired before it threw, and rethrows', async () => {
    const released: string[] = [];
    const lifecycle = new Lifecycle(logger);
    await expect(
      lifecycle.starting(async () => {
        lifecycle.hold('worker', 'worker', (n) => released.push(n));
        lifecycle.hold('queue', 'queue', (n) => released.push(n));
        throw new Error('port 3000 in use');
      }),
    ).rejects.toThrow('port 3000 in use');
    expect(released).toEqual(['queue', 'worker']);
    expect(await lifecycle.releaseAll()).toBe(true);
  });
});
