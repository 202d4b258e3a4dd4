/** Unloading models from a node's memory, a recovery step short of a restart. */

import { parseEndpoint } from './endpoint.js';
import { agentFor, type ProbeAgents } from './http-pools.js';
import { CheckFailure, Deadline, sendToNode } from './node-request.js';

export interface UnloadOptions {
  /** Deadline for all the models together. */
  timeoutMs: number;
  agents: ProbeAgents;
}

/**
 * Asks the node to unload each model (`POST /api/generate {"model", "keep_alive": 0}`, Ollama's
 * documented unload), one after the other; a failure does not stop the others.
 * @throws Error naming every model that could not be unloaded and why.
 */
export async function unloadModels(
  url: string,
  models: readonly string[],
  options: UnloadOptions,
): Promise<void> {
  const endpoint = parseEndpoint(url);
  const agent = agentFor(options.agents, endpoint);
  const deadline = new Deadline(options.timeoutMs);
  const failures: string[] = [];
  try {
    for (const model of models) {
      const body = JSON.stringify({ model, keep_alive: 0 });
      try {
        await sendToNode(endpoint, '/api/generate', { method: 'POST', body, agent }, deadline);
      } catch (error) {
        if (!(error instanceof CheckFailure)) throw error;
        failures.push(`${model} (${error.message})`);
      }
    }
  } finally {
    deadline.clear();
  }
  if (failures.length > 0) throw new Error(`could not unload from ${url}: ${failures.join('; ')}`);
}
