import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { probeNode } from '../../src/probes/probe.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';

const TIMEOUT_MS = 300;

let simulator: Simulator;
const agents = createProbeAgents();

beforeAll(async () => {
  simulator = await startSimulator({ count: 1 });
});

afterEach(async () => {
  await simulator.setMode('sim-1', 'healthy');
});

afterAll(async () => {
  destroyProbeAgents(agents);
  await simulator.close();
});

function url(): string {
  return simulator.nodes[0]?.url ?? '';
}

function probe(options: { timeoutMs?: number; now?: () => number } = {}) {
  return probeNode(url(), {
    timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
    deep: null,
    agents,
    now: options.now,
  });
}

async function failureOf(options: { timeoutMs?: number } = {}): Promise<{ failure: string; error: string }> {
  const result = await probe(options);
  if (result.ok) throw new Error('expected the check to fail');
  return { failure: result.failure, error: result.error };
}

describe('probeNode', () => {
  it('reads the version, the model count and the loaded models of a healthy node', async () => {
    const result = await probe();
    expect(result).toMatchObject({
      ok: true,
      version: '0.12.3',
      models: 4,
      loadedModels: [{ name: 'llama3.2:latest', size: 2019393189, sizeVram: 2019393189 }],
      deep: null,
      signals: [],
    });
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('asks /api/version, /api/tags and /api/ps once each', async () => {
    const before = simulator.requests('sim-1');
    await probe();
    const after = simulator.requests('sim-1');
    for (const path of ['/api/version', '/api/tags', '/api/ps']) {
      expect((after[path] ?? 0) - (before[path] ?? 0)).toBe(1);
    }
  });

  it('fails with connection refused when the node is dead', async () => {
    await simulator.setMode('sim-1', 'dead');
    expect(await failureOf()).toEqual({ failure: 'connection', error: 'connection refused' });
  });

  it('passes again once a dead node is back, on the same port', async () => {
    const port = simulator.nodes[0]?.port;
    await probe();
    await simulator.setMode('sim-1', 'dead');
    await simulator.setMode('sim-1', 'healthy');
    expect(simulator.nodes[0]?.port).toBe(port);
    expect((await probe()).ok).toBe(true);
  });

  it('gives up on a hanging node at the deadline', async () => {
    await simulator.setMode('sim-1', 'hang');
    const started = performance.now();
    expect(await failureOf()).toEqual({ failure: 'timeout', error: 'timeout after 300 ms' });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 100);
  });

  it('holds all three requests to one deadline', async () => {
    // 120 ms per answer: each request fits in 300 ms, the three together do not.
    await simulator.setMode('sim-1', 'slow', { delayMs: 120 });
    expect(await failureOf()).toEqual({ failure: 'timeout', error: 'timeout after 300 ms' });
  });

  it('passes a slow node that answers within the deadline', async () => {
    await simulator.setMode('sim-1', 'slow', { delayMs: 20 });
    expect((await probe()).ok).toBe(true);
  });

  it('fails a node slower than the deadline with a timeout', async () => {
    await simulator.setMode('sim-1', 'slow', { delayMs: 1000 });
    expect(await failureOf()).toEqual({ failure: 'timeout', error: 'timeout after 300 ms' });
  });

  it('says it got HTML when a page answers instead of the API', async () => {
    await simulator.setMode('sim-1', 'html');
    expect(await failureOf()).toEqual({
      failure: 'invalid',
      error: 'invalid JSON from /api/version (got HTML)',
    });
  });

  it('fails broken JSON as invalid', async () => {
    await simulator.setMode('sim-1', 'garbage');
    expect(await failureOf()).toEqual({ failure: 'invalid', error: 'invalid JSON from /api/version' });
  });

  it("reports Ollama's error message for a 500", async () => {
    await simulator.setMode('sim-1', 'error');
    expect(await failureOf()).toEqual({ failure: 'http', error: 'HTTP 500: CUDA error: out of memory' });
  });

  it('calls a 403 forbidden and says what to check', async () => {
    await simulator.setMode('sim-1', 'forbidden');
    expect(await failureOf()).toEqual({
      failure: 'forbidden',
      error:
        'HTTP 403 from /api/version: Ollama refused the request (Host/Origin not allowed: check OLLAMA_HOST / OLLAMA_ORIGINS or the proxy)',
    });
  });

  it('stops reading an endless body at 1 MiB without growing the process', async () => {
    await simulator.setMode('sim-1', 'huge');
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 5; i++) {
      expect(await failureOf({ timeoutMs: 5000 })).toEqual({
        failure: 'too_large',
        error: 'body too large (over 1 MiB) from /api/version',
      });
    }
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('signals gpu_fallback when a loaded model is partly on the CPU', async () => {
    await simulator.setMode('sim-1', 'cpu_fallback');
    const result = await probe();
    expect(result.ok && result.signals).toEqual([
      {
        kind: 'gpu_fallback',
        model: 'llama3.2:latest',
        size: 2019393189,
        sizeVram: Math.floor(2019393189 * 0.6),
      },
    ]);
  });

  it('signals stuck_model when a loaded model expired minutes ago', async () => {
    await simulator.setMode('sim-1', 'stuck');
    const result = await probe();
    expect(result.ok && result.signals).toMatchObject([{ kind: 'stuck_model', model: 'llama3.2:latest' }]);
  });

  it('judges expiry against the clock it is given', async () => {
    const tenMinutesLater = () => Date.now() + 10 * 60_000;
    const result = await probe({ now: tenMinutesLater });
    expect(result.ok && result.signals).toMatchObject([{ kind: 'stuck_model' }]);
  });

  it('fails a port nobody listens on with connection refused', async () => {
    const result = await probeNode('http://127.0.0.1:1', { timeoutMs: TIMEOUT_MS, deep: null, agents });
    expect(result).toMatchObject({ ok: false, failure: 'connection', error: 'connection refused' });
  });

  it('fails a host that does not resolve with host not found', async () => {
    const result = await probeNode('http://gpu-node.invalid:11434', { timeoutMs: 2000, deep: null, agents });
    expect(result.ok ? '' : result.error).toMatch(/^host not found/);
  });

  it('fails a URL that is not http(s) without sending anything', async () => {
    const result = await probeNode('ftp://gpu-1', { timeoutMs: TIMEOUT_MS, deep: null, agents });
    expect(result).toMatchObject({
      ok: false,
      failure: 'connection',
      error: 'not an http(s) URL: ftp://gpu-1',
    });
  });
});
