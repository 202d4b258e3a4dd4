/**
 * One attempt on one node, as an undici dispatch handler: the node's answer goes to the client
 * as it comes (each chunk written as it arrives; the node paused while the client's socket is
 * full), never buffered whole. Before the first byte a failure is handed back for failover (a 5xx
 * too, unless it is the last chance, then it goes through as it is). After it, a node that dies
 * or goes quiet for `idleTimeout` ends the client's stream with an error in the stream's own
 * format (`stream-errors.ts`) and the connection closes; nothing is retried.
 *
 * A handler rather than undici's `request()`: no Readable, promise or abort signal per request,
 * which was most of the gateway's own CPU per request (BENCHMARKS.md).
 */
import type http from 'node:http';
import type { Dispatcher } from 'undici';
import { describeFailure, describeStreamFailure, failsOver, isAbort } from './failures.js';
import type { Outcome } from './metrics.js';
import { inBandError, type StreamFormat, streamFormatOf } from './stream-errors.js';

export type AttemptResult =
  /** The node answered: the answer went to the client (or the client went away). */
  | { kind: 'answered'; outcome: Outcome; status: number }
  /** The node failed before its first byte: try another. */
  | { kind: 'failed'; reason: string };

export interface AttemptOptions {
  nodeId: string;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  attempt: number;
  /** Whether a 5xx goes to the client as it is (no other node could take the request). */
  passFailure(): boolean;
  clientGone(): boolean;
  /** The response headers arrived, after `ms`. */
  firstByte(ms: number): void;
  settle(result: AttemptResult): void;
}

const RESPONSE_HEADERS_DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
]);

type Controller = Dispatcher.DispatchController;

export class Attempt implements Dispatcher.DispatchHandler {
  private controller: Controller | null = null;
  private readonly started = performance.now();
  private status = 0;
  /** The answer's headers went to the client. */
  private answering = false;
  /** A 5xx being failed over: its body is dropped. */
  private discarding = false;
  private settled = false;
  private tail: Buffer | null = null;
  private format: StreamFormat = 'other';
  private readonly resume = (): void => this.controller?.resume();

  constructor(
    private readonly res: http.ServerResponse,
    private readonly options: AttemptOptions,
  ) {}

  /** The client went away: abort the node's request. */
  abort(): void {
    this.controller?.abort(new Error('client disconnected'));
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.options.clientGone()) controller.abort(new Error('client disconnected'));
  }

  onResponseStart(_controller: Controller, status: number, headers: Record<string, string | string[]>): void {
    this.status = status;
    this.options.firstByte(performance.now() - this.started);
    if (failsOver(status) && !this.options.passFailure()) {
      this.discarding = true;
      return;
    }
    this.answering = true;
    this.format = streamFormatOf(first(headers['content-type']));
    this.res.writeHead(status, this.responseHeaders(headers));
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.discarding) return;
    this.tail = chunk;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.resume);
    }
  }

  onResponseEnd(): void {
    if (this.discarding) {
      this.settle({ kind: 'failed', reason: `${this.options.nodeId}: HTTP ${this.status}` });
      return;
    }
    this.res.end();
    const outcome: Outcome =
      this.status >= 500 ? 'upstream_error' : this.status >= 400 ? 'client_error' : 'ok';
    this.settle({ kind: 'answered', outcome, status: this.status });
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.options.clientGone() || isAbort(error)) {
      this.settle({ kind: 'answered', outcome: 'aborted', status: this.status });
      return;
    }
    if (!this.answering) {
      const reason = `${this.options.nodeId}: ${describeFailure(error, this.options.headersTimeoutMs)}`;
      this.settle({
        kind: 'failed',
        reason: this.discarding ? `${this.options.nodeId}: HTTP ${this.status}` : reason,
      });
      return;
    }
    const message = `node ${this.options.nodeId} failed mid-answer: ${describeStreamFailure(error, this.options.idleTimeoutMs)}`;
    const ending = inBandError(this.format, message, this.tail);
    if (ending === null) this.res.destroy();
    else this.res.end(ending, () => this.res.socket?.end());
    this.settle({ kind: 'answered', outcome: 'upstream_error', status: this.status });
  }

  private settle(result: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.res.off('drain', this.resume);
    this.options.settle(result);
  }

  private responseHeaders(headers: Record<string, string | string[]>): http.OutgoingHttpHeaders {
    const out: http.OutgoingHttpHeaders = {};
    for (const name in headers) {
      if (!RESPONSE_HEADERS_DROPPED.has(name)) out[name] = headers[name];
    }
    out['x-gpu-mesh-node'] = this.options.nodeId;
    out['x-gpu-mesh-attempts'] = String(this.options.attempt);
    return out;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
