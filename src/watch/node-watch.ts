/**
 * One node's watch: a small record (no closures, no timer of its own) and the socket it holds.
 * The socket's handlers are module-level functions that find their watch through the socket, so
 * 10,000 watches cost 10,000 records and sockets, nothing more.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { WatchState } from '../mesh/view.js';
import { parseEndpoint } from '../probes/endpoint.js';
import { headRequest } from './head.js';
import type { WheelEntry } from './wheel.js';

/** What to watch: a node's id, URL and how long it may take to answer (`checks.timeout`). */
export interface WatchTarget {
  id: string;
  url: string;
  timeoutMs: number;
}

/**
 * - `waiting`: no socket; connects when due (first connect or after a backoff).
 * - `asking`: `HEAD /` sent on the socket (a new one or a touch); due is the answer's deadline.
 * - `idle`: the socket answered and is held; due is the next touch.
 */
export type WatchPhase = 'waiting' | 'asking' | 'idle';

/** What the socket handlers report to (the watcher). */
export interface WatchOwner {
  answered(watch: NodeWatch, chunk: string): void;
  lost(watch: NodeWatch): void;
}

const WATCH = Symbol('gpu-mesh.watch');
type WatchedSocket = net.Socket & { [WATCH]?: NodeWatch };

export class NodeWatch implements WheelEntry {
  due = 0;
  slot = -1;
  phase: WatchPhase = 'waiting';
  socket: WatchedSocket | null = null;
  /** The held socket has answered: losing it now is news (fires a check). */
  answered = false;
  /** The server said it would close after its answer (`Connection: close`): that close is no news. */
  closeExpected = false;
  /** Failed reconnect attempts since the last answer. */
  attempts = 0;
  /** The state last reported, null before the first report. */
  state: WatchState | null = null;
  /** The answer read so far. */
  received = '';
  /** The socket error seen before its close (`ECONNRESET`), or null for a plain close. */
  lastError: string | null = null;
  /** The server's advertised idle timeout, 0 when it gave none. */
  idleTimeoutMs = 0;
  /** The bytes of `HEAD /`, kept: the one per-node string a touch needs. */
  readonly request: string;

  /** @throws Error when `url` is not an http(s) URL. */
  constructor(
    readonly id: string,
    readonly url: string,
    public timeoutMs: number,
    readonly owner: WatchOwner,
  ) {
    this.request = headRequest(parseEndpoint(url));
  }

  /** Opens a socket and sends `HEAD /` on it (node:net buffers the write until it connects). */
  open(): void {
    // Parsed again at each connect rather than kept: connects are rare, 10,000 kept copies are not.
    const { hostname, port, secure } = parseEndpoint(this.url);
    const socket: WatchedSocket = secure
      ? tls.connect({ host: hostname, port, servername: net.isIP(hostname) ? undefined : hostname })
      : net.connect({ host: hostname, port });
    socket[WATCH] = this;
    socket.setNoDelay(true);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    // The service's other handles keep the process alive; a watch alone must not.
    socket.unref();
    this.received = '';
    this.lastError = null;
    this.socket = socket;
    socket.write(this.request);
  }

  /** Sends `HEAD /` on the held socket. */
  touch(): void {
    this.received = '';
    this.socket?.write(this.request);
  }

  /** Closes the socket without reporting its loss. */
  drop(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket[WATCH] = undefined;
    socket.destroy();
  }
}

function onData(this: WatchedSocket, chunk: Buffer): void {
  const watch = this[WATCH];
  // latin1: one character per byte, whatever the bytes (no decoder kept per socket).
  if (watch?.socket === this) watch.owner.answered(watch, chunk.toString('latin1'));
}

function onError(this: WatchedSocket, error: NodeJS.ErrnoException): void {
  const watch = this[WATCH];
  if (watch?.socket === this) watch.lastError = error.code ?? error.message;
}

function onClose(this: WatchedSocket): void {
  const watch = this[WATCH];
  this[WATCH] = undefined;
  if (watch?.socket !== this) return;
  watch.socket = null;
  watch.owner.lost(watch);
}
