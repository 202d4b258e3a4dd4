/** Role `gateway`: the inference gateway on its own port, with its own metrics; loaded only where it runs. */
import type { RunningGateway } from '../gateway/service.js';
import type { RoleContext } from './context.js';

export type { RunningGateway };

export async function startGatewayRole(context: RoleContext): Promise<RunningGateway> {
  const { startGateway } = await import('../gateway/service.js');
  const { redis, checkQueue, logger } = context;
  const gateway = context.lifecycle.hold(
    await startGateway({ config: () => context.config.current(), redis, checkQueue, logger }),
    'gateway',
    (started) => started.close(),
  );
  context.config.onReload((next) => gateway.update(next));
  return gateway;
}
