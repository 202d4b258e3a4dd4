import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../src/simulator/command.js';
import { httpRequest } from '../probes/support.js';

describe('runSimulate', () => {
  it('prints one line per node and the control URL', async () => {
    const lines: string[] = [];
    const session = await runSimulate({ nodes: 3, port: 0, log: (line) => lines.push(line) });
    try {
      const { nodes, controlUrl } = session.simulator;
      expect(lines).toEqual([
        ...nodes.map((node) => `${node.id}  ${node.url}`),
        `control: ${controlUrl}  (GET /nodes · POST /nodes/<id>/mode {"mode":"dead"})`,
      ]);
    } finally {
      await session.close();
    }
  });

  it('sums up a large fleet in one line', async () => {
    const lines: string[] = [];
    const session = await runSimulate({
      nodes: 25,
      port: 0,
      controlPort: null,
      log: (line) => lines.push(line),
    });
    try {
      const last = session.simulator.nodes[24];
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^25 simulated Ollama nodes: sim-1 http:\/\/127\.0\.0\.1:\d+ … sim-25 /);
      expect(lines[0]?.endsWith(`${last?.url}`)).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('stops the nodes on SIGTERM', async () => {
    const lines: string[] = [];
    const session = await runSimulate({ nodes: 1, port: 0, log: (line) => lines.push(line) });
    const url = session.simulator.nodes[0]?.url ?? '';
    expect((await httpRequest(`${url}/`)).status).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    await session.closed;
    expect(lines.at(-1)).toBe('SIGTERM: stopping the simulated nodes');
    await expect(httpRequest(`${url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(process.listenerCount('SIGTERM')).toBe(0);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});
