/**
 * Throughput ceiling: the full system (schedule -> probe -> state -> history) against a raw loop
 * making the same requests, on the same simulated fleet, in the same run. CPU includes Redis.
 * usage: node throughput.js [NODES=2000] [SECONDS=20] [CONCURRENCY=100]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NodeStore } from '../src/mesh/store.js';
import { type Fleet, meshConfigYaml, startFleet, startMesh } from './fleet.js';
import { processCpuSeconds, processRssMb, redisCpuSeconds } from './measure.js';

const [nodes = 2000, seconds = 20, concurrency = 100] = process.argv.slice(2).map(Number);
const FIRST_PORT = 21001;

interface Run {
  checksPerSecond: number;
  cpuMsPer1000: number;
}

async function runRaw(fleet: Fleet): Promise<Run> {
  const script = resolve(import.meta.dirname, 'raw-loop.js');
  const child = spawn(process.execPath, [
    script,
    String(fleet.firstPort),
    String(nodes),
    String(concurrency),
    String(seconds),
  ]);
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise((done) => child.once('exit', done));
  const result = JSON.parse(output) as { checks: number; seconds: number; cpuSeconds: number };
  return {
    checksPerSecond: result.checks / result.seconds,
    cpuMsPer1000: (1000 * 1000 * result.cpuSeconds) / result.checks,
  };
}

async function totalChecks(store: NodeStore): Promise<number> {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const states = await store.readMany(ids);
  return states.reduce((sum, stored) => sum + stored.state.checks, 0);
}

async function runMesh(fleet: Fleet): Promise<Run & { rssMb: number; redisCpuMsPer1000: number }> {
  const prefix = 'bench';
  const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-bench-'));
  const configPath = join(dir, 'mesh.yaml');
  // Due far more often than the machine can check: the mesh runs at capacity.
  writeFileSync(configPath, meshConfigYaml(fleet, prefix, '250ms'));
  const mesh = startMesh(configPath);
  const store = new NodeStore(fleet.client, prefix);
  const pid = mesh.pid ?? 0;
  await new Promise((r) => setTimeout(r, 5000));
  const before = {
    checks: await totalChecks(store),
    cpu: processCpuSeconds(pid),
    redis: await redisCpuSeconds(fleet.client),
    at: Date.now(),
  };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = {
    checks: await totalChecks(store),
    cpu: processCpuSeconds(pid),
    redis: await redisCpuSeconds(fleet.client),
    at: Date.now(),
  };
  const rssMb = processRssMb(pid);
  mesh.kill('SIGTERM');
  await new Promise((done) => mesh.once('exit', done));
  const checks = after.checks - before.checks;
  const cpu = after.cpu - before.cpu + (after.redis - before.redis);
  return {
    checksPerSecond: (1000 * checks) / (after.at - before.at),
    cpuMsPer1000: (1000 * 1000 * cpu) / checks,
    redisCpuMsPer1000: (1000 * 1000 * (after.redis - before.redis)) / checks,
    rssMb,
  };
}

const fleet = await startFleet(nodes, FIRST_PORT);
try {
  const raw = await runRaw(fleet);
  const mesh = await runMesh(fleet);
  const ratio = mesh.checksPerSecond / raw.checksPerSecond;
  const cpuRatio = mesh.cpuMsPer1000 / raw.cpuMsPer1000;
  const row = (name: string, run: Run) =>
    `${name.padEnd(6)} ${run.checksPerSecond.toFixed(0).padStart(8)} checks/s ${run.cpuMsPer1000.toFixed(0).padStart(6)} CPU-ms/1000 checks`;
  console.log(`throughput, ${nodes} nodes, concurrency ${concurrency}, ${seconds} s each`);
  console.log(row('raw', raw));
  console.log(
    `${row('mesh', mesh)} (Redis ${mesh.redisCpuMsPer1000.toFixed(0)}), RSS ${mesh.rssMb.toFixed(0)} MB`,
  );
  console.log(
    `mesh/raw: throughput ${ratio.toFixed(2)} (target >= 0.8), CPU per check ${cpuRatio.toFixed(2)} (target <= 1.5)`,
  );
  console.log(
    JSON.stringify({ bench: 'throughput', nodes, concurrency, seconds, raw, mesh, ratio, cpuRatio }),
  );
} finally {
  await fleet.close();
}
