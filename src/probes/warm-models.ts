/** Keeping models loaded (`keepalive.warm`), so the first real request does not wait for a load. */

import { parseEndpoint } from './endpoint.js';
import { agentFor, type ProbeAgents } from './http-pools.js';
import { CheckFailure, Deadline, sendToNode } from './node-request.js';
import { InvalidBodyError, parseTagsBody } from './ollama-bodies.js';

export interface WarmOptions {
  /** Deadline for the whole call; loading a model from disk can take tens of seconds. */
  timeoutMs: number;
  /** How long Ollama keeps each model loaded after this call. */
  keepAliveMs: number;
  agents: ProbeAgents;
}

/**
 * Loads, or keeps loaded, each of `models` that the node has (`/api/tags`), with Ollama's
 * documented load request: `POST /api/generate {"model", "keep_alive"}` and no prompt.
 * Models the node lacks are left alone: Ollama would answer 404, not pull them.
 * Resolves how many models are now warm. A node that fails here is its checks' business, not the
 * sweep's: it resolves with what it managed, so one bad node does not fail the whole sweep.
 */
export async function warmModels(
  url: string,
  models: readonly string[],
  options: WarmOptions,
): Promise<number> {
  const endpoint = parseEndpoint(url);
  const agent = agentFor(options.agents, endpoint);
  const deadline = new Deadline(options.timeoutMs);
  const keepAlive = `${Math.ceil(options.keepAliveMs / 1000)}s`;
  let warmed = 0;
  try {
    const tags = await sendToNode(endpoint, '/api/tags', { method: 'GET', agent }, deadline);
    const present = new Set(parseTagsBody(tags.body).map(fullModelName));
    for (const model of models) {
      if (!present.has(fullModelName(model))) continue;
      const body = JSON.stringify({ model, keep_alive: keepAlive });
      await sendToNode(endpoint, '/api/generate', { method: 'POST', body, agent }, deadline);
      warmed++;
    }
  } catch (error) {
    if (!(error instanceof CheckFailure || error instanceof InvalidBodyError)) throw error;
  } finally {
    deadline.clear();
  }
  return warmed;
}

/** Ollama's default tag: `llama3.2` is `llama3.2:latest`. */
function fullModelName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}
