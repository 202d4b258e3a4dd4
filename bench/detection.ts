/**
 * Detection latency: nodes killed at random moments (through the simulator's control endpoint);
 * time from kill to `unhealthy`, with and without the keep-alive watch, next to the bound the
 * schedule allows without it (up to one interval before the first failure, plus the confirmations).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeStore } from '../src/mesh/store.js';
import { meshConfigYaml, startFleet, startMesh } from './fleet.js';
import { percentile } from './measure.js';

const INTERVAL_MS = 5000;
const RETRY_MS = 250;
const UNHEALTHY_AFTER = 3;

async function setMode(controlPort: number, id: string, mode: string): Promise<void> {
  await fetch(`http://127.0.0.1:${controlPort}/nodes/${id}/mode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
  });
}

export async function runDetection(trials: number, watch: boolean) {
  const firstPort = watch ? 24001 : 25001;
  const fleet = await startFleet(trials, firstPort);
  const prefix = watch ? 'detect-watch' : 'detect';
  const configPath = join(mkdtempSync(join(tmpdir(), 'gpu-mesh-detect-')), 'mesh.yaml');
  const checks = `{ interval: ${INTERVAL_MS}ms, retryInterval: ${RETRY_MS}ms, timeout: 1s, unhealthyAfter: ${UNHEALTHY_AFTER} }`;
  writeFileSync(configPath, meshConfigYaml(fleet, prefix, `${INTERVAL_MS}ms`, { checks, watch }));
  const mesh = startMesh(configPath);
  const store = new NodeStore(fleet.client, prefix);
  const ids = Array.from({ length: trials }, (_, i) => `n${i + 1}`);
  try {
    const allHealthy = async () => (await store.readMany(ids)).every((s) => s.state.status === 'healthy');
    const deadline = Date.now() + 30_000;
    while (!(await allHealthy()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // Kill each node at a random moment of one interval; watch every node's status.
    const killedAt = new Map<string, number>();
    const detectedAfter = new Map<string, number>();
    ids.forEach((id, index) => {
      setTimeout(() => {
        killedAt.set(id, Date.now());
        // The simulator names its nodes sim-1, sim-2 …; the mesh calls them n1, n2 ….
        void setMode(firstPort - 1, `sim-${index + 1}`, 'dead');
      }, Math.random() * INTERVAL_MS);
    });
    const end = Date.now() + INTERVAL_MS + 20_000;
    while (detectedAfter.size < trials && Date.now() < end) {
      const states = await store.readMany(ids);
      states.forEach((stored, index) => {
        const id = ids[index] as string;
        const at = killedAt.get(id);
        if (at !== undefined && !detectedAfter.has(id) && stored.state.status === 'unhealthy') {
          detectedAfter.set(id, Date.now() - at);
        }
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    const sorted = [...detectedAfter.values()].sort((a, b) => a - b);
    return {
      bench: 'detection',
      watch,
      trials,
      detected: sorted.length,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted.at(-1) ?? Number.NaN,
      boundMs: INTERVAL_MS + (UNHEALTHY_AFTER - 1) * RETRY_MS,
    };
  } finally {
    mesh.kill('SIGTERM');
    await new Promise((done) => mesh.once('exit', done));
    await fleet.close();
  }
}
