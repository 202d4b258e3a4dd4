/** `gpu-mesh start [--role ROLES] [--node ID] [--demo]` */
import { agentNodeProblem } from '../agent/index.js';
import { openServerProblem } from '../board/exposure.js';
import { PortInUseError } from '../board/server.js';
import type { MeshConfig } from '../config/types.js';
import { GatewayPortInUseError } from '../gateway/errors.js';
import { type RunningService, startService } from '../main.js';
import { flushLogSync } from '../runtime/exit.js';
import { installFaultHandlers } from '../runtime/fault-handlers.js';
import {
  closeWithin,
  SHUTDOWN_DEADLINE_MS,
  type StopSignal,
  settlesWithin,
  shutdownExitCode,
  watchStopSignals,
} from '../runtime/shutdown.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { type Demo, demoPort, startDemo } from './demo.js';
import { UserError } from './errors.js';
import { parseRoles, withGatewayInAll } from './roles.js';

export interface StartOptions extends GlobalOptions {
  role: string;
  node?: string;
  demo?: boolean;
  /** The demo's first node port (`--demo-port`); the control endpoint listens on the one before. */
  demoPort?: number;
}

export async function runStart(options: StartOptions): Promise<number> {
  const asked = parseRoles(options.role, options.node);
  const loaded = await loadCliConfig(options);
  const agentNodeId = asked.includes('agent') ? options.node : undefined;
  const agentProblem = agentNodeId === undefined ? null : agentNodeProblem(loaded.config.nodes, agentNodeId);
  if (agentProblem) throw new UserError(agentProblem);
  if (options.demoPort !== undefined && !options.demo) throw new UserError('--demo-port: only with --demo');
  const demo = options.demo
    ? await startDemo(loaded.config, { port: demoPort(options.demoPort, process.env) })
    : null;
  const config: MeshConfig = demo ? demo.config : loaded.config;
  const roles = withGatewayInAll(options.role, asked, config.gateway.enabled || demo !== null);
  if (roles.includes('server')) refuseOpenServer(config);

  // Signals are handled from the start: a SIGTERM while Redis is still awaited must stop us too.
  const signals = watchStopSignals();
  const starting = startService({
    config,
    configSource: demo ? null : loaded.source,
    loadConfig: demo ? async () => config : loaded.reload,
    roles,
    agentNodeId,
  });
  starting.catch(() => undefined); // a start-up given up on may still fail later: no news then
  let service: RunningService | null;
  try {
    service = await Promise.race([starting, signals.first.then(() => null)]);
  } catch (error) {
    await demo?.close();
    if (error instanceof PortInUseError)
      throw new UserError(`${error.message}; pick another with server.port in mesh.yaml`, 2);
    if (error instanceof GatewayPortInUseError)
      throw new UserError(`${error.message}; pick another with gateway.port in mesh.yaml`, 2);
    throw error;
  }
  if (!service) {
    // Stopped before start-up finished (Redis never answered, say): nothing was taken on yet.
    process.stderr.write('gpu-mesh: stopped before start-up finished\n');
    if (demo) await settlesWithin(demo.close(), DEMO_CLOSE_MS);
    return 0;
  }
  installFaultHandlers(service.logger);
  for (const warning of loaded.warnings) service.logger.warn({ severity: 'WARNING' }, warning);
  if (demo) demo.announce(service.logger, service.server?.url ?? null, service.gateway?.url ?? null);
  const running = service;
  process.on('SIGHUP', () => {
    running.logger.info('SIGHUP: reloading the config');
    void running.reload();
  });

  return stop(running, demo, await signals.first, signals.second);
}

/** How long a demo's simulators and private Redis get to stop when the shutdown was cut short. */
const DEMO_CLOSE_MS = 1000;

/**
 * The graceful close, under `SHUTDOWN_DEADLINE_MS` from the first signal (`runtime/shutdown.ts`).
 * Exit code 0 when everything closed cleanly; 1 when the shutdown was cut short (the deadline
 * passed, a second signal came, or some part did not close cleanly, such as jobs still running
 * after their grace), in which case the jobs this process held are retried by another one.
 */
async function stop(
  service: RunningService,
  demo: Demo | null,
  signal: StopSignal,
  second: Promise<StopSignal>,
): Promise<number> {
  const { logger } = service;
  const seconds = SHUTDOWN_DEADLINE_MS / 1000;
  logger.info({ signal }, `${signal}: shutting down (within ${seconds} s; a second signal stops at once)`);
  const outcome = await closeWithin(
    async () => {
      const clean = await service.shutDown();
      await demo?.close();
      return clean;
    },
    SHUTDOWN_DEADLINE_MS,
    second,
  );
  if (outcome === 'deadline' || outcome === 'forced') {
    const why = outcome === 'deadline' ? `still not done after ${seconds} s` : 'a second signal';
    logger.error(
      { severity: 'ERROR', outcome },
      `shutdown cut short (${why}): exiting now; jobs this process held are retried by another process once their locks expire`,
    );
    if (demo) await settlesWithin(demo.close(), DEMO_CLOSE_MS);
  }
  flushLogSync(logger);
  return shutdownExitCode(outcome);
}

/**
 * docs/http-api.md "Auth": with no password, auth is off, so the server may only listen on loopback.
 * `startServer` refuses too; asking here first makes it one line and exit 2 before anything has started.
 */
function refuseOpenServer(config: MeshConfig): void {
  const problem = openServerProblem(config.server);
  if (problem) throw new UserError(`config: ${problem}`);
}
