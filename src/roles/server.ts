/**
 * Role `server`: the dashboard, the API, Bull Board and `/metrics` on `server.host:port`. Loaded
 * only where it runs: express and Bull Board add some 20 MB to a process.
 */
import type { RunningServer } from '../board/server.js';
import type { RoleContext } from './context.js';

export type { RunningServer };

export async function startServerRole(context: RoleContext): Promise<RunningServer> {
  const { startServer } = await import('../board/server.js');
  const { redis, logger, now } = context;
  return context.lifecycle.hold(
    await startServer({ config: () => context.config.current(), redis, logger, now }),
    'server',
    (server) => server.close(),
  );
}
