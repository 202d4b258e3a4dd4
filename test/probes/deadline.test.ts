import { describe, expect, it } from 'vitest';
import { sharedDeadline } from '../../src/probes/node-request.js';
import { waitFor } from '../helpers/wait.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('sharedDeadline', () => {
  it('gives checks started in one turn one deadline, and a later turn its own', async () => {
    const first = sharedDeadline(50);
    const second = sharedDeadline(50);
    const other = sharedDeadline(70);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    await nextTurn();
    const later = sharedDeadline(50);
    expect(later).not.toBe(first);
    for (const deadline of [first, second, other, later]) deadline.clear();
  });

  it('still fires for the checks left when one of them is done', async () => {
    const early = sharedDeadline(30);
    const slow = sharedDeadline(30);
    early.clear();
    await waitFor(async () => slow.signal.aborted, 'the shared deadline to fire', 2000);
    expect(slow.signal.aborted).toBe(true);
  });

  it('fires for nobody once every check under it is done', async () => {
    const a = sharedDeadline(20);
    const b = sharedDeadline(20);
    a.clear();
    b.clear();
    const probe = sharedDeadline(60);
    await waitFor(async () => probe.signal.aborted, 'a longer deadline to pass', 2000);
    expect(a.signal.aborted).toBe(false);
  });

  it('is not handed out again once cleared within its turn', () => {
    const done = sharedDeadline(40);
    done.clear();
    const fresh = sharedDeadline(40);
    expect(fresh).not.toBe(done);
    fresh.clear();
  });
});
