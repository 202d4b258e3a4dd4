/**
 * One request to an Ollama node under a deadline, with every way it can go wrong turned into a
 * `CheckFailure`: a failure kind plus the one-line message a person reads.
 */
import { setMaxListeners } from 'node:events';
import { assertNever, type FailureKind } from '../mesh/types.js';
import type { Endpoint } from './endpoint.js';
import {
  describeHttpError,
  describeTransportError,
  forbiddenMessage,
  formatByteLimit,
} from './failure-text.js';
import { type HttpResponse, ONE_MIB, RequestError, type RequestOptions, request } from './http-client.js';

export class CheckFailure extends Error {
  constructor(
    readonly failure: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/** An AbortSignal that fires `ms` after it is made; `clear` it once the work is done. */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Checks still under this deadline; the timer goes with the last one's `clear`. */
  private users = 1;

  constructor(readonly ms: number) {
    this.timer = setTimeout(abort, ms, this.controller);
    // Shared by a batch's checks, each with a request listening: not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Puts one more check under it, or says no once it is cleared. */
  join(): boolean {
    if (this.users === 0) return false;
    this.users += 1;
    return true;
  }

  clear(): void {
    this.users -= 1;
    if (this.users === 0) clearTimeout(this.timer);
  }
}

// Module-level, handed its controller as a timer argument: no closure per deadline.
function abort(controller: AbortController): void {
  controller.abort();
}

const startedThisTurn = new Map<number, Deadline>();

/**
 * A deadline `ms` from now, shared by every check that starts in this turn of the event loop with
 * the same `ms` (a batch's checks all do): one timer and one AbortController for all of them.
 */
export function sharedDeadline(ms: number): Deadline {
  const started = startedThisTurn.get(ms);
  if (started?.join()) return started;
  const deadline = new Deadline(ms);
  if (startedThisTurn.size === 0) setImmediate(forgetStartedThisTurn);
  startedThisTurn.set(ms, deadline);
  return deadline;
}

function forgetStartedThisTurn(): void {
  startedThisTurn.clear();
}

/** Milliseconds since `started` (a `performance.now()`), to 0.1 ms. */
export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

export type NodeRequest = Omit<RequestOptions, 'signal'>;

/**
 * Sends one request before `deadline` and returns the 2xx answer.
 * @throws CheckFailure for a timeout, a transport error, a body over the cap, 403 (`forbidden`) and
 *   any other non-2xx status (`http`).
 */
export async function sendToNode(
  endpoint: Endpoint,
  path: string,
  init: NodeRequest,
  deadline: Deadline,
): Promise<HttpResponse> {
  let response: HttpResponse;
  try {
    response = await request(endpoint, path, { ...init, signal: deadline.signal });
  } catch (error) {
    throw requestFailure(error, path, deadline, init.maxBytes);
  }
  const failure = statusFailure(response, path);
  if (failure !== null) throw failure;
  return response;
}

/** The failure a non-2xx answer means, or null for a 2xx one. */
export function statusFailure(response: HttpResponse, path: string): CheckFailure | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  if (status === 403) return new CheckFailure('forbidden', forbiddenMessage(path));
  return new CheckFailure('http', describeHttpError(status, response.contentType, response.body, path));
}

/** The failure a rejected request means. Rethrows what is not a `RequestError` (a bug, not a node). */
export function requestFailure(
  error: unknown,
  path: string,
  deadline: Deadline,
  maxBytes = ONE_MIB,
): CheckFailure {
  if (!(error instanceof RequestError)) throw error;
  switch (error.reason) {
    case 'aborted':
      return new CheckFailure('timeout', `timeout after ${deadline.ms} ms`);
    case 'too_large':
      return new CheckFailure('too_large', `body too large (over ${formatByteLimit(maxBytes)}) from ${path}`);
    case 'transport':
      // Node's HTTP parser rejecting the answer: something that is not an HTTP server listens there.
      if (error.code?.startsWith('HPE_')) {
        return new CheckFailure('invalid', `invalid HTTP response from ${path} (${error.code})`);
      }
      return new CheckFailure('connection', describeTransportError(error.code, error.message));
    default:
      return assertNever(error.reason);
  }
}
