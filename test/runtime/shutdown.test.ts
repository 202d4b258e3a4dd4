import { describe, expect, it } from 'vitest';
import { closeWithin, settlesWithin, shutdownExitCode } from '../../src/runtime/shutdown.js';

const never = new Promise<never>(() => {});

describe('closeWithin', () => {
  it('is clean when the close ends in time and says all went well', async () => {
    expect(await closeWithin(async () => true, 1000, never)).toBe('clean');
  });

  it('is unclean when the close ends in time but some part did not close, or it throws', async () => {
    expect(await closeWithin(async () => false, 1000, never)).toBe('unclean');
    expect(
      await closeWithin(
        async () => {
          throw new Error('boom');
        },
        1000,
        never,
      ),
    ).toBe('unclean');
  });

  it('gives up at the deadline on a close that never ends', async () => {
    const started = Date.now();
    expect(await closeWithin(() => never, 100, never)).toBe('deadline');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives up at once when forced (a second signal)', async () => {
    expect(await closeWithin(() => never, 60_000, Promise.resolve('SIGTERM'))).toBe('forced');
  });
});

describe('shutdownExitCode', () => {
  it('is 0 for a clean shutdown and 1 for one cut short', () => {
    expect(shutdownExitCode('clean')).toBe(0);
    expect(shutdownExitCode('unclean')).toBe(1);
    expect(shutdownExitCode('deadline')).toBe(1);
    expect(shutdownExitCode('forced')).toBe(1);
  });
});

describe('settlesWithin', () => {
  it('says whether a promise settled (either way) in time', async () => {
    expect(await settlesWithin(Promise.resolve(1), 100)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('x')), 100)).toBe(true);
    expect(await settlesWithin(never, 50)).toBe(false);
  });
});
