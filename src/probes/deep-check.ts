/**
 * The deep part of a check: a one-token generation that proves the GPU runner answers, which
 * `/api/version` alone does not (the node that answers `/` while its runner hangs).
 */
import type http from 'node:http';
import type { DeepOutcome } from '../mesh/types.js';
import type { Endpoint } from './endpoint.js';
import { oneLine } from './failure-text.js';
import { RequestError, requestUntilLine } from './http-client.js';
import { CheckFailure, Deadline, elapsedMs, requestFailure, statusFailure } from './node-request.js';

const GENERATE = '/api/generate';

/**
 * Streams `POST /api/generate` (`num_predict: 1`) until the first line carrying a `response`,
 * under its own deadline of `timeoutMs`, then closes the stream without waiting for the rest.
 * A timeout and a 503 (`server busy`) are outcomes, not failures: the caller decides what a run
 * of them means.
 * @throws CheckFailure of kind `deep` for any other error.
 */
export async function runDeepCheck(
  endpoint: Endpoint,
  agent: http.Agent,
  model: string,
  timeoutMs: number,
): Promise<DeepOutcome> {
  const body = JSON.stringify({ model, prompt: 'ping', stream: true, options: { num_predict: 1 } });
  const deadline = new Deadline(timeoutMs);
  const started = performance.now();
  try {
    const response = await requestUntilLine(
      endpoint,
      GENERATE,
      { method: 'POST', body, agent, signal: deadline.signal },
      endsTheWait,
    );
    const ttftMs = elapsedMs(started);
    if (response.status === 503) return { kind: 'busy', model };
    const failure = statusFailure(response, GENERATE);
    if (failure !== null) throw deepFailure(model, failure.message);
    if (response.line === null) throw deepFailure(model, 'the stream ended before the first token');
    const problem = problemOfFirstLine(response.line);
    if (problem !== null) throw deepFailure(model, problem);
    return { kind: 'ok', model, ttftMs };
  } catch (error) {
    if (error instanceof RequestError) {
      if (error.reason === 'aborted') return { kind: 'timeout', model, afterMs: timeoutMs };
      throw deepFailure(model, requestFailure(error, GENERATE, deadline).message);
    }
    throw error;
  } finally {
    deadline.clear();
  }
}

function deepFailure(model: string, message: string): CheckFailure {
  return new CheckFailure('deep', `deep check of ${model}: ${message}`);
}

/** Every generate line carries `response`; an error mid-stream comes as `{"error": ...}`. */
function endsTheWait(line: string): boolean {
  const fields = parseLine(line);
  return fields === null || 'response' in fields || 'error' in fields;
}

/** What is wrong with the line that ended the wait, or null when it is a token. */
function problemOfFirstLine(line: string): string | null {
  const fields = parseLine(line);
  if (fields === null) return `invalid JSON from ${GENERATE}`;
  if (typeof fields.error === 'string') return oneLine(fields.error);
  if (typeof fields.response !== 'string')
    return `invalid response from ${GENERATE}: response is not a string`;
  return null;
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
