/** `gpu-mesh retry [--queue NAME]`: retries every failed job of a queue (default: recovery). */
import { QUEUE_NAMES } from '../jobs/queues.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { connectCli } from './queue-connection.js';

export interface RetryOptions extends GlobalOptions {
  queue: string;
}

const RETRYABLE = new Set<string>(Object.values(QUEUE_NAMES));

export async function runRetry(options: RetryOptions): Promise<number> {
  if (!RETRYABLE.has(options.queue) && !options.queue.startsWith('agent-')) {
    throw new UserError(
      `--queue: unknown queue "${options.queue}" (use ${[...RETRYABLE].join(', ')} or agent-<node>)`,
    );
  }
  const { config } = await loadCliConfig(options);
  const connection = connectCli(config);
  try {
    const queue = connection.queue(options.queue);
    const failed = await queue.getJobs(['failed']).catch(connection.unreachable('retry'));
    for (const job of failed) await job.retry('failed');
    process.stdout.write(`${options.queue}: ${failed.length} failed job(s) retried\n`);
    return 0;
  } finally {
    await connection.close();
  }
}
