/**
 * `gpu-mesh simulate`: serves simulated Ollama nodes until SIGTERM/SIGINT.
 *
 * Ports: node i listens on `port + i - 1` (11501, 11502, … by default) and the control endpoint on
 * `port - 1` (11500), just below the nodes' range, so one number says where everything is and
 * growing `--nodes` never collides with the control port. With `port: 0` every port is ephemeral.
 */
import { type Simulator, startSimulator } from './index.js';

export const DEFAULT_SIM_NODES = 3;
export const DEFAULT_SIM_PORT = 11501;

/** Up to this many nodes, each gets its own line; beyond, one summary line. */
const LISTED_NODES = 20;

export interface SimulateOptions {
  /** Default 3. */
  nodes?: number;
  /** First node's port. Default 11501; 0 = ephemeral ports. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `port - 1` (0 when `port` is 0); null: no control endpoint. */
  controlPort?: number | null;
  log: (line: string) => void;
}

export interface SimulateSession {
  simulator: Simulator;
  /** Resolves once the simulator is closed, by SIGTERM/SIGINT or by `close`. */
  closed: Promise<void>;
  close(): Promise<void>;
}

export async function runSimulate(options: SimulateOptions): Promise<SimulateSession> {
  const { nodes = DEFAULT_SIM_NODES, port = DEFAULT_SIM_PORT, host = '127.0.0.1', log } = options;
  const controlPort = options.controlPort === undefined ? (port === 0 ? 0 : port - 1) : options.controlPort;
  const simulator = await startSimulator({ count: nodes, port, host, controlPort: controlPort ?? undefined });
  announce(simulator, log);

  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    if (closing === null) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      closing = simulator.close().finally(markClosed);
    }
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the simulated nodes`);
    close().catch((error: Error) => log(`simulator: error while stopping: ${error.message}`));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { simulator, closed, close };
}

function announce(simulator: Simulator, log: (line: string) => void): void {
  const { nodes } = simulator;
  if (nodes.length <= LISTED_NODES) {
    for (const node of nodes) log(`${node.id}  ${node.url}`);
  } else {
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    if (first !== undefined && last !== undefined) {
      log(`${nodes.length} simulated Ollama nodes: ${first.id} ${first.url} … ${last.id} ${last.url}`);
    }
  }
  if (simulator.controlUrl !== null) {
    log(`control: ${simulator.controlUrl}  (GET /nodes · POST /nodes/<id>/mode {"mode":"dead"})`);
  }
}
