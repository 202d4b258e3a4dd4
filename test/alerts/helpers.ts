import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import type { AlertContext } from '../../src/alerts/channels/types.js';
import type { Alert } from '../../src/alerts/types.js';

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'local:1767225600000:unhealthy',
    at: '2026-01-01T00:00:30.000Z',
    severity: 'ERROR',
    kind: 'unhealthy',
    nodeId: 'local',
    incidentId: 'local:1767225600000',
    title: 'Local Ollama is unhealthy',
    message: '3 consecutive checks failed: connect ECONNREFUSED 127.0.0.1:11434',
    ...overrides,
  };
}

export function makeContext(overrides: Partial<AlertContext> = {}): AlertContext {
  return {
    nodeName: 'Local Ollama',
    nodeStatus: 'unhealthy',
    lastError: 'connect ECONNREFUSED 127.0.0.1:11434',
    incidentStartedAt: '2026-01-01T00:00:00.000Z',
    dashboardUrl: 'http://127.0.0.1:3000/',
    boardUrl: 'http://127.0.0.1:3000/board',
    ...overrides,
  };
}

/** Resolves with `promise`, or rejects once `ms` have passed: every wait in these tests has a deadline. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `action`, which must reject; returns its error and how long it took. */
export async function timedRejection(action: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  try {
    await action();
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(error)}`);
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a rejection, but it resolved');
}

/** Every text of an error and its causes that a log or Bull Board could show: messages, stacks, string fields. */
export function errorChainText(error: unknown): string {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (!(current instanceof Error)) {
      texts.push(String(current));
      break;
    }
    texts.push(current.message, current.stack ?? '');
    for (const value of Object.values(current)) if (typeof value === 'string') texts.push(value);
    current = current.cause;
  }
  return texts.join('\n');
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LoopbackHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Resolves with the next request the server receives (or one already received and not yet taken). */
  nextRequest(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * An HTTP server on loopback standing in for Slack or a webhook receiver. `answer` writes the
 * response; one that never ends it leaves the client waiting, as a stalled receiver would.
 */
export async function startHttpServer(
  answer: (request: ReceivedRequest, response: ServerResponse) => void,
): Promise<LoopbackHttpServer> {
  const received: ReceivedRequest[] = [];
  const waiting: Array<(request: ReceivedRequest) => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const waiter = waiting.shift();
      if (waiter) waiter(request);
      else received.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    nextRequest() {
      const request = received.shift();
      if (request) return Promise.resolve(request);
      return withDeadline(new Promise((resolve) => waiting.push(resolve)), 5_000, 'HTTP request');
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A loopback port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One connection a stand-in server accepted: when, and when the client ended it. */
export interface HeldConnection {
  openedAt: number;
  /** When the client closed its side (the server saw FIN or a reset), or null while it is open. */
  endedAt: number | null;
  /** Reply lines the server sent on it. */
  lines: number;
}

export interface TricklingSmtp {
  port: number;
  connections: HeldConnection[];
  /** Connections the client has not ended yet. */
  open(): number;
  close(): Promise<void>;
}

/**
 * An SMTP server stuck in the middle of a reply: it greets, then answers EHLO with a `250-`
 * continuation line every `everyMs` and never the last line. Bytes keep coming, so no idle
 * timeout ever fires: only a total deadline ends such a delivery. It closes its side of a
 * connection as soon as the client closes its own.
 */
export async function startTricklingSmtp(everyMs = 300): Promise<TricklingSmtp> {
  const connections: HeldConnection[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    const held: HeldConnection = { openedAt: Date.now(), endedAt: null, lines: 0 };
    connections.push(held);
    sockets.add(socket);
    let timer: NodeJS.Timeout | undefined;
    const send = (line: string) => {
      held.lines++;
      socket.write(`${line}\r\n`);
    };
    const ended = () => {
      clearInterval(timer);
      held.endedAt ??= Date.now();
      socket.destroy();
    };
    socket.on('error', ended);
    socket.on('end', ended);
    socket.on('close', () => {
      ended();
      sockets.delete(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (timer === undefined && /^(EHLO|HELO) /im.test(chunk.toString('latin1'))) {
        timer = setInterval(() => send('250-stalled.example.test is still thinking'), everyMs);
      }
    });
    send('220 stalled.example.test ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    open: () => connections.filter((held) => held.endedAt === null).length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
