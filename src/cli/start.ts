/** `gpu-mesh start [--role ROLES] [--node ID] [--demo]` */
import { agentNodeProblem } from '../agent/index.js';
import { isLoopbackHost } from '../board/auth.js';
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

  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService({
      config,
      configSource: demo ? null : loaded.source,
      loadConfig: demo ? async () => config : loaded.reload,
      roles,
      agentNodeId,
    });
  } catch (error) {
    await demo?.close();
    if (error instanceof PortInUseError) throw new UserError(error.message, 2);
    throw error;
  }
  for (const warning of loaded.warnings) service.logger.warn({ severity: 'WARNING' }, warning);
  if (demo) demo.announce(service.logger, service.server?.url ?? null);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      service.logger.info({ signal }, `${signal}: shutting down`);
      service
        .close()
        .then(() => demo?.close())
        .then(() => resolve(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.on('SIGHUP', () => {
      service.logger.info('SIGHUP: reloading the config');
      void service.reload();
    });
  });
}

/** SPEC: with no password, auth is off, so the server may only listen on loopback. */
function refuseOpenServer(config: MeshConfig): void {
  if (!config.server.password && !isLoopbackHost(config.server.host)) {
    throw new UserError(
      `config: server.host: ${config.server.host} is not loopback and server.password is empty (set GPU_MESH_PASSWORD)`,
    );
  }
}
