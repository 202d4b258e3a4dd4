import { describe, expect, it } from 'vitest';
import { createProbeAgents, destroyProbeAgents } from '../../src/probes/http-pools.js';
import { probeNode } from '../../src/probes/probe.js';
import { startSimulator } from '../../src/simulator/index.js';
import { httpRequest } from '../probes/support.js';

const NODES = 10_000;
// Probing all of them from this process would need another two descriptors per node (ulimit -n
// is 20,000 here); a spread-out sample proves every part of the range answers.
const SAMPLE_EVERY = 97;

describe('startSimulator at fleet scale', () => {
  it('serves 10,000 nodes from one process with little memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    const simulator = await startSimulator({ count: NODES, controlPort: 0 });
    const agents = createProbeAgents();
    try {
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
      const sample = simulator.nodes.filter(
        (_node, index) => index % SAMPLE_EVERY === 0 || index === NODES - 1,
      );
      const results = await Promise.all(
        sample.map((node) => probeNode(node.url, { timeoutMs: 5000, deep: null, agents })),
      );
      expect(results.filter((result) => !result.ok)).toEqual([]);
      const listed = JSON.parse((await httpRequest(`${simulator.controlUrl}/nodes`)).body) as unknown[];
      expect(listed).toHaveLength(NODES);
      expect(listed.at(-1)).toMatchObject({ id: `sim-${NODES}`, mode: 'healthy' });
    } finally {
      destroyProbeAgents(agents);
      await simulator.close();
    }
  }, 60_000);
});
