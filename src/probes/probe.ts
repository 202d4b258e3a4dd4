/**
 * A check of one node (docs/checks.md "What a check is"): `GET /api/version`, `/api/tags` and `/api/ps` in
 * turn over the node's keep-alive connection, within one deadline; then, when asked, the deep part.
 */
import type { DeepOutcome, LoadedModel, ProbeResult } from '../mesh/types.js';
import { runDeepCheck } from './deep-check.js';
import { type Endpoint, endpointOf } from './endpoint.js';
import { looksLikeHtml } from './failure-text.js';
import { agentFor, type ProbeAgents } from './http-pools.js';
import {
  CheckFailure,
  type Deadline,
  elapsedMs,
  type NodeRequest,
  sendToNode,
  sharedDeadline,
} from './node-request.js';
import { InvalidBodyError, parsePsBody, parseTagsBody, parseVersionBody } from './ollama-bodies.js';
import { detectSoftSignals } from './soft-signals.js';

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
  let version: string;
  let installedModels: string[];
  let loadedModels: LoadedModel[];
  try {
    version = await getParsed(endpoint, '/api/version', get, deadline, parseVersionBody);
    installedModels = await getParsed(endpoint, '/api/tags', get, deadline, parseTagsBody);
    loadedModels = await getParsed(endpoint, '/api/ps', get, deadline, parsePsBody);
  } catch (error) {
    return failed(started, error);
  } finally {
    deadline.clear();
  }
  let deep: DeepOutcome | null = null;
  if (options.deep !== null) {
    const model = options.deep.model || loadedModels[0]?.name;
    try {
      deep =
        model === undefined
          ? { kind: 'skipped', reason: 'no model loaded' }
          : await runDeepCheck(endpoint, agent, model, options.deep.timeoutMs);
    } catch (error) {
      return failed(started, error);
    }
  }
  const signals = detectSoftSignals(loadedModels, (options.now ?? Date.now)());
  return {
    ok: true,
    latencyMs: elapsedMs(started),
    version,
    models: installedModels.length,
    installedModels,
    loadedModels,
    deep,
    signals,
  };
}

/** One GET before the deadline, its body read by `parse`. */
async function getParsed<T>(
  endpoint: Endpoint,
  path: string,
  get: NodeRequest,
  deadline: Deadline,
  parse: (text: string) => T,
): Promise<T> {
  const response = await sendToNode(endpoint, path, get, deadline);
  try {
    return parse(response.body);
  } catch (error) {
    if (!(error instanceof InvalidBodyError)) throw error;
    if (error.problem === 'shape')
      throw new CheckFailure('invalid', `invalid response from ${path}: ${error.message}`);
    const html = looksLikeHtml(response.contentType, response.body) ? ' (got HTML)' : '';
    throw new CheckFailure('invalid', `invalid JSON from ${path}${html}`);
  }
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
