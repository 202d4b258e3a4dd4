import { afterEach, describe, expect, it } from 'vitest';
import { readGatewayLoad } from '../../src/mesh/gateway-load.js';
import { readContext, readMesh } from '../../src/mesh/read.js';
import { silenceNode } from '../../src/mesh/silence.js';
import { waitFor } from '../helpers/wait.js';
import { allHealthy, type GatewayHarness, holdStream, startGatewayHarness } from './support.js';

let harness: GatewayHarness;

afterEach(async () => {
  await harness.stop();
});

describe('the gateway follows the mesh', () => {
  it('applies a node state change within a second, reading no Redis per request', async () => {
    // Production periods: silences polled every 500 ms, the whole picture every 15 s.
    harness = await startGatewayHarness({ nodes: 2, tuning: {} });
    await allHealthy(harness);
    // Every command the gateway sends goes through this connection (the subscription aside).
    let commands = 0;
    const send = harness.redis.sendCommand.bind(harness.redis);
    harness.redis.sendCommand = ((...args: Parameters<typeof send>) => {
      commands += 1;
      return send(...args);
    }) as typeof harness.redis.sendCommand;
    for (let i = 0; i < 50; i++) {
      await (await harness.fetch('/api/tags')).arrayBuffer();
      const answer = await harness.post('/api/generate', { model: 'llama3.2', prompt: 'hi', stream: false });
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
    }
    harness.redis.sendCommand = send;
    // The silence poll and the load report run meanwhile: a handful, not one per request.
    expect(commands).toBeLessThan(10);

    let started = performance.now();
    await harness.markFailing('sim-1', 3);
    await harness.waitForServing(1);
    expect(performance.now() - started).toBeLessThan(1000);

    started = performance.now();
    await silenceNode(harness.redis, harness.prefix, 'sim-2', 60_000, 'maintenance', Date.now());
    await harness.waitForServing(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('publishes its per-node load, which /api/mesh shows while it runs', async () => {
    harness = await startGatewayHarness({ nodes: 2 });
    harness.simulator.setStream('sim-1', { tokens: 1000, chunkDelayMs: 20 });
    harness.simulator.setStream('sim-2', { tokens: 1000, chunkDelayMs: 20 });
    await allHealthy(harness);
    const held = await holdStream(harness, 'long');
    const load = await waitFor(async () => {
      const loads = await readGatewayLoad(harness.redis, harness.prefix, Date.now());
      const node = loads.get(held.node ?? '');
      return node && node.inFlight === 1 ? loads : null;
    }, 'the load report');
    expect(load.get(held.node ?? '')?.requestsPerMinute).toBeGreaterThan(0);

    const context = await readContext(harness.redis, harness.config, Date.now());
    const mesh = await readMesh(context);
    const shown = mesh.nodes.find((node) => node.id === held.node);
    expect(shown).toMatchObject({ gateway: { inFlight: 1, requestsPerMinute: expect.any(Number) } });
    held.release();
    await harness.gateway.close();
    const gone = await readGatewayLoad(harness.redis, harness.prefix, Date.now());
    expect(gone.size).toBe(0);
    const without = await readMesh(await readContext(harness.redis, harness.config, Date.now()));
    expect(without.nodes[0]).not.toHaveProperty('gateway');
  });
});
