/**
 * Chaos: configs far bigger than anyone writes by hand.
 *
 * (a) a ~10 MB mesh.yaml (long names, tags and comments) loads cleanly, or is refused with one line
 *     and exit 2 (SPEC "Guarantees" 5) — never a stack trace or a crash;
 * (b) a mesh of 10 000 nodes starts, and Redis schedules exactly those 10 000;
 * (c) the file is rewritten mid-run with half the nodes: the schedule and the published node list
 *     follow, and no pending check job is left for a removed node.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { runCli, writeTempConfig } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import {
  type Cleanup,
  logLines,
  nodesOfCheckJob,
  openQueue,
  PENDING_STATES,
  QUEUE_NAMES,
  runCleanups,
  startChaosRedis,
  startMesh,
  tail,
} from './support.js';

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

/** Keys the scheduler keeps (src/jobs/schedules.ts, src/mesh/registry.ts). */
function scheduleKeys(prefix: string) {
  return { due: `${prefix}:due`, every: `${prefix}:every`, registry: `${prefix}:nodes` };
}

const pad = (i: number) => String(i).padStart(5, '0');

/** ~5.3 kB per node: a comment block, a long name and long tags. */
function bulkyNode(i: number, url: string): string {
  const filler = `rack ${i} row ${i % 40} `.padEnd(100, 'x');
  const comment = Array.from({ length: 30 }, (_, line) => `  # ${pad(i)}.${line} ${filler}`).join('\n');
  const tags = Array.from(
    { length: 10 },
    (_, t) => `"${`tag-${t}-${filler}`.slice(0, 200).padEnd(200, 'y')}"`,
  );
  return [
    comment,
    `  - id: n${pad(i)}`,
    `    name: "GPU ${pad(i)} ${'z'.repeat(200)}"`,
    `    url: "${url}"`,
    `    tags: [${tags.join(', ')}]`,
  ].join('\n');
}

describe('chaos: big configs', () => {
  it('(a) loads a 10 MB mesh.yaml cleanly, or refuses it in one line', async () => {
    const redis = await startChaosRedis(cleanups);
    const prefix = 'bigfile';
    const nodes = 2000;
    const header = [
      `redis: { url: "${redis.url}", prefix: ${prefix} }`,
      'checks: { interval: 1h }',
      'keepalive: { watch: false }',
      'nodes:',
    ].join('\n');
    // A port nothing listens on: this case is about loading, and a scheduler alone checks nothing.
    const body = Array.from({ length: nodes }, (_, i) => bulkyNode(i, 'http://127.0.0.1:9/'));
    const path = writeTempConfig(`${header}\n${body.join('\n')}\n`);
    cleanups.push(() => rmSync(dirname(path), { recursive: true, force: true }));
    const bytes = statSync(path).size;
    expect(bytes).toBeGreaterThan(9.5 * 1024 * 1024);

    const checkStarted = Date.now();
    const checked = await runCli(['config', 'check', '--config', path], {}, 90_000);
    const checkMs = Date.now() - checkStarted;
    const listed = checked.stdout.match(/^ {2}- id: n\d{5}$/gm)?.length ?? 0;
    console.log(
      [
        `big mesh.yaml: ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${nodes} nodes`,
        `  config check: exit ${checked.code} in ${checkMs} ms, ${checked.stdout.length} bytes out, ${listed} nodes listed, stderr: ${JSON.stringify(checked.stderr.slice(0, 200))}`,
      ].join('\n'),
    );
    // No crash, no stack trace, whichever way it goes.
    expect(checked.stderr).not.toMatch(/\n\s+at |heap out of memory|FATAL ERROR/);
    if (checked.code !== 0) {
      // Refused: exit 2 and one line naming the problem.
      expect(checked.code).toBe(2);
      expect(checked.stderr.trim().split('\n')).toHaveLength(1);
      return;
    }
    // Loaded: every node in the effective config, none lost on the way out through a pipe.
    expect(listed, 'nodes printed by `config check` through a pipe').toBe(nodes);

    // And the service starts on it: the scheduler publishes all of them.
    const startedAt = Date.now();
    const mesh = startMesh(cleanups, ['--role', 'scheduler', '--config', path]);
    try {
      await waitFor(
        () => logLines(mesh, 'check schedules in place').length > 0,
        'the scheduler to start',
        60_000,
        100,
      );
      const startMs = Date.now() - startedAt;
      const keys = scheduleKeys(prefix);
      const published = JSON.parse((await redis.client.get(keys.registry)) ?? '[]') as { name: string }[];
      const due = await redis.client.zcard(keys.due);
      const rss = await redis.client.memory('USAGE', keys.registry);
      console.log(
        `  start --role scheduler: schedules in place after ${startMs} ms; ${due} due, ${published.length} published (${rss} bytes in Redis)`,
      );
      expect(published).toHaveLength(nodes);
      expect(published[0]?.name).toMatch(/^GPU 00000 z{200}$/);
      expect(due).toBe(nodes);
      expect(mesh.child.exitCode).toBeNull();
    } catch (error) {
      console.log(tail(mesh));
      throw error;
    }
  });

  it('(b, c) schedules exactly 10 000 nodes, and exactly the half left after an edit, with no orphan jobs', async () => {
    const redis = await startChaosRedis(cleanups);
    const prefix = 'bigmesh';
    const keys = scheduleKeys(prefix);
    // 10 000 node ids over 4 simulated servers: each node's first check is due within 2 s of
    // start whatever its interval, so they must answer; after that the 1 h interval keeps it quiet.
    const simulator = await startSimulator({ count: 4 });
    cleanups.push(() => simulator.close());
    const total = 10_000;
    const ids = Array.from({ length: total }, (_, i) => `n${pad(i)}`);
    const yamlFor = (nodeIds: readonly string[]) =>
      [
        `redis: { url: "${redis.url}", prefix: ${prefix} }`,
        'checks: { interval: 1h, timeout: 10s }',
        'keepalive: { watch: false, interval: 10m }',
        'nodes:',
        ...nodeIds.map((id, i) => `  - { id: ${id}, url: "${simulator.nodes[i % 4]?.url}" }`),
      ].join('\n');
    const path = writeTempConfig(yamlFor(ids));
    cleanups.push(() => rmSync(dirname(path), { recursive: true, force: true }));
    const checkQueue = openQueue(cleanups, redis.client, prefix, QUEUE_NAMES.healthCheck);

    const startedAt = Date.now();
    const mesh = startMesh(cleanups, ['--role', 'scheduler,worker', '--config', path]);
    try {
      await waitFor(
        () => logLines(mesh, 'check schedules in place').length > 0,
        'the mesh to start',
        60_000,
        100,
      );
      const startMs = Date.now() - startedAt;
      const scheduled = async () => ({
        due: await redis.client.zrange(keys.due, '0', '-1'),
        every: await redis.client.hkeys(keys.every),
        published: (JSON.parse((await redis.client.get(keys.registry)) ?? '[]') as { id: string }[]).map(
          (node) => node.id,
        ),
      });
      const first = await scheduled();
      const pendingAtStart = await checkQueue.getJobCounts(...PENDING_STATES);
      console.log(
        [
          `10 000 nodes: schedules in place ${startMs} ms after start; due ${first.due.length}, every ${first.every.length}, published ${first.published.length}`,
          `  check jobs pending then (the first round: every node is first due within 2 s): ${JSON.stringify(pendingAtStart)}`,
        ].join('\n'),
      );
      expect(new Set(first.due)).toEqual(new Set(ids));
      expect(new Set(first.every)).toEqual(new Set(ids));
      expect(first.published).toEqual(ids);

      // (c) Half the nodes removed while their first checks are still queued: the file replaced as
      // an editor saves it (write, then rename).
      const kept = ids.slice(0, total / 2);
      const removed = new Set(ids.slice(total / 2));
      const editedAt = Date.now();
      const next = join(dirname(path), 'mesh.yaml.new');
      writeFileSync(next, yamlFor(kept));
      renameSync(next, path);
      await waitFor(
        () => logLines(mesh, '"config reloaded"').length > 0,
        'the edit to be applied',
        60_000,
        100,
      );
      const reloadMs = Date.now() - editedAt;
      const after = await scheduled();
      // No job still waiting to check a node that is gone (one in flight at the edit may finish
      // quietly, so this is a deadline, not a snapshot).
      let orphansSeen = 0;
      await waitFor(
        async () => {
          const jobs = await checkQueue.getJobs([...PENDING_STATES]);
          const orphans = jobs.filter(
            (job) => job && nodesOfCheckJob(job.data).some((id) => removed.has(id)),
          );
          orphansSeen = Math.max(orphansSeen, orphans.length);
          return orphans.length === 0;
        },
        'no pending check job for a removed node',
        60_000,
        250,
      );
      const settledMs = Date.now() - editedAt;
      const checkedOf = (nodeIds: readonly string[]) =>
        redis.client.exists(...nodeIds.map((id) => `${prefix}:node:${id}`));
      const removedChecked = await checkedOf([...removed]);
      // The nodes kept all get their first check.
      const keptChecked = await waitFor(
        async () => {
          const n = await checkedOf(kept);
          return n === kept.length ? n : null;
        },
        'the first check of every node kept',
        60_000,
        250,
      );
      const drainedMs = Date.now() - startedAt;
      const removedCheckedLater = await checkedOf([...removed]);
      console.log(
        [
          `  edit to ${kept.length} nodes: applied after ${reloadMs} ms; due ${after.due.length}, every ${after.every.length}, published ${after.published.length}`,
          `  pending check jobs naming removed nodes: at most ${orphansSeen} seen, none after ${settledMs} ms`,
          `  first round drained ${drainedMs} ms after start: ${keptChecked} of ${kept.length} kept nodes checked`,
          `  removed nodes checked at least once (their state is kept in Redis): ${removedChecked} when settled, ${removedCheckedLater} at the end`,
        ].join('\n'),
      );
      expect(new Set(after.due)).toEqual(new Set(kept));
      expect(new Set(after.every)).toEqual(new Set(kept));
      expect(after.published).toEqual(kept);
      expect(keptChecked).toBe(kept.length);
      // Nothing checked a removed node once the edit had settled.
      expect(removedCheckedLater).toBe(removedChecked);
      expect(logLines(mesh, 'config change refused')).toEqual([]);
      expect(mesh.child.exitCode).toBeNull();
    } catch (error) {
      console.log(tail(mesh));
      throw error;
    }
  });
});
