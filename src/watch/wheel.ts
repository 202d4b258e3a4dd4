/**
 * A hashed timing wheel: what lets one timer serve 10,000 watches. Each entry sits in the slot
 * of its due time (modulo the wheel's size); a tick visits only the slots that passed since the
 * last tick and hands back the entries that are due, leaving those a revolution or more away.
 */

export interface WheelEntry {
  /** Epoch ms this entry is due; set by the wheel. */
  due: number;
  /** Its slot, -1 when not on the wheel; set by the wheel. */
  slot: number;
}

export class TimingWheel<T extends WheelEntry> {
  private readonly slots: Set<T>[];
  /** Ticks count from here: small integers, which V8 keeps fast (ticks since 1970 are not). */
  private readonly origin: number;
  private lastTick = 0;

  /**
   * @param tickMs resolution: an entry is handed back at most one tick after it is due, never before.
   * @param size slots; one revolution is `size × tickMs`.
   */
  constructor(
    readonly tickMs: number,
    now: number,
    readonly size = 1024,
  ) {
    this.slots = Array.from({ length: size }, () => new Set<T>());
    this.origin = now;
  }

  /** Puts `entry` on the wheel; returns when `advance` will first hand it back. */
  schedule(entry: T, due: number): number {
    this.cancel(entry);
    // Rounded up, so never handed back early; never at a visited tick, which would wait a revolution.
    const tick = Math.max(this.tickOf(due), this.lastTick + 1);
    entry.due = due;
    entry.slot = tick % this.size;
    this.slots[entry.slot]?.add(entry);
    return this.timeOf(tick);
  }

  cancel(entry: T): void {
    if (entry.slot === -1) return;
    this.slots[entry.slot]?.delete(entry);
    entry.slot = -1;
  }

  /**
   * When the next entry falls due, looking one revolution ahead at most; null when none does
   * within it. Stops at the first slot with a due entry, so a busy wheel answers at once.
   */
  nextDue(): number | null {
    for (let t = this.lastTick + 1; t <= this.lastTick + this.size; t++) {
      const slot = this.slots[t % this.size];
      if (!slot || slot.size === 0) continue;
      for (const entry of slot) {
        if (this.tickOf(entry.due) <= t) return this.timeOf(t);
      }
    }
    return null;
  }

  /** One revolution, in ms. */
  get revolutionMs(): number {
    return this.size * this.tickMs;
  }

  private tickOf(due: number): number {
    return Math.ceil((due - this.origin) / this.tickMs);
  }

  private timeOf(tick: number): number {
    return this.origin + tick * this.tickMs;
  }

  /** Takes the entries due at `now` off the wheel and returns them, earliest slot first. */
  advance(now: number): T[] {
    const tick = Math.floor((now - this.origin) / this.tickMs);
    const due: T[] = [];
    // Past a whole revolution every slot is visited once.
    const first = Math.max(this.lastTick + 1, tick - this.size + 1);
    for (let t = first; t <= tick; t++) {
      const slot = this.slots[t % this.size];
      if (!slot) continue;
      for (const entry of slot) {
        if (this.tickOf(entry.due) <= tick) due.push(entry);
      }
    }
    this.lastTick = Math.max(this.lastTick, tick);
    for (const entry of due) this.cancel(entry);
    return due;
  }
}
