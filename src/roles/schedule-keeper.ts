/**
 * Everything the scheduler role keeps scheduled — the due set's nodes, the sweep's job scheduler,
 * and what the other parts add (stats, alert evaluation, the heartbeat) — asserted idempotently:
 * at start, on each sweep, and when Redis comes back without its data (a restart without
 * persistence). Opened with the roles' shared context (`context.ts`).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import type { CheckSchedule } from '../jobs/schedules.js';
import { sweepJob } from '../jobs/sweep.js';
import { nodesPublished, publishNodes, readPublishedNodes } from '../mesh/registry.js';
import { logErrors } from '../runtime/error-log.js';
import type { Logger } from '../runtime/logger.js';

/** Ids in `before` that `after` no longer has. */
export function removedNodeIds(
  before: readonly { id: string }[],
  after: readonly { id: string }[],
): string[] {
  const kept = new Set(after.map((node) => node.id));
  return before.map((node) => node.id).filter((id) => !kept.has(id));
}

export type ScheduleAsserter = (config: MeshConfig) => Promise<unknown>;

export class ScheduleKeeper {
  private readonly sweepQueue: Queue;
  private readonly asserters: ScheduleAsserter[] = [];
  /** The node list this process last published. */
  private published: readonly NodeConfig[] | null = null;
  /** The config this process last ran the asserters for. */
  private asserted: MeshConfig | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly checks: CheckSchedule,
    private readonly now: () => number,
    logger: Logger,
    /** Deletes what nodes no longer in the mesh left behind in Redis. */
    private readonly forget: (nodeIds: readonly string[]) => Promise<void>,
  ) {
    this.sweepQueue = new Queue(sweepJob.queue, { connection: redis, prefix });
    logErrors(this.sweepQueue, logger, 'keepalive queue');
    this.add((config) =>
      this.sweepQueue.upsertJobScheduler(
        sweepJob.schedulerId,
        { every: config.keepalive.interval },
        { name: sweepJob.jobName, data: {}, opts: sweepJob.options },
      ),
    );
  }

  /** Another role's schedulers (stats, alert evaluation …), re-asserted with the rest. */
  add(asserter: ScheduleAsserter): void {
    this.asserters.push(asserter);
  }

  /**
   * Returns whether the published node list was missing, i.e. Redis had lost the mesh's data.
   * Runs on every keepalive sweep, so what is already in place costs little to confirm: at 10,000
   * nodes, rewriting it all each time held the checks up for about a second. The job schedulers
   * are upserted for a config this process has not asserted yet, or when Redis lost them: done
   * on every sweep, that cost ~100 Redis commands a minute for nothing (BENCHMARKS.md, "Idle cost").
   */
  async assert(config: MeshConfig): Promise<boolean> {
    const lost = !(await nodesPublished(this.redis, this.prefix));
    await this.checks.sync(config.nodes, this.now());
    if (lost || this.asserted !== config) {
      for (const asserter of this.asserters) await asserter(config);
      this.asserted = config;
    }
    if (lost || this.published !== config.nodes) {
      // Nodes published before and gone now were removed (by a reload, or while the mesh was down).
      const before = lost ? [] : ((await readPublishedNodes(this.redis, this.prefix)) ?? []);
      await publishNodes(this.redis, this.prefix, config.nodes);
      await this.forget(removedNodeIds(before, config.nodes));
      this.published = config.nodes;
    }
    return lost;
  }

  /** Cheap check (one EXISTS); a full re-assert only when the data is gone. */
  async assertIfLost(config: MeshConfig, logger: Logger): Promise<void> {
    if (await nodesPublished(this.redis, this.prefix)) return;
    await this.assert(config);
    logger.warn(
      { severity: 'WARNING' },
      'Redis had lost the mesh data (restarted without persistence?): schedules restored; node state and history start over',
    );
  }

  close(): Promise<void> {
    return this.sweepQueue.close();
  }
}
