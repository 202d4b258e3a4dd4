/**
 * `npm run bench`: throughput against a raw loop, horizontal scaling, scheduling accuracy at scale.
 * Prints a table and one JSON line per benchmark. `--smoke` runs a short version (CI).
 * usage: node run-all.js [--smoke] [--skip-scale] [--skip-throughput] [--skip-gateway] [--gateway-only]
 *   [--skip-idle] [--idle-only]
 * Exits 1 when the smoke run's quiet mesh sends Redis more than `IDLE_COMMANDS_LIMIT` commands/s.
 */

import { runAlertLatency } from './alert-latency.js';
import { runDetection } from './detection.js';
import { startFleet } from './fleet.js';
import { printGatewayBench, runGatewayBench } from './gateway.js';
import { describeIdle, IDLE_TABLE_HEAD, type IdleRun, runIdle } from './idle.js';
import { runScale } from './scale.js';
import { runMesh, runRaw } from './throughput.js';

const smoke = process.argv.includes('--smoke');
const gatewayOnly = process.argv.includes('--gateway-only');
const idleOnly = process.argv.includes('--idle-only');
const skipScale = gatewayOnly || idleOnly || process.argv.includes('--skip-scale');
const skipThroughput = gatewayOnly || idleOnly || process.argv.includes('--skip-throughput');
const skipGateway = idleOnly || process.argv.includes('--skip-gateway');
const skipIdle = gatewayOnly || process.argv.includes('--skip-idle');
/**
 * CI's regression guard on the idle cost: 3 nodes every 30 s measured ~18 commands/s (BENCHMARKS.md,
 * "Idle cost"); a timer polling Redis again would show far above this (it was 212).
 */
const IDLE_COMMANDS_LIMIT = 30;
const nodes = smoke ? 300 : 2000;
const seconds = smoke ? 5 : 20;
const concurrency = 100;

const fleet = skipThroughput ? null : await startFleet(nodes, 21001);
if (fleet)
  try {
    const raw = await runRaw(fleet, concurrency, seconds);
    const mesh = await runMesh(fleet, seconds);
    const horizontal = smoke
      ? []
      : [
          await runMesh(fleet, seconds, 1),
          await runMesh(fleet, seconds, 2),
          await runMesh(fleet, seconds, 4),
        ];
    const ratio = mesh.checksPerSecond / raw.checksPerSecond;
    const cpuRatio = mesh.cpuMsPer1000 / raw.cpuMsPer1000;
    console.log(`\nthroughput: ${nodes} nodes, concurrency ${concurrency}, ${seconds} s each`);
    console.log('| run | checks/s | CPU-ms per 1000 checks (Redis) | RSS MB | duplicate checks |');
    console.log('|---|---|---|---|---|');
    console.log(`| raw loop | ${raw.checksPerSecond.toFixed(0)} | ${raw.cpuMsPer1000.toFixed(0)} | | |`);
    for (const run of [mesh, ...horizontal]) {
      const name =
        run.workers === 0 ? 'gpu-mesh, 1 process' : `gpu-mesh, scheduler + ${run.workers} worker(s)`;
      console.log(
        `| ${name} | ${run.checksPerSecond.toFixed(0)} | ${run.cpuMsPer1000.toFixed(0)} (${run.redisCpuMsPer1000.toFixed(0)}) | ${run.rssMb.toFixed(0)} | ${run.duplicates}${run.failed ? ` (${run.failed} failed checks)` : ''} |`,
      );
    }
    console.log(
      `mesh/raw: throughput ${ratio.toFixed(2)} (target >= 0.8), CPU per check ${cpuRatio.toFixed(2)} (target <= 1.5)`,
    );
    console.log(
      JSON.stringify({
        bench: 'throughput',
        nodes,
        concurrency,
        seconds,
        raw,
        mesh,
        horizontal,
        ratio,
        cpuRatio,
      }),
    );
  } finally {
    await fleet.close();
  }

// The inference gateway against the node directly (smoke: about 25 s).
if (!skipGateway) printGatewayBench(await runGatewayBench(smoke));
if (gatewayOnly) process.exit(0);

for (const watch of idleOnly ? [] : [false, true]) {
  const result = await runDetection(smoke ? 5 : 20, watch);
  console.log(
    `detection (${watch ? 'with' : 'without'} the keep-alive watch): ${result.detected}/${result.trials} detected, kill -> unhealthy p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms (schedule bound ${result.boundMs} ms)`,
  );
  console.log(JSON.stringify(result));
}

// A lone crash at the default interval (a short one for the smoke run), one at a time.
for (const watch of idleOnly ? [] : [false, true]) {
  const result = await runAlertLatency(smoke ? 1 : 5, watch, smoke ? 5000 : 30_000);
  console.log(
    `lone crash (${watch ? 'with' : 'without'} the keep-alive watch, interval ${result.intervalMs / 1000} s): ${result.measured}/${result.trials} measured, kill -> unhealthy p50 ${result.unhealthyP50Ms} ms, max ${result.unhealthyMaxMs} ms; kill -> alert delivered p50 ${result.deliveredP50Ms} ms, max ${result.deliveredMaxMs} ms (at most ${result.afterUnhealthyMaxMs} ms after unhealthy)`,
  );
  console.log(JSON.stringify(result));
}

// What a quiet mesh costs: 3 nodes (and, in the full run, 100 and 10,000) every 30 s.
if (!skipIdle) {
  const runs: IdleRun[] = [];
  for (const count of smoke ? [3] : [3, 100, 10_000]) {
    const warmupS = smoke ? 15 : count >= 10_000 ? 60 : 40;
    runs.push(await runIdle(count, warmupS, smoke ? 25 : 120, 12001));
  }
  console.log(`\nidle: nodes checked every 30 s, one gpu-mesh process (scheduler, worker, server)`);
  for (const line of [...IDLE_TABLE_HEAD, ...runs.map(describeIdle)]) console.log(line);
  for (const run of runs) console.log(JSON.stringify(run));
  const three = runs[0];
  if (three && three.redisCommandsPerSecond > IDLE_COMMANDS_LIMIT) {
    console.error(
      `idle: 3 nodes sent Redis ${three.redisCommandsPerSecond.toFixed(1)} commands/s, over the ${IDLE_COMMANDS_LIMIT} allowed`,
    );
    process.exitCode = 1;
  }
}

if (!skipScale) {
  const result = await runScale(smoke ? 1000 : 10_000, smoke ? 2 : 10, smoke ? 10 : 120);
  console.log(JSON.stringify(result));
}
