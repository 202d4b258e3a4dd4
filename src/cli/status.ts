/** `gpu-mesh status [--json] [--watch]` */
import { NodeStore } from '../mesh/store.js';
import { readMesh } from '../mesh/read.js';
import { connectForRequests } from '../runtime/redis.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { STATUS_EXIT, formatStatusTable, statusExitCode } from './status-format.js';

const GIVE_UP_MS = 5000;
const WATCH_EVERY_MS = 2000;

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
  watch?: boolean;
}

export async function runStatus(options: StatusOptions): Promise<number> {
  const { config } = await loadCliConfig(options);
  const redis = connectForRequests(config.redis.url);
  redis.on('error', () => {});
  const store = new NodeStore(redis, config.redis.prefix);
  const enabled = new Set(config.nodes.filter((node) => node.enabled).map((node) => node.id));
  try {
    for (;;) {
      const mesh = await withDeadline(readMesh(store, config, Date.now()), GIVE_UP_MS);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(mesh)}\n`);
      } else {
        if (options.watch) process.stdout.write('\x1b[2J\x1b[H');
        process.stdout.write(`${formatStatusTable(mesh, enabled, Date.now())}\n`);
      }
      if (!options.watch) return statusExitCode(mesh, enabled);
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
    }
  } finally {
    redis.disconnect();
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UserError(`status: Redis did not answer within ${ms / 1000} s`, STATUS_EXIT.unreadable)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`status: state unreadable: ${(error as Error).message}`, STATUS_EXIT.unreadable);
  } finally {
    clearTimeout(timer);
  }
}
