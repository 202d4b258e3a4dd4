/**
 * Server-sent events for `/api/events`. One poller per server process reads the mesh about once a
 * second while someone listens and sends only what changed (the check path pays nothing for it),
 * and reads it at once when a node's status or models change (the store publishes each such change
 * on the routing channel), so that a status lasting less than a second is still seen;
 * alerts are relayed from the `<prefix>:events` pub/sub channel as they come; a comment line every
 * 15 s keeps proxies from closing an idle stream.
 *
 * Events: `node` (a Node, docs/http-api.md "JSON shapes"), `alert` (an Alert), `mesh`
 * (`{healthPercent, healthy, total}`), `telemetry` (`{nodeId, telemetry}`: the GPU telemetry an
 * agent reported for the node, or null) and `report` (a stats report, relayed as the stats job
 * publishes it). A new listener first gets the whole picture (without the latest report).
 *
 * Bounded: at most `maxClients` listeners at once (the route answers 503 beyond), and a listener
 * that reads slower than events come (its unsent output past `maxBufferedBytes`) is dropped, and
 * comes back through EventSource's reconnect with the whole picture, rather than growing the
 * process's memory without end.
 */
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import type { MeshView } from '../mesh/view.js';
import type { Logger } from '../runtime/logger.js';

export interface LiveSnapshot {
  mesh: MeshView;
  /** Node id -> the node's latest GPU telemetry, or null. */
  telemetry: ReadonlyMap<string, unknown>;
}

export interface EventHubOptions {
  read(): Promise<LiveSnapshot>;
  /** A connection of its own for SUBSCRIBE (opened when the first listener comes). */
  subscriber(): Redis;
  /** `<prefix>:events` */
  channel: string;
  /** `<prefix>:routing`: a message there means a node's status or models changed. */
  routingChannel: string;
  logger: Logger;
  pollMs?: number;
  heartbeatMs?: number;
  /** Listeners at once. Default 100. */
  maxClients?: number;
  /** A listener with more output than this waiting to be sent is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_CLIENTS = 100;
const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
const RECONNECT_AFTER_MS = 2000;

/** One event of the picture, with the key it is compared under from one poll to the next. */
interface Frame {
  key: string;
  event: string;
  json: string;
}

export function eventsChannel(prefix: string): string {
  return `${prefix}:events`;
}

/** The whole picture as events. Pure. */
export function framesOf({ mesh, telemetry }: LiveSnapshot): Frame[] {
  const { healthPercent, healthy, total } = mesh;
  return [
    { key: 'mesh', event: 'mesh', json: JSON.stringify({ healthPercent, healthy, total }) },
    ...mesh.nodes.map((node) => ({ key: `node:${node.id}`, event: 'node', json: JSON.stringify(node) })),
    ...mesh.nodes.map((node) => ({
      key: `telemetry:${node.id}`,
      event: 'telemetry',
      json: JSON.stringify({ nodeId: node.id, telemetry: telemetry.get(node.id) ?? null }),
    })),
  ];
}

export class EventHub {
  private readonly clients = new Set<Response>();
  /** What the listeners were last sent, by frame key. */
  private readonly sent = new Map<string, string>();
  private poller: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private subscription: Redis | null = null;
  private readFailed = false;
  /** The read in progress, and whether a change came during it (one more read follows). */
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private closed = false;
  /** Listeners whose first picture is being read (they count against `maxClients`). */
  private joining = 0;

  constructor(private readonly options: EventHubOptions) {}

  /** Listeners at once; the route answers 503 past it. */
  get maxClients(): number {
    return this.options.maxClients ?? DEFAULT_MAX_CLIENTS;
  }

  /**
   * Makes `res` a listener: the stream's headers and the whole picture, then what changes. False
   * (nothing sent) when `maxClients` listen already. Throws what reading the mesh throws, before
   * anything is sent, so that an unreadable mesh is an error answer rather than an empty stream.
   */
  async add(res: Response): Promise<boolean> {
    if (this.clients.size + this.joining >= this.maxClients) return false;
    this.joining += 1;
    let frames: Frame[];
    try {
      frames = framesOf(await this.options.read());
    } finally {
      this.joining -= 1;
    }
    if (this.closed || res.destroyed) return true;
    if (this.clients.size === 0) {
      this.sent.clear();
      for (const frame of frames) this.sent.set(frame.key, frame.json);
    }
    openStream(res);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.send(res, [`retry: ${RECONNECT_AFTER_MS}\n\n`, ...frames.map(format)].join(''));
    this.start();
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearTimeout(this.poller);
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.quit().catch(() => subscription.disconnect());
  }

  /** From the first listener on, until close; the timers idle (no Redis reads) while nobody listens. */
  private start(): void {
    this.subscribe();
    if (this.poller || this.closed) return;
    this.poller = setTimeout(() => void this.poll(), this.options.pollMs ?? 1000);
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), this.options.heartbeatMs ?? 15_000);
  }

  private async poll(): Promise<void> {
    await this.refresh();
    if (!this.closed) this.poller = setTimeout(() => void this.poll(), this.options.pollMs ?? 1000);
  }

  /** Reads the mesh and sends what changed; one read at a time, one more if asked meanwhile. */
  private refresh(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = this.readAndPublish().finally(() => {
      this.reading = null;
      if (this.readAgain && !this.closed) {
        this.readAgain = false;
        void this.refresh();
      }
    });
    return this.reading;
  }

  private async readAndPublish(): Promise<void> {
    if (this.clients.size === 0) return;
    try {
      this.publishChanges(framesOf(await this.options.read()));
      this.readFailed = false;
    } catch (error) {
      if (!this.readFailed)
        this.options.logger.warn({ err: (error as Error).message }, 'events: mesh unreadable');
      this.readFailed = true;
    }
  }

  private publishChanges(frames: Frame[]): void {
    for (const frame of frames) {
      if (this.sent.get(frame.key) === frame.json) continue;
      this.sent.set(frame.key, frame.json);
      this.broadcast(format(frame));
    }
  }

  private subscribe(): void {
    if (this.subscription) return;
    const subscription = this.options.subscriber();
    this.subscription = subscription;
    subscription.on('error', () => {});
    subscription.on('message', (channel: string, message: string) => {
      if (channel === this.options.routingChannel) void this.refresh();
      else this.relay(message);
    });
    subscription.subscribe(this.options.channel, this.options.routingChannel).catch((error: Error) => {
      this.options.logger.warn(
        { err: error.message },
        `events: cannot subscribe to alerts: ${error.message}`,
      );
    });
  }

  private relay(message: string): void {
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    if (isAlertEvent(event)) {
      this.broadcast(format({ key: 'alert', event: 'alert', json: JSON.stringify(event.alert) }));
    } else if (isReportEvent(event)) {
      this.broadcast(format({ key: 'report', event: 'report', json: JSON.stringify(event.report) }));
    }
  }

  private broadcast(text: string): void {
    for (const res of this.clients) this.send(res, text);
  }

  /** Writes to one listener, and drops it when it does not keep up. */
  private send(res: Response, text: string): void {
    res.write(text);
    const buffered = res.writableLength;
    if (buffered <= (this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES)) return;
    this.clients.delete(res);
    res.destroy();
    this.options.logger.warn(
      { buffered },
      'events: dropped a listener that does not keep up (it reconnects with the whole picture)',
    );
  }
}

function openStream(res: Response): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers responses unless told not to.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
}

function isAlertEvent(event: unknown): event is { type: 'alert'; alert: object } {
  if (typeof event !== 'object' || event === null) return false;
  const { type, alert } = event as { type?: unknown; alert?: unknown };
  return type === 'alert' && typeof alert === 'object' && alert !== null;
}

function isReportEvent(event: unknown): event is { type: 'report'; report: object } {
  if (typeof event !== 'object' || event === null) return false;
  const { type, report } = event as { type?: unknown; report?: unknown };
  return type === 'report' && typeof report === 'object' && report !== null;
}

function format(frame: Frame): string {
  return `event: ${frame.event}\ndata: ${frame.json}\n\n`;
}
