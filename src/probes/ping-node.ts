/** The lightest request a node answers: used to keep its connection warm and to watch it. */
import type { FailureKind } from '../mesh/types.js';
import { type Endpoint, parseEndpoint } from './endpoint.js';
import { agentFor, type ProbeAgents } from './http-pools.js';
import { CheckFailure, Deadline, elapsedMs, sendToNode } from './node-request.js';

export interface PingOptions {
  timeoutMs: number;
  agents: ProbeAgents;
}

export type PingResult =
  | { ok: true; latencyMs: number }
  | { ok: false; latencyMs: number; failure: FailureKind; error: string };

/** `HEAD /` ("Ollama is running"); any 2xx passes. Resolves whatever the node does. */
export async function pingNode(url: string, options: PingOptions): Promise<PingResult> {
  const started = performance.now();
  let endpoint: Endpoint;
  try {
    endpoint = parseEndpoint(url);
  } catch {
    return { ok: false, latencyMs: 0, failure: 'connection', error: `not an http(s) URL: ${url}` };
  }
  const deadline = new Deadline(options.timeoutMs);
  try {
    await sendToNode(endpoint, '/', { method: 'HEAD', agent: agentFor(options.agents, endpoint) }, deadline);
    return { ok: true, latencyMs: elapsedMs(started) };
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    return { ok: false, latencyMs: elapsedMs(started), failure: error.failure, error: error.message };
  } finally {
    deadline.clear();
  }
}
