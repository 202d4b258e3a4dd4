/**
 * The keep-alive watch of one scheduler process: one idle connection per node, touched with
 * `HEAD /` every `keepalive.interval`, and the news when one is lost. Every node's next step
 * (connect, touch, answer deadline, reconnect) sits on one timing wheel, and one timer wakes the
 * watcher when the earliest of them is due: nothing is timed per node, and a watcher with
 * nothing due sleeps.
 *
 * A loss fires only when the lost connection had answered: a reconnect that fails is the same
 * outage, not new news. After a loss the watch reconnects with exponential backoff and full
 * jitter (backoff.ts); the first answer on the new connection makes it `connected` again.
 */
import type { WatchState } from '../mesh/view.js';
import { reconnectDelay } from './backoff.js';
import { parseHeadAnswer } from './head.js';
import { NodeWatch, type WatchOwner, type WatchTarget } from './node-watch.js';
import { TimingWheel } from './wheel.js';

export type { WatchTarget } from './node-watch.js';

/** What the watcher tells the rest of the service. Called synchronously: keep them cheap. */
export interface WatcherEvents {
  /** A held connection was lost (closed, reset, or no answer in time); the node wants a check now. */
  fired(nodeId: string, cause: string): void;
  /** The node's watch state now; null when the node is no longer watched. */
  state(nodeId: string, state: WatchState | null): void;
  /** A lost watch is connected again, after `attempts` failed attempts. */
  reconnected?(nodeId: string, attempts: number): void;
}

export interface WatcherOptions {
  /** `keepalive.interval`: how often a held connection is touched. */
  intervalMs: number;
  events: WatcherEvents;
  now?: () => number;
  random?: () => number;
  /** Wheel resolution (default 100 ms). */
  tickMs?: number;
  /** New watches are spread over time at this rate (default 1000 connections a second). */
  connectsPerSecond?: number;
}

const DEFAULT_TICK_MS = 100;
const DEFAULT_CONNECTS_PER_SECOND = 1000;
/** A server that announces a short idle timeout is touched this much before it. */
const IDLE_MARGIN_MS = 1000;
const MIN_TOUCH_MS = 500;

export class KeepAliveWatcher implements WatchOwner {
  private readonly watches = new Map<string, NodeWatch>();
  private readonly wheel: TimingWheel<NodeWatch>;
  private timer: NodeJS.Timeout | null = null;
  /** When the timer is set to wake the watcher (Infinity: not set). */
  private wakeAt = Number.POSITIVE_INFINITY;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly events: WatcherEvents;
  private readonly connectsPerSecond: number;
  private intervalMs: number;
  private closed = false;

  constructor(options: WatcherOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.events = options.events;
    this.intervalMs = options.intervalMs;
    this.connectsPerSecond = options.connectsPerSecond ?? DEFAULT_CONNECTS_PER_SECOND;
    const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    this.wheel = new TimingWheel(tickMs, this.now());
  }

  get size(): number {
    return this.watches.size;
  }

  /**
   * Makes the watched nodes exactly `targets`: new ones start (spread over time), a changed URL
   * starts over, the others are closed and reported gone.
   * @throws Error when a target's URL is not http(s) (the config schema rules that out).
   */
  set(targets: readonly WatchTarget[], intervalMs = this.intervalMs): void {
    if (this.closed) return;
    this.intervalMs = intervalMs;
    const wanted = new Map(targets.map((target) => [target.id, target]));
    for (const [id, watch] of this.watches) {
      const target = wanted.get(id);
      if (target?.url === watch.url) watch.timeoutMs = target.timeoutMs;
      else this.remove(watch);
    }
    const fresh = targets.filter((target) => !this.watches.has(target.id));
    const spreadMs = (fresh.length / this.connectsPerSecond) * 1000;
    const now = this.now();
    for (const target of fresh) {
      const watch = new NodeWatch(target.id, target.url, target.timeoutMs, this);
      this.watches.set(target.id, watch);
      this.schedule(watch, now + Math.floor(this.random() * spreadMs));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const watch of this.watches.values()) {
      this.wheel.cancel(watch);
      watch.drop();
    }
    this.watches.clear();
  }

  /** Socket handler: bytes of an answer arrived. */
  answered(watch: NodeWatch, chunk: string): void {
    if (watch.phase !== 'asking') return; // unsolicited bytes on an idle connection: nothing asked
    watch.received += chunk;
    const answer = parseHeadAnswer(watch.received);
    if (answer.kind === 'incomplete') return;
    if (answer.kind === 'invalid') {
      watch.lastError = answer.why;
      this.fail(watch);
      return;
    }
    // Any HTTP answer proves the connection (what the watch watches) alive; whether the node is
    // healthy is the checks' business.
    watch.received = '';
    const reconnectedAfter = watch.state === 'reconnecting' ? watch.attempts : null;
    watch.answered = true;
    watch.attempts = 0;
    watch.closeExpected = !answer.keepAlive;
    watch.idleTimeoutMs = answer.idleTimeoutMs ?? 0;
    watch.phase = 'idle';
    this.schedule(watch, this.now() + this.touchEveryMs(watch));
    // Reported on every answer, so the last report wins over a dead process's stale one.
    this.report(watch, 'connected');
    if (reconnectedAfter !== null) this.events.reconnected?.(watch.id, reconnectedAfter);
  }

  /** Socket handler: the held socket closed (not by us). */
  lost(watch: NodeWatch): void {
    if (watch.closeExpected) {
      // A server without keep-alive: connect again at the next touch; nothing was lost.
      watch.answered = false;
      watch.closeExpected = false;
      watch.phase = 'waiting';
      this.schedule(watch, this.now() + this.intervalMs);
      return;
    }
    this.fail(watch);
  }

  private schedule(watch: NodeWatch, due: number): void {
    this.wakeBy(this.wheel.schedule(watch, due));
  }

  /** Sets the one timer to wake the watcher at `at`, unless it wakes earlier already. */
  private wakeBy(at: number): void {
    if (this.closed || at >= this.wakeAt) return;
    if (this.timer !== null) clearTimeout(this.timer);
    // At most a revolution ahead: what lies beyond is looked at again then (and timers overflow).
    const now = this.now();
    const delay = Math.min(Math.max(0, at - now), this.wheel.revolutionMs);
    this.wakeAt = now + delay;
    this.timer = setTimeout(this.wake, delay);
    // The service's other handles keep the process alive; the watch alone must not.
    this.timer.unref();
  }

  private readonly wake = (): void => {
    this.timer = null;
    this.wakeAt = Number.POSITIVE_INFINITY;
    for (const watch of this.wheel.advance(this.now())) this.step(watch);
    this.wakeBy(this.wheel.nextDue() ?? this.now() + this.wheel.revolutionMs);
  };

  /** The watch is due: its next step by phase. */
  private step(watch: NodeWatch): void {
    switch (watch.phase) {
      case 'waiting':
        watch.open();
        this.ask(watch);
        return;
      case 'idle':
        watch.touch();
        this.ask(watch);
        return;
      case 'asking':
        watch.lastError = `no answer within ${watch.timeoutMs} ms`;
        this.fail(watch);
        return;
    }
  }

  private ask(watch: NodeWatch): void {
    watch.phase = 'asking';
    this.schedule(watch, this.now() + watch.timeoutMs);
  }

  /** The socket is gone or useless: fire if it had answered, then reconnect after a backoff. */
  private fail(watch: NodeWatch): void {
    const wasHeld = watch.answered;
    const cause = watch.lastError;
    watch.drop();
    watch.answered = false;
    watch.closeExpected = false;
    if (wasHeld) this.events.fired(watch.id, cause ?? 'closed');
    watch.phase = 'waiting';
    this.schedule(watch, this.now() + reconnectDelay(watch.attempts, this.random()));
    watch.attempts++;
    this.report(watch, 'reconnecting');
  }

  private remove(watch: NodeWatch): void {
    this.wheel.cancel(watch);
    watch.drop();
    this.watches.delete(watch.id);
    this.events.state(watch.id, null);
  }

  private report(watch: NodeWatch, state: WatchState): void {
    watch.state = state;
    this.events.state(watch.id, state);
  }

  private touchEveryMs(watch: NodeWatch): number {
    if (watch.idleTimeoutMs === 0) return this.intervalMs;
    return Math.min(this.intervalMs, Math.max(MIN_TOUCH_MS, watch.idleTimeoutMs - IDLE_MARGIN_MS));
  }
}
