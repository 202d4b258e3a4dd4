/** One simulated Ollama node: its own HTTP server on its own port, and the mode it is in. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALL_MODELS } from './catalog.js';
import { handleNodeRequest, type SimNodeState } from './handler.js';
import { DEFAULT_SLOW_DELAY_MS, type SimMode } from './modes.js';
import { DEFAULT_STREAM, type StreamSettings } from './streaming.js';

// Ollama's Go server never times out an idle keep-alive connection or a slow request: neither
// does the simulator (Node's defaults would close idle connections after 5 s).
const SERVER_OPTIONS: http.ServerOptions = { keepAliveTimeout: 0, requestTimeout: 0 };

/** CATALOG[0] is in memory when a node starts, and again when it comes back from `dead`. */
const LOADED_AT_START = 1;

class SimServer extends http.Server {
  constructor(readonly node: SimNodeState) {
    super(SERVER_OPTIONS, handleNodeRequest);
  }
}

export class SimNode implements SimNodeState {
  mode: SimMode = 'healthy';
  delayMs = DEFAULT_SLOW_DELAY_MS;
  loadedMask = LOADED_AT_START;
  installedMask = ALL_MODELS;
  stream: Readonly<StreamSettings> = DEFAULT_STREAM;
  aborted = 0;
  readonly requests: Record<string, number> = {};
  url = '';
  private readonly server = new SimServer(this);
  // Mode changes run one at a time: a `dead` must finish closing before a `healthy` re-listens.
  private changes: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly host: string,
    /** 0 until the first listen picks an ephemeral port; then kept for every re-listen. */
    public port: number,
  ) {}

  /** Starts listening (again, on the same port). */
  listen(): Promise<void> {
    const { server } = this;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(
          new Error(`${this.id}: cannot listen on ${this.host}:${this.port}: ${error.code ?? error.message}`),
        );
      };
      const onListening = (): void => {
        server.off('error', onError);
        this.port = (server.address() as AddressInfo).port;
        const host = this.host.includes(':') ? `[${this.host}]` : this.host;
        this.url = `http://${host}:${this.port}`;
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.port, this.host);
    });
  }

  setMode(mode: SimMode, delayMs?: number): Promise<void> {
    const change = this.changes.then(() => this.switchTo(mode, delayMs));
    this.changes = change.catch(() => {});
    return change;
  }

  /** Stops listening and drops every connection, for good. */
  close(): Promise<void> {
    const closing = this.changes.then(() => (this.mode === 'dead' ? undefined : this.stopListening()));
    this.changes = closing.catch(() => {});
    return closing;
  }

  private async switchTo(mode: SimMode, delayMs: number | undefined): Promise<void> {
    if (mode === 'slow') this.delayMs = delayMs ?? DEFAULT_SLOW_DELAY_MS;
    if (mode === this.mode) return;
    if (mode === 'dead') {
      this.mode = mode;
      return this.stopListening();
    }
    if (this.mode === 'dead') {
      // A restarted Ollama: listening again, with the start's model loaded.
      await this.listen();
      this.loadedMask = LOADED_AT_START & this.installedMask;
    }
    this.mode = mode;
  }

  /** What a killed process does: the port refuses, open connections (idle or busy) are reset. */
  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
