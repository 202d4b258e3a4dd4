/**
 * The probe's HTTP client: node:http(s) over shared keep-alive agents, a byte cap on every body,
 * an AbortSignal for the deadline, and a line mode that stops a streamed body early.
 *
 * It runs thousands of times a second, so one request allocates one `Exchange` and no closures:
 * the listeners are module-level functions that find their exchange on the emitter (under a
 * symbol), and the exchange itself is the abort listener (`handleEvent`).
 */
import http from 'node:http';
import https from 'node:https';
import type { Endpoint } from './endpoint.js';

export const ONE_MIB = 1024 * 1024;

export interface RequestOptions {
  method: 'GET' | 'HEAD' | 'POST';
  /** JSON text, sent with its Content-Length. */
  body?: string;
  signal: AbortSignal;
  /** Reading stops past this many bytes and the request fails with reason `too_large`. Default 1 MiB. */
  maxBytes?: number;
  agent: http.Agent;
}

export interface HttpResponse {
  status: number;
  /** The Content-Type header, '' when absent. */
  contentType: string;
  /** The whole body; '' in line mode when the status is 2xx. */
  body: string;
  /** Line mode, 2xx: the first line `isWanted` accepted, or null when the stream ended first. */
  line: string | null;
}

export type RequestFailureReason = 'aborted' | 'too_large' | 'transport';

export class RequestError extends Error {
  constructor(
    readonly reason: RequestFailureReason,
    message: string,
    /** The system or parser error code (`ECONNREFUSED`, `HPE_INVALID_CONSTANT`), for transport errors. */
    readonly code: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RequestError';
  }
}

/** Sends one request and reads the whole (capped) body. */
export function request(endpoint: Endpoint, path: string, options: RequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) =>
    new Exchange(endpoint, path, options, null, resolve, reject).start(),
  );
}

/**
 * Sends one request and, when the answer is 2xx, reads its body line by line (NDJSON) until
 * `isWanted` accepts one; then the response is destroyed without waiting for the rest.
 * A non-2xx answer is read whole, as `request` does.
 */
export function requestUntilLine(
  endpoint: Endpoint,
  path: string,
  options: RequestOptions,
  isWanted: (line: string) => boolean,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) =>
    new Exchange(endpoint, path, options, isWanted, resolve, reject).start(),
  );
}

const EXCHANGE = Symbol('probe exchange');
type Tagged<T> = T & { [EXCHANGE]: Exchange };

const GET_HEADERS = { 'user-agent': 'gpu-mesh' };
const LF = 10;

class Exchange {
  private req: http.ClientRequest | null = null;
  private res: http.IncomingMessage | null = null;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private settled = false;
  private retried = false;
  private readonly maxBytes: number;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly path: string,
    private readonly options: RequestOptions,
    private readonly isWanted: ((line: string) => boolean) | null,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: RequestError) => void,
  ) {
    this.maxBytes = options.maxBytes ?? ONE_MIB;
  }

  start(): void {
    const { signal } = this.options;
    if (signal.aborted) {
      this.fail(new RequestError('aborted', 'aborted'));
      return;
    }
    signal.addEventListener('abort', this);
    this.send();
  }

  private send(): void {
    try {
      this.req = this.createRequest();
    } catch (error) {
      // node:http throws synchronously on arguments it refuses (a header, a host).
      const { message, code } = error as NodeJS.ErrnoException;
      this.fail(new RequestError('transport', message, code ?? null, { cause: error }));
    }
  }

  private createRequest(): http.ClientRequest {
    const { endpoint, options } = this;
    const body = options.body;
    const req = (endpoint.secure ? https : http).request({
      method: options.method,
      hostname: endpoint.hostname,
      port: endpoint.port,
      path: endpoint.basePath + this.path,
      auth: endpoint.auth ?? undefined,
      agent: options.agent,
      headers:
        body === undefined
          ? GET_HEADERS
          : {
              'user-agent': 'gpu-mesh',
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
    });
    (req as Tagged<http.ClientRequest>)[EXCHANGE] = this;
    req.on('response', onResponse);
    req.on('error', onRequestError);
    req.end(body);
    return req;
  }

  /** The AbortSignal's listener (an EventTarget accepts an object with `handleEvent`). */
  handleEvent(): void {
    this.fail(new RequestError('aborted', 'aborted'));
  }

  onResponse(res: http.IncomingMessage): void {
    this.res = res;
    (res as Tagged<http.IncomingMessage>)[EXCHANGE] = this;
    res.on('error', onResponseError);
    // A HEAD answer declares the size of a body it does not send.
    const declared = this.options.method === 'HEAD' ? 0 : Number(res.headers['content-length']);
    if (declared > this.maxBytes) {
      this.failTooLarge();
      return;
    }
    res.on('data', onData);
    res.on('end', onEnd);
  }

  onData(chunk: Buffer): void {
    if (this.settled) return;
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) this.failTooLarge();
    else if (this.isWanted !== null && isSuccess(this.res)) this.takeLines(chunk);
    else this.chunks.push(chunk);
  }

  onEnd(): void {
    if (this.settled) return;
    if (this.isWanted !== null && isSuccess(this.res)) {
      // The stream's last line may lack its newline.
      const rest = this.joinChunks();
      this.succeed('', rest.trim() !== '' && this.isWanted(rest) ? rest : null);
    } else {
      this.succeed(this.joinChunks(), null);
    }
  }

  onError(error: NodeJS.ErrnoException): void {
    if (this.settled) return;
    // A keep-alive socket the node closed while it sat in the pool: Node's documented remedy is
    // to retry once on a fresh connection, since nothing reached the node.
    if (this.res === null && !this.retried && this.req?.reusedSocket && isStaleSocketError(error)) {
      this.retried = true;
      this.send();
    } else {
      this.fail(new RequestError('transport', error.message, error.code ?? null, { cause: error }));
    }
  }

  private takeLines(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(LF);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      let line: string;
      if (this.chunks.length === 0) line = piece.toString('utf8');
      else {
        this.chunks.push(piece);
        line = this.joinChunks();
        this.chunks.length = 0;
      }
      if (line.trim() !== '' && this.isWanted?.(line)) {
        this.succeed('', line);
        return;
      }
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.chunks.push(start === 0 ? chunk : chunk.subarray(start));
  }

  private joinChunks(): string {
    const { chunks } = this;
    if (chunks.length === 0) return '';
    if (chunks.length === 1) return (chunks[0] as Buffer).toString('utf8');
    return Buffer.concat(chunks).toString('utf8');
  }

  private failTooLarge(): void {
    this.fail(new RequestError('too_large', `body over ${this.maxBytes} bytes`));
  }

  private succeed(body: string, line: string | null): void {
    const res = this.res as http.IncomingMessage;
    const status = res.statusCode ?? 0;
    const contentType = res.headers['content-type'] ?? '';
    // A line-mode stop leaves the rest of the stream unread: the socket can't be reused.
    if (!res.complete) this.req?.destroy();
    this.settle();
    this.resolve({ status, contentType, body, line });
  }

  private fail(error: RequestError): void {
    if (this.settled) return;
    this.req?.destroy();
    this.settle();
    this.reject(error);
  }

  private settle(): void {
    this.settled = true;
    this.chunks.length = 0;
    this.options.signal.removeEventListener('abort', this);
  }
}

function isSuccess(res: http.IncomingMessage | null): boolean {
  const status = res?.statusCode ?? 0;
  return status >= 200 && status < 300;
}

function isStaleSocketError(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE';
}

function onResponse(this: Tagged<http.ClientRequest>, res: http.IncomingMessage): void {
  this[EXCHANGE].onResponse(res);
}

function onRequestError(this: Tagged<http.ClientRequest>, error: NodeJS.ErrnoException): void {
  this[EXCHANGE].onError(error);
}

function onResponseError(this: Tagged<http.IncomingMessage>, error: NodeJS.ErrnoException): void {
  this[EXCHANGE].onError(error);
}

function onData(this: Tagged<http.IncomingMessage>, chunk: Buffer): void {
  this[EXCHANGE].onData(chunk);
}

function onEnd(this: Tagged<http.IncomingMessage>): void {
  this[EXCHANGE].onEnd();
}
