/**
 * The catalogue of job kinds, as graphile-worker types its task list: each kind's queue, how a
 * job taken from that queue is known to be of it, and its payload's schema. A worker hands its
 * queue's jobs over with `processorFor(queue, handlers)`: one handler per kind of that queue, each
 * given its kind's parsed payload, so a kind left without a handler, or a handler that reads
 * another payload, does not compile. Queue and job names are `jobs/<kind>.ts`'s (a contract:
 * docs/http-api.md "Queues").
 */
import { type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { alertJob, alertPayload } from './alert.js';
import { evaluateJob } from './alert-evaluate.js';
import { dashboardLineJob } from './dashboard-line.js';
import { checkBatchPayload, healthCheckJob, healthCheckPayload } from './health-check.js';
import { heartbeatJob } from './heartbeat.js';
import { notifyJob, notifyPayload } from './notify.js';
import type { QueueName } from './queues.js';
import { recoveryJob, recoveryPayload } from './recovery.js';
import { statsJob } from './stats.js';
import { sweepJob } from './sweep.js';

interface JobKind {
  queue: QueueName;
  /** Whether a job taken from `queue` is of this kind. A queue's kinds are asked in the order below. */
  is(job: { name: string; data: unknown }): boolean;
  payload: z.ZodType;
}

const anyJob = () => true;
const named = (name: string) => (job: { name: string }) => job.name === name;
/** The payload of a job that reads none: not checked. */
const NO_PAYLOAD = z.unknown();

export const JOBS = {
  /** Named as single checks are (`check n1 +49`, `check n1` for a batch of one): told apart by its `checks`. */
  checkBatch: {
    queue: healthCheckJob.queue,
    is: (job) => typeof job.data === 'object' && job.data !== null && 'checks' in job.data,
    payload: checkBatchPayload,
  },
  check: { queue: healthCheckJob.queue, is: anyJob, payload: healthCheckPayload },
  recovery: { queue: recoveryJob.queue, is: anyJob, payload: recoveryPayload },
  sweep: { queue: sweepJob.queue, is: anyJob, payload: NO_PAYLOAD },
  statsReport: { queue: statsJob.queue, is: named(statsJob.jobName), payload: NO_PAYLOAD },
  dashboardLine: { queue: dashboardLineJob.queue, is: named(dashboardLineJob.jobName), payload: NO_PAYLOAD },
  evaluate: { queue: evaluateJob.queue, is: named(evaluateJob.name), payload: NO_PAYLOAD },
  heartbeat: { queue: heartbeatJob.queue, is: named(heartbeatJob.name), payload: NO_PAYLOAD },
  alert: { queue: alertJob.queue, is: anyJob, payload: alertPayload },
  /** The heartbeat as earlier versions scheduled it, on `notify`: found there after an upgrade. */
  retiredHeartbeat: { queue: notifyJob.queue, is: named('heartbeat'), payload: NO_PAYLOAD },
  notify: { queue: notifyJob.queue, is: anyJob, payload: notifyPayload },
} as const satisfies Record<string, JobKind>;

export type JobKindName = keyof typeof JOBS;
/** The kinds of job `queue` holds. */
export type KindsOf<Q extends QueueName> = {
  [K in JobKindName]: (typeof JOBS)[K]['queue'] extends Q ? K : never;
}[JobKindName];
export type PayloadOf<K extends JobKindName> = z.infer<(typeof JOBS)[K]['payload']>;

/** Does one job of kind `K`, given its parsed payload; BullMQ's token and signal as its processor has them. */
export type JobHandler<K extends JobKindName> = (
  payload: PayloadOf<K>,
  job: Job,
  token: string | undefined,
  signal: AbortSignal | undefined,
) => Promise<unknown>;

/** One handler for each kind of job `queue` holds. */
export type QueueHandlers<Q extends QueueName> = { [K in KindsOf<Q>]: JobHandler<K> };

/**
 * A BullMQ processor for `queue`: finds each job's kind, parses its payload and hands it to that
 * kind's handler. A job of no known kind, or with a payload its kind does not accept, fails for
 * good (`UnrecoverableError`): retrying cannot change it.
 */
export function processorFor<Q extends QueueName>(queue: Q, handlers: QueueHandlers<Q>) {
  const kinds = (Object.keys(JOBS) as JobKindName[]).filter((kind) => JOBS[kind].queue === queue);
  const handlerOf = handlers as unknown as Record<JobKindName, JobHandler<JobKindName>>;
  // Three parameters: BullMQ then hands over a signal that `worker.cancelJob(id)` aborts.
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    const kind = kinds.find((candidate) => JOBS[candidate].is(job));
    if (kind === undefined) throw new UnrecoverableError(`unknown job "${job.name}" on the ${queue} queue`);
    const payload = JOBS[kind].payload.safeParse(job.data);
    if (!payload.success) throw new UnrecoverableError(`bad payload: ${payload.error.message}`);
    return handlerOf[kind](payload.data as never, job, token, signal);
  };
}
