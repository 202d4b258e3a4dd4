/**
 * Scheduling accuracy at scale: NODES nodes at INTERVAL for SECONDS. Reports schedule lag
 * (actual minus planned start; from the mesh's lag histogram, so percentiles are bucket bounds),
 * the share of intervals missed, gpu-mesh RSS and Redis memory.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeStore } from '../src/mesh/store.js';
import { SCHEDULE_LAG_BOUNDS } from '../src/metrics/histograms.js';
import { metricsCountersKey } from '../src/metrics/keys.js';
import { type Fleet, meshConfigYaml, startFleet, startMesh } from './fleet.js';
import { processRssMb, redisMemoryMb } from './measure.js';

const PREFIX = 'scale';

async function lagBuckets(fleet: Fleet): Promise<number[]> {
  const counters = await fleet.client.hgetall(metricsCountersKey(PREFIX));
  return Array.from({ length: SCHEDULE_LAG_BOUNDS.length + 1 }, (_, i) => Number(counters[`lag|${i}`] ?? 0));
}

function bucketPercentile(counts: readonly number[], p: number): string {
  const total = counts.reduce((a, b) => a + b, 0);
  let running = 0;
  for (const [index, count] of counts.entries()) {
    running += count;
    if (running >= (p / 100) * total)
      return index < SCHEDULE_LAG_BOUNDS.length ? `<= ${SCHEDULE_LAG_BOUNDS[index]} s` : '> 60 s';
  }
  return 'n/a';
}

async function checkedNodes(store: NodeStore, nodes: number): Promise<number> {
  const states = await store.readMany(Array.from({ length: nodes }, (_, i) => `n${i + 1}`));
  return states.filter((stored) => stored.state.checks > 0).length;
}

async function totalChecks(store: NodeStore, nodes: number): Promise<number> {
  const states = await store.readMany(Array.from({ length: nodes }, (_, i) => `n${i + 1}`));
  return states.reduce((sum, stored) => sum + stored.state.checks, 0);
}

export async function runScale(nodes: number, intervalS: number, seconds: number) {
  const fleet = await startFleet(nodes, 12001);
  try {
    const configPath = join(mkdtempSync(join(tmpdir(), 'gpu-mesh-scale-')), 'mesh.yaml');
    writeFileSync(configPath, meshConfigYaml(fleet, PREFIX, `${intervalS}s`));
    const mesh = startMesh(configPath);
    const pid = mesh.pid ?? 0;
    const store = new NodeStore(fleet.client, PREFIX);
    // Past start-up and the first round: every node checked once (a new fleet's first checks all
    // come within 2 s, a burst that takes seconds to drain), then one interval more, in which each
    // node moves to its own phase.
    const firstRoundAt = Date.now();
    while ((await checkedNodes(store, nodes)) < nodes) await new Promise((r) => setTimeout(r, 500));
    const firstRoundS = (Date.now() - firstRoundAt) / 1000;
    await new Promise((r) => setTimeout(r, intervalS * 1000));
    const lagBefore = await lagBuckets(fleet);
    const checksBefore = await totalChecks(store, nodes);
    const startedAt = Date.now();
    let rssMax = 0;
    while (Date.now() - startedAt < seconds * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      rssMax = Math.max(rssMax, processRssMb(pid));
    }
    const elapsedS = (Date.now() - startedAt) / 1000;
    const lag = (await lagBuckets(fleet)).map((count, i) => count - (lagBefore[i] ?? 0));
    const checks = (await totalChecks(store, nodes)) - checksBefore;
    const expected = (nodes * elapsedS) / intervalS;
    const missed = Math.max(0, 1 - checks / expected);
    const redisMb = await redisMemoryMb(fleet.client);
    mesh.kill('SIGTERM');
    await new Promise((done) => mesh.once('exit', done));
    const result = {
      bench: 'scale',
      nodes,
      intervalS,
      firstRoundS,
      seconds: elapsedS,
      checks,
      expected: Math.round(expected),
      missedShare: missed,
      lagP50: bucketPercentile(lag, 50),
      lagP99: bucketPercentile(lag, 99),
      lagMax: bucketPercentile(lag, 100),
      rssMaxMb: rssMax,
      redisMb,
    };
    console.log(`scale: ${nodes} nodes every ${intervalS} s for ${elapsedS.toFixed(0)} s`);
    console.log(
      `  every node checked once ${firstRoundS.toFixed(1)} s after start; measured from one interval later`,
    );
    console.log(`  checks ${checks} of ${result.expected} expected (missed ${(100 * missed).toFixed(2)}%)`);
    console.log(`  lag p50 ${result.lagP50}, p99 ${result.lagP99} (target < 1 s), max ${result.lagMax}`);
    console.log(
      `  gpu-mesh RSS max ${rssMax.toFixed(0)} MB (target < 150 MB), Redis ${redisMb.toFixed(0)} MB`,
    );
    return result;
  } finally {
    await fleet.close();
  }
}
