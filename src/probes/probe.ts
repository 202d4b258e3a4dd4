/**
 * A check of one node (docs/checks.md "What a check is"): the requests of every kind of check
 * (`checks/`: `GET /api/version`, `/api/tags` and `/api/ps`) in turn over the node's keep-alive
 * connection, within one deadline; then, when asked, the deep part.
 */
import type { DeepOutcome, ProbeResult } from '../mesh/types.js';
import { askEveryKind, type CheckAnswers } from './checks/index.js';
import { runDeepCheck } from './deep-check.js';
import { type Endpoint, endpointOf } from './endpoint.js';
import { agentFor, type ProbeAgents } from './http-pools.js';
import { CheckFailure, elapsedMs, type NodeRequest, sharedDeadline } from './node-request.js';

export interface DeepCheckOptions {
  /** The model to generate with; '' = the first model `/api/ps` lists (none loaded: skipped). */
  model: string;
  /** The deep part's own deadline, apart from the check's. */
  timeoutMs: number;
}

export interface ProbeOptions {
  /** Deadline for the whole check (`checks.timeout`), all three requests included. */
  timeoutMs: number;
  /** The deep part, or null to leave it out. */
  deep: DeepCheckOptions | null;
  agents: ProbeAgents;
  /** The wall clock (epoch ms) that `expires_at` is compared with. Default `Date.now`. */
  now?: () => number;
}

/** Checks one node. Whatever the node does, it resolves: every problem is a failed `ProbeResult`. */
export async function probeNode(url: string, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  let endpoint: Endpoint;
  try {
    endpoint = endpointOf(url);
  } catch {
    return failed(started, new CheckFailure('connection', `not an http(s) URL: ${url}`));
  }
  const agent = agentFor(options.agents, endpoint);
  const get: NodeRequest = { method: 'GET', agent };
  const deadline = sharedDeadline(options.timeoutMs);
  let answers: CheckAnswers;
  try {
    answers = await askEveryKind(endpoint, get, deadline);
  } catch (error) {
    return failed(started, error);
  } finally {
    deadline.clear();
  }
  let deep: DeepOutcome | null = null;
  if (options.deep !== null) {
    const model = options.deep.model || answers.fields.loadedModels[0]?.name;
    try {
      deep =
        model === undefined
          ? { kind: 'skipped', reason: 'no model loaded' }
          : await runDeepCheck(endpoint, agent, model, options.deep.timeoutMs);
    } catch (error) {
      return failed(started, error);
    }
  }
  const signals = answers.signals((options.now ?? Date.now)());
  return { ok: true, latencyMs: elapsedMs(started), ...answers.fields, deep, signals };
}

function failed(started: number, error: unknown): ProbeResult {
  if (!(error instanceof CheckFailure)) throw error;
  return {
    ok: false,
    latencyMs: elapsedMs(started),
    failure: error.failure,
    error: error.message,
    deep: null,
  };
}
