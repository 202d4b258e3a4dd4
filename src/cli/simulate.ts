/** `gpu-mesh simulate [--nodes N] [--port P]`: serves simulated Ollama nodes until SIGTERM/SIGINT. */
import { runSimulate } from '../probes/simulate-command.js';

export interface SimulateCliOptions {
  nodes: number;
  port: number;
  host: string;
}

export async function runSimulateCommand(options: SimulateCliOptions): Promise<number> {
  const session = await runSimulate({
    nodes: options.nodes,
    port: options.port,
    host: options.host,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  await session.closed;
  return 0;
}
