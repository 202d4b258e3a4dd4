/**
 * A node that failed a request before its first byte is checked at once (SPEC "Failing over"),
 * at most once per node per its `checks.retryInterval`: this process asks no more often than
 * that, and BullMQ deduplication (`gateway-<node>`, for the same span) keeps several gateway
 * processes from asking twice. Asking never waits on, nor fails, the request that noticed.
 */
import type { Queue } from 'bullmq';
import { type HealthCheckPayload, healthCheckJob } from '../jobs/health-check.js';
import { safeJobId } from '../jobs/queues.js';
import type { Logger } from '../runtime/logger.js';

export interface CheckRequesterOptions {
  queue: Queue;
  /** The node's `checks.retryInterval` (ms), or undefined for a node no longer configured. */
  retryIntervalOf(nodeId: string): number | undefined;
  logger: Logger;
  now?: () => number;
}

export class CheckRequester {
  private readonly askedAt = new Map<string, number>();

  constructor(private readonly options: CheckRequesterOptions) {}

  /** Asks for a check of `nodeId` unless one was asked for within its retryInterval. */
  ask(nodeId: string, why: string): void {
    const interval = this.options.retryIntervalOf(nodeId);
    if (interval === undefined) return;
    const now = (this.options.now ?? Date.now)();
    const last = this.askedAt.get(nodeId);
    if (last !== undefined && now - last < interval) return;
    this.askedAt.set(nodeId, now);
    this.options.logger.warn({ node: nodeId }, `gateway: ${why}; asking for a check of ${nodeId}`);
    const data: HealthCheckPayload = { nodeId, reason: 'gateway' };
    this.options.queue
      .add(healthCheckJob.jobName(nodeId), data, {
        ...healthCheckJob.options,
        deduplication: { id: safeJobId('gateway', nodeId), ttl: interval },
      })
      .catch((error: Error) =>
        this.options.logger.warn(
          { node: nodeId, err: error.message },
          `gateway: cannot ask for a check: ${error.message}`,
        ),
      );
  }
}
