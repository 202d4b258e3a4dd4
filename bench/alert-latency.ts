/**
 * Kill -> alert delivered, the number a user compares with Prometheus or Uptime Kuma: one node of
 * six crashes alone (mass-failure folding in force) at a random moment of its interval, at the
 * default checks (interval 30 s, retryInterval 5 s, timeout 5 s, unhealthyAfter 3); time from the
 * kill to `unhealthy` (read from Redis) and to its ERROR arriving at a webhook. One crash at a
 * time: each node is revived and healthy again before the next is killed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeStore } from '../src/mesh/store.js';
import { meshConfigYaml, startFleet, startMesh } from './fleet.js';
import { percentile } from './measure.js';

const NODES = 6;

interface Timings {
  unhealthyMs: number;
  deliveredMs: number;
}

async function setMode(controlPort: number, index: number, mode: string): Promise<void> {
  // The simulator names its nodes sim-1, sim-2 …; the mesh calls them n1, n2 ….
  await fetch(`http://127.0.0.1:${controlPort}/nodes/sim-${index + 1}/mode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
  });
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

export async function runAlertLatency(trials: number, watch: boolean, intervalMs = 30_000) {
  const firstPort = watch ? 26001 : 27001;
  const fleet = await startFleet(NODES, firstPort);
  const arrivals = new Map<string, number>();
  const webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const alert = JSON.parse(body) as { kind: string; nodeId: string | null };
      if (alert.kind === 'unhealthy' && alert.nodeId && !arrivals.has(alert.nodeId))
        arrivals.set(alert.nodeId, Date.now());
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  const prefix = watch ? 'alert-watch' : 'alert';
  const configPath = join(mkdtempSync(join(tmpdir(), 'gpu-mesh-alert-')), 'mesh.yaml');
  const yaml = meshConfigYaml(fleet, prefix, `${intervalMs}ms`, {
    checks: `{ interval: ${intervalMs}ms }`,
    watch,
    extra: `alerts: { channels: { webhook: { minSeverity: ERROR, url: "${hook}" } } }`,
  });
  writeFileSync(configPath, yaml);
  const mesh = startMesh(configPath);
  const store = new NodeStore(fleet.client, prefix);
  const ids = Array.from({ length: NODES }, (_, i) => `n${i + 1}`);
  const status = async (id: string) => (await store.read(id)).state.status;
  const timings: Timings[] = [];
  try {
    const allHealthy = async () => (await store.readMany(ids)).every((s) => s.state.status === 'healthy');
    await until(allHealthy, 2 * intervalMs + 10_000);
    for (let trial = 0; trial < trials; trial++) {
      const index = trial % NODES;
      const id = ids[index] as string;
      arrivals.delete(id);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalMs));
      const killedAt = Date.now();
      await setMode(firstPort - 1, index, 'dead');
      let unhealthyAt = 0;
      await until(async () => {
        if (unhealthyAt === 0 && (await status(id)) === 'unhealthy') unhealthyAt = Date.now();
        return unhealthyAt > 0 && arrivals.has(id);
      }, 3 * intervalMs);
      const deliveredAt = arrivals.get(id);
      if (unhealthyAt > 0 && deliveredAt !== undefined)
        timings.push({ unhealthyMs: unhealthyAt - killedAt, deliveredMs: deliveredAt - killedAt });
      await setMode(firstPort - 1, index, 'healthy');
      await until(async () => (await status(id)) === 'healthy', 2 * intervalMs + 10_000);
    }
    const unhealthy = timings.map((t) => t.unhealthyMs).sort((a, b) => a - b);
    const delivered = timings.map((t) => t.deliveredMs).sort((a, b) => a - b);
    return {
      bench: 'alert-latency',
      watch,
      intervalMs,
      trials,
      measured: timings.length,
      unhealthyP50Ms: percentile(unhealthy, 50),
      unhealthyMaxMs: unhealthy.at(-1) ?? Number.NaN,
      deliveredP50Ms: percentile(delivered, 50),
      deliveredMaxMs: delivered.at(-1) ?? Number.NaN,
      afterUnhealthyMaxMs: Math.max(...timings.map((t) => t.deliveredMs - t.unhealthyMs)),
    };
  } finally {
    mesh.kill('SIGTERM');
    await new Promise((done) => mesh.once('exit', done));
    webhook.close();
    await fleet.close();
  }
}
