/** `gpu-mesh start [--role ROLES] [--node ID] [--demo]` */
import { agentNodeProblem } from '../agent/index.js';
import { openServerProblem } from '../board/exposure.js';
import { PortInUseError } from '../board/server.js';
import type { MeshConfig } from '../config/types.js';
import { startService } from '../main.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { startDemo } from './demo.js';
import { UserError } from './errors.js';
import { parseRoles } from './roles.js';

export interface StartOptions extends GlobalOptions {
  role: string;
  node?: string;
  demo?: boolean;
}

export async function runStart(options: StartOptions): Promise<number> {
  const roles = parseRoles(options.role, options.node);
  const loaded = await loadCliConfig(options);
  const agentNodeId = roles.includes('agent') ? options.node : undefined;
  const agentProblem = agentNodeId === undefined ? null : agentNodeProblem(loaded.config.nodes, agentNodeId);
  if (agentProblem) throw new UserError(agentProblem);
  const demo = options.demo ? await startDemo(loaded.config) : null;
  const config: MeshConfig = demo ? demo.config : loaded.config;
  if (roles.includes('server')) refuseOpenServer(config);

  // Signals are handled from the start: a SIGTERM while Redis is still awaited must stop us too.
  const signals = watchStopSignals();
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await Promise.race([
      startService({
        config,
        configSource: demo ? null : loaded.source,
        loadConfig: demo ? async () => config : loaded.reload,
        roles,
        agentNodeId,
      }),
      signals.stopped.then(() => null),
    ]).then((started) => {
      if (started) return started;
      // Stopped before start-up finished (Redis never answered, say): nothing was taken on yet.
      process.stderr.write('gpu-mesh: stopped before start-up finished\n');
      process.exit(0);
    });
  } catch (error) {
    await demo?.close();
    if (error instanceof PortInUseError) throw new UserError(error.message, 2);
    throw error;
  }
  for (const warning of loaded.warnings) service.logger.warn({ severity: 'WARNING' }, warning);
  if (demo) demo.announce(service.logger, service.server?.url ?? null);
  process.on('SIGHUP', () => {
    service.logger.info('SIGHUP: reloading the config');
    void service.reload();
  });

  const signal = await signals.stopped;
  service.logger.info({ signal }, `${signal}: shutting down`);
  await service.close();
  await demo?.close();
  return 0;
}

function watchStopSignals(): { stopped: Promise<NodeJS.Signals> } {
  return {
    stopped: new Promise((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    }),
  };
}

/**
 * docs/http-api.md "Auth": with no password, auth is off, so the server may only listen on loopback.
 * `startServer` refuses too; asking here first makes it one line and exit 2 before anything has started.
 */
function refuseOpenServer(config: MeshConfig): void {
  const problem = openServerProblem(config.server);
  if (problem) throw new UserError(`config: ${problem}`);
}
