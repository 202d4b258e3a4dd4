/** `gpu-mesh status [--json] [--watch]` */
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { readContext, readMesh } from '../mesh/read.js';
import type { MeshView } from '../mesh/view.js';
import { connectForRequests } from '../runtime/redis.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';
import { formatStatusTable, STATUS_EXIT, statusExitCode } from './status-format.js';

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
  try {
    for (;;) {
      const { mesh, enabled } = await withDeadline(readCurrentMesh(redis, config), GIVE_UP_MS);
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

async function readCurrentMesh(
  redis: Redis,
  config: MeshConfig,
): Promise<{ mesh: MeshView; enabled: Set<string> }> {
  const context = await readContext(redis, config, Date.now());
  const mesh = await readMesh(context);
  return { mesh, enabled: new Set(context.nodes.filter((node) => node.enabled).map((node) => node.id)) };
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new UserError(`status: Redis did not answer within ${ms / 1000} s`, STATUS_EXIT.unreadable)),
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
