import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, 'fixtures/idle-cost.mjs');

interface IdleCost {
  count: number;
  heapAndExternalMB: number;
  bytesPerNode: number;
  idleCpuPercent: number;
}

describe('the idle cost of the keep-alive watch (the built watcher, a node stand-in in another process)', () => {
  it('holds 2,000 idle connections in about 1.3 KB of heap each, and sleeps between touches', async () => {
    // The 10,000-node numbers in docs/checks.md come from the same script: `idle-cost.mjs 10000 watch 20`.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', SCRIPT, '2000', 'watch', '3'],
      { timeout: 60_000 },
    );
    const cost = JSON.parse(stdout.trim()) as IdleCost;
    console.log(`idle cost: ${JSON.stringify(cost)}`);
    expect(cost.count).toBe(2000);
    // Node's own net.Socket is about 1 KB of it; the watch's record, strings and wheel slot the rest.
    expect(cost.bytesPerNode).toBeLessThan(2500);
    // A loaded CI machine inflates this; an idle watcher measures like an empty process (~0.2 %).
    expect(cost.idleCpuPercent).toBeLessThan(5);
  }, 90_000);
});
