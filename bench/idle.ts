/**
 * Idle cost: what a quiet mesh costs while nothing goes wrong. N healthy nodes checked every 30 s
 * by one `gpu-mesh start --role scheduler,worker,server` process (the roles `--demo` runs, the
 * keep-alive watch on), measured over a window after a warm-up: the process's CPU (from /proc),
 * the Redis commands it causes (`INFO stats` total_commands_processed and `INFO commandstats`,
 * before and after; the bench's own INFO calls are left out) and its RSS (sampled each second).
 * `IDLE_MONITOR=1` also runs `redis-cli monitor` over the window and prints the keys most touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/runtime/private-redis.js';
import { type Fleet, meshConfigYaml, startFleet, startMesh } from './fleet.js';
import { processCpuSeconds, processRssMb } from './measure.js';

export interface IdleRun {
  bench: 'idle';
  nodes: number;
  intervalS: number;
  seconds: number;
  /** Checks made in the window (from the claimed counter): what the cost is set against. */
  checksPerSecond: number;
  cpuPercent: number;
  redisCommandsPerSecond: number;
  redisCpuPercent: number;
  rssMb: number;
  rssMaxMb: number;
  /** The commands sent most, per second, from `INFO commandstats`. */
  topCommands: Record<string, number>;
}

const INTERVAL_S = 30;

async function commandStats(
  fleet: Fleet,
): Promise<{ total: number; calls: Map<string, number>; cpu: number }> {
  const info = await fleet.client.info('everything');
  const total = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g))
    calls.set(match[1] as string, Number(match[2]));
  const read = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return { total, calls, cpu: read('used_cpu_sys') + read('used_cpu_user') };
}

function startMonitor(port: number): { child: ChildProcess; keys: Map<string, number> } {
  const child = spawn('redis-cli', ['-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const keys = new Map<string, number>();
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      // 1700000000.123456 [0 127.0.0.1:5555] "evalsha" "abc" "4" "idle:due" ...
      const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
      const command = words[0]?.toLowerCase();
      if (!command) continue;
      const key =
        command === 'evalsha' || command === 'eval' ? `${words[3] ?? ''} (script)` : (words[1] ?? '');
      const name = `${command} ${key.replace(/:[0-9a-f-]{8,}$/, ':<id>')}`;
      keys.set(name, (keys.get(name) ?? 0) + 1);
    }
  });
  return { child, keys };
}

export async function runIdle(
  nodes: number,
  warmupS: number,
  seconds: number,
  firstPort: number,
): Promise<IdleRun> {
  const fleet = await startFleet(nodes, firstPort);
  const prefix = `idle${nodes}`;
  const serverPort = await freePort();
  const configPath = join(mkdtempSync(join(tmpdir(), 'gpu-mesh-idle-')), 'mesh.yaml');
  writeFileSync(
    configPath,
    meshConfigYaml(fleet, prefix, `${INTERVAL_S}s`, {
      checks: `{ interval: ${INTERVAL_S}s }`,
      watch: true,
      extra: `server: { port: ${serverPort} }`,
    }),
  );
  const mesh = startMesh(configPath, 'scheduler,worker,server');
  const pid = mesh.pid ?? 0;
  try {
    await new Promise((r) => setTimeout(r, warmupS * 1000));
    if (mesh.exitCode !== null) throw new Error(`gpu-mesh exited ${mesh.exitCode} during warm-up`);
    const monitor = process.env.IDLE_MONITOR ? startMonitor(fleet.redis.port) : null;
    const claimed = async () => Number(await fleet.client.get(`${prefix}:claimed`));
    const before = {
      stats: await commandStats(fleet),
      cpu: processCpuSeconds(pid),
      claimed: await claimed(),
    };
    const startedAt = Date.now();
    const rss: number[] = [];
    while (Date.now() - startedAt < seconds * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(processRssMb(pid));
    }
    const after = { stats: await commandStats(fleet), cpu: processCpuSeconds(pid), claimed: await claimed() };
    const elapsedS = (Date.now() - startedAt) / 1000;
    monitor?.child.kill('SIGTERM');
    // Ours in the window: the first INFO and GET of the claimed counter (the last INFO counts itself
    // after its reply), and the MONITOR command.
    const own = 2 + (monitor ? 1 : 0);
    const perSecond = (count: number) => count / elapsedS;
    const top = [...after.stats.calls]
      .map(([name, calls]) => [name, calls - (before.stats.calls.get(name) ?? 0)] as const)
      .filter(([, calls]) => calls > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    if (monitor) {
      const keys = [...monitor.keys]
        .sort((a, b) => b[1] - a[1])
        .slice(0, Number(process.env.IDLE_MONITOR) || 25);
      console.log(`  monitor, ${nodes} nodes, per second:`);
      for (const [name, count] of keys) console.log(`    ${perSecond(count).toFixed(2)}  ${name}`);
    }
    return {
      bench: 'idle',
      nodes,
      intervalS: INTERVAL_S,
      seconds: elapsedS,
      checksPerSecond: perSecond(after.claimed - before.claimed),
      cpuPercent: (100 * (after.cpu - before.cpu)) / elapsedS,
      redisCommandsPerSecond: perSecond(after.stats.total - before.stats.total - own),
      redisCpuPercent: (100 * (after.stats.cpu - before.stats.cpu)) / elapsedS,
      rssMb: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length),
      rssMaxMb: Math.max(...rss),
      topCommands: Object.fromEntries(
        top.map(([name, calls]) => [name, Number(perSecond(calls).toFixed(2))]),
      ),
    };
  } finally {
    mesh.kill('SIGTERM');
    await new Promise((done) => (mesh.exitCode === null ? mesh.once('exit', done) : done(null)));
    await fleet.close();
  }
}

export function describeIdle(run: IdleRun): string {
  return `| ${run.nodes} | ${run.checksPerSecond.toFixed(1)} | ${run.cpuPercent.toFixed(2)} | ${run.redisCommandsPerSecond.toFixed(1)} | ${run.redisCpuPercent.toFixed(2)} | ${run.rssMb.toFixed(0)} (${run.rssMaxMb.toFixed(0)}) |`;
}

export const IDLE_TABLE_HEAD = [
  '| nodes | checks/s | gpu-mesh CPU % of a core | Redis commands/s | Redis CPU % | RSS MB mean (max) |',
  '|---|---|---|---|---|---|',
];

// `node dist-bench/bench/idle.js N [warm-up s] [window s]`: one run, for measuring a change.
if (process.argv[1]?.endsWith('idle.js')) {
  const [nodes = 3, warmupS = 40, seconds = 60] = process.argv.slice(2).map(Number);
  const run = await runIdle(nodes, warmupS, seconds, 12001);
  for (const line of IDLE_TABLE_HEAD) console.log(line);
  console.log(describeIdle(run));
  console.log(JSON.stringify(run));
}
