/**
 * A recovery action stops when its job is cancelled or its process stops: the restart script and
 * everything it started are killed, and closing does not wait for a hung action.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../src/config/types.js';
import { type RecoveryDeps, type RecoveryEvent, RecoveryInterrupted } from '../../src/jobs/recovery.js';
import { enqueueManualRecovery } from '../../src/manual/request-recovery.js';
import { NodeStore } from '../../src/mesh/store.js';
import { actionFor } from '../../src/recovery/actions/index.js';
import { startRecoveryWorker } from '../../src/workers/recovery.js';
import { startTestMesh } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { nodeWith, StandIns } from './support.js';

/** A restart script that hangs: it starts two grandchildren, writes the three pids, and waits. */
const HANGING_RESTART =
  'sleep 30 & a=$!; sleep 30 & b=$!; echo "$$ $a $b" > "$1.tmp"; mv "$1.tmp" "$1"; wait';

/** Running, and not a zombie (a killed orphan waits for whoever reaps it here). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function readPids(file: string): number[] | null {
  try {
    const pids = readFileSync(file, 'utf8').trim().split(' ').map(Number);
    return pids.length === 3 ? pids : null;
  } catch {
    return null;
  }
}

async function expectAllGone(pids: readonly number[]): Promise<void> {
  for (const pid of pids) await waitFor(() => !running(pid), `process ${pid} gone`, 5000);
}

describe('a recovery job whose action hangs', () => {
  let redis: Redis;
  let prefix: string;
  let standIns: StandIns;
  let worker: Worker | undefined;
  let queue: Queue;
  let stopping: AbortController;
  let events: RecoveryEvent[];
  let pidFile: string;
  let node: NodeConfig;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    standIns = new StandIns();
    standIns.add('hanging-restart', HANGING_RESTART);
    pidFile = join(standIns.dir, 'pids');
    node = nodeWith({ kind: 'command', command: ['hanging-restart', pidFile], timeout: 60_000 });
    events = [];
    stopping = new AbortController();
    const deps: RecoveryDeps = {
      findNode: (id) => (id === node.id ? node : undefined),
      settings: () => ({ attempts: 1, backoff: 1000, verifyTimeout: 1000, maxPerHour: 5 }),
      store: new NodeStore(redis, prefix),
      check: async () => {
        throw new Error('the action never finishes, so nothing is verified');
      },
      runAction: (target, context) =>
        actionFor(target.recovery.kind, { connection: redis, prefix, env: standIns.env() }).run(
          target,
          context,
        ),
      unloadModels: async () => undefined,
      isSilenced: async () => false,
      lock: async () => ({ release: async () => undefined }),
      noteAutomaticStart: async () => ({ looping: false, count: 1 }),
      noteRecovered: async () => undefined,
      emit: async (event) => {
        events.push(event);
      },
      onTransitions: async () => undefined,
      now: Date.now,
      sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    };
    worker = startRecoveryWorker(
      { connection: redis, prefix, lockDurationMs: 5000, stopping: stopping.signal },
      deps,
    );
    queue = new Queue('recovery', { connection: redis, prefix });
  });

  afterEach(async () => {
    await worker?.close(true);
    await queue.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    standIns.remove();
  });

  it('is stopped by a cancel of its job: the script and what it started are killed, the attempt fails', async () => {
    const jobId = await enqueueManualRecovery(queue, node, Date.now());
    const pids = await waitFor(() => readPids(pidFile), 'the restart script running');
    expect(worker?.cancelJob(jobId)).toBe(true);
    await waitFor(async () => (await queue.getJobState(jobId)) === 'failed', 'the job failed', 5000);
    await expectAllGone(pids);
    expect((await queue.getJob(jobId))?.failedReason).toMatch(/aborted after \d+\.\d s and was killed/);
    expect(events.map((event) => event.kind)).toEqual(['recovery_started', 'recovery_failed']);
  });

  it('is stopped when the process stops: closing returns at once and the job goes back to the queue', async () => {
    const jobId = await enqueueManualRecovery(queue, node, Date.now());
    const pids = await waitFor(() => readPids(pidFile), 'the restart script running');
    const started = performance.now();
    stopping.abort(new RecoveryInterrupted());
    await worker?.close();
    expect(performance.now() - started).toBeLessThan(3000);
    await expectAllGone(pids);
    expect(await queue.getJobState(jobId)).toBe('waiting');
    const { logs } = await queue.getJobLogs(jobId);
    expect(logs.at(-1)).toBe('attempt 1 interrupted (the process is stopping): back to the queue');
    expect(events.map((event) => event.kind)).toEqual(['recovery_started']);
  });
});

describe('closing the service while a recovery action hangs', () => {
  it('returns promptly, with the restart script and its children gone', async () => {
    const standIns = new StandIns();
    standIns.add('hanging-restart', HANGING_RESTART);
    const pidFile = join(standIns.dir, 'pids');
    const mesh = await startTestMesh({
      nodes: 1,
      roles: ['worker'],
      nodeFields: () =>
        `recovery: { kind: command, command: ["${join(standIns.dir, 'hanging-restart')}", "${pidFile}"], timeout: 60s }`,
    });
    const redis = connectTestRedis();
    const queue = new Queue('recovery', { connection: redis, prefix: mesh.prefix });
    try {
      const [node] = mesh.config.nodes;
      if (!node) throw new Error('no node');
      const jobId = await enqueueManualRecovery(queue, node, Date.now());
      const pids = await waitFor(() => readPids(pidFile), 'the restart script running', 15_000);
      const started = performance.now();
      await mesh.service.close();
      const tookMs = performance.now() - started;
      console.log(`close with a hung recovery action: ${Math.round(tookMs)} ms`);
      expect(tookMs).toBeLessThan(4000);
      await expectAllGone(pids);
      expect(await queue.getJobState(jobId)).toBe('waiting');
    } finally {
      await queue.close();
      await mesh.simulator.close();
      await dropPrefix(redis, mesh.prefix);
      redis.disconnect();
      standIns.remove();
    }
  });
});
