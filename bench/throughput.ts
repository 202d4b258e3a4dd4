/**
 * Throughput ceiling: the full system (schedule -> probe -> state -> history) against a raw loop
 * making the same requests, on the same simulated fleet, in the same run. CPU includes Redis.
 * Horizontal: the same with 1, 2 and 4 worker processes (and one scheduler).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '../src/jobs/queues.js';
import { NodeStore } from '../src/mesh/store.js';
import { type Fleet, meshConfigYaml, startMesh } from './fleet.js';
import { processCpuSeconds, processRssMb, redisCpuSeconds } from './measure.js';

export interface Run {
  checksPerSecond: number;
  cpuMsPer1000: number;
}

export interface MeshRun extends Run {
  redisCpuMsPer1000: number;
  rssMb: number;
  workers: number;
  /** Checks made beyond the slots handed out (a slot checked twice), over the whole run: must be 0. */
  duplicates: number;
  /** Failed checks over the whole run; each brings a confirmation check no slot accounts for. */
  failed: number;
}

export async function runRaw(fleet: Fleet, concurrency: number, seconds: number): Promise<Run> {
  const script = resolve(import.meta.dirname, 'raw-loop.js');
  const args = [script, String(fleet.firstPort), String(fleet.nodes), String(concurrency), String(seconds)];
  const child = spawn(process.execPath, args);
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

async function totalChecks(store: NodeStore, nodes: number): Promise<{ checks: number; failed: number }> {
  const states = await store.readMany(Array.from({ length: nodes }, (_, i) => `n${i + 1}`));
  let checks = 0;
  let failed = 0;
  for (const { state } of states) {
    checks += state.checks;
    failed += state.checks - state.successes;
  }
  return { checks, failed };
}

/** Slots handed out but not checked: still in batch jobs nobody ran when the processes stopped. */
async function unchecked(fleet: Fleet, prefix: string): Promise<number> {
  const queue = new Queue(QUEUE_NAMES.healthCheck, { connection: fleet.client, prefix });
  try {
    const jobs = await queue.getJobs(['waiting', 'active', 'prioritized', 'delayed']);
    return jobs.reduce((sum, job) => sum + ((job.data as { checks?: unknown[] }).checks?.length ?? 0), 0);
  } finally {
    await queue.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The mesh at capacity: nodes due every 250 ms, far more often than the machine can check them.
 * `workers` 0 = one process with both roles; n = one scheduler process and n worker processes.
 */
export async function runMesh(fleet: Fleet, seconds: number, workers = 0): Promise<MeshRun> {
  const prefix = `bench${workers}`;
  const configPath = join(mkdtempSync(join(tmpdir(), 'gpu-mesh-bench-')), 'mesh.yaml');
  writeFileSync(configPath, meshConfigYaml(fleet, prefix, '250ms'));
  const processes: ChildProcess[] =
    workers === 0
      ? [startMesh(configPath)]
      : [
          startMesh(configPath, 'scheduler'),
          ...Array.from({ length: workers }, () => startMesh(configPath, 'worker')),
        ];
  const pids = processes.map((p) => p.pid ?? 0);
  const store = new NodeStore(fleet.client, prefix);
  await sleep(6000);
  const cpu = () => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const read = async () => ({
    checks: (await totalChecks(store, fleet.nodes)).checks,
    cpu: cpu(),
    redis: await redisCpuSeconds(fleet.client),
    at: Date.now(),
  });
  const before = await read();
  await sleep(seconds * 1000);
  const after = await read();
  const rssMb = pids.reduce((sum, pid) => sum + processRssMb(pid), 0);
  for (const p of processes) p.kill('SIGTERM');
  await Promise.all(processes.map((p) => new Promise((done) => p.once('exit', done))));
  const checks = after.checks - before.checks;
  const redisCpu = after.redis - before.redis;
  const total = await totalChecks(store, fleet.nodes);
  const claimed = Number(await fleet.client.get(`${prefix}:claimed`));
  const duplicates = total.checks - total.failed - (claimed - (await unchecked(fleet, prefix)));
  return {
    checksPerSecond: (1000 * checks) / (after.at - before.at),
    cpuMsPer1000: (1000 * 1000 * (after.cpu - before.cpu + redisCpu)) / checks,
    redisCpuMsPer1000: (1000 * 1000 * redisCpu) / checks,
    rssMb,
    workers,
    duplicates,
    failed: total.failed,
  };
}
