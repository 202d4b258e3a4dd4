import { describe, expect, it } from 'vitest';
import { DeliverySlots, placesPerChannel } from '../../src/jobs/notify.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function clock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('placesPerChannel', () => {
  it('gives each configured channel an equal share of the worker, at least one place', () => {
    expect(placesPerChannel(16, 3)).toBe(5);
    expect(placesPerChannel(16, 1)).toBe(16);
    expect(placesPerChannel(16, 0)).toBe(16);
    expect(placesPerChannel(2, 3)).toBe(1);
  });

  it('leaves every channel its share when all of them hang at once', () => {
    for (const channels of [1, 2, 3, 4, 7]) {
      expect(placesPerChannel(16, channels) * channels).toBeLessThanOrEqual(16);
    }
  });
});

describe('DeliverySlots', () => {
  it("refuses a channel's delivery once its places are taken, and never another channel's", () => {
    const time = clock();
    const slots = new DeliverySlots(() => 2, time.now);

    const first = slots.take('email');
    const second = slots.take('email');

    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(slots.take('email')).toBeNull();
    expect(slots.take('slack')).not.toBeNull();
    expect(slots.take('webhook')).not.toBeNull();
    first?.();
    expect(slots.take('email')).not.toBeNull();
    expect(slots.running('email')).toBe(2);
  });

  it('releases a place once, however often its release is called', () => {
    const slots = new DeliverySlots(() => 1, clock().now);
    const release = slots.take('email');
    release?.();
    release?.();
    expect(slots.take('email')).not.toBeNull();
    expect(slots.take('email')).toBeNull();
  });

  it('follows a change of the cap (a reload that adds or removes channels)', () => {
    let places = 1;
    const slots = new DeliverySlots(() => places, clock().now);
    slots.take('slack');
    expect(slots.take('slack')).toBeNull();
    places = 2;
    expect(slots.take('slack')).not.toBeNull();
  });

  it('postpones briefly while the oldest delivery is young, longer as it hangs, never beyond 5 s', () => {
    const time = clock();
    const slots = new DeliverySlots(() => 1, time.now);
    slots.take('email');

    expect(slots.retryAt('email')).toBe(T0 + 250);
    time.advance(1200);
    expect(slots.retryAt('email')).toBe(T0 + 1200 + 1200);
    time.advance(60_000);
    expect(slots.retryAt('email')).toBe(T0 + 61_200 + 5000);
  });
});
