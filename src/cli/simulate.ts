/** `gpu-mesh simulate [--nodes N] [--port P]`: serves simulated Ollama nodes until SIGTERM/SIGINT. */
import { runSimulate } from '../simulator/command.js';
import { UserError } from './errors.js';

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
  }).catch((error: Error) => {
    // A port taken or refused is the user's to fix: say which, without a stack.
    if (/EADDRINUSE|EACCES|EADDRNOTAVAIL/.test(error.message))
      throw new UserError(`simulate: ${error.message}`);
    throw error;
  });
  await session.closed;
  return 0;
}
