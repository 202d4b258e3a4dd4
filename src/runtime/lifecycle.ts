/**
 * What a process has started, and how to stop it. Each resource's releaser is registered the
 * moment the resource is acquired (graphile-worker's runner does the same), so a start that throws
 * half-way releases what it had already started, in reverse order, and a shutdown is the same
 * walk. Releasers of one `stage` run together when the walk reaches the first of them: the
 * workers of every role share one grace rather than wait in turn.
 */
import type { Logger } from './logger.js';

interface Releaser {
  name: string;
  stage: string | undefined;
  release: () => Promise<unknown> | unknown;
}

export class Lifecycle {
  private readonly releasers: Releaser[] = [];

  constructor(private readonly logger: Logger) {}

  /** Registers how to release `value`, just acquired, and hands it back. */
  hold<T>(value: T, name: string, release: (value: T) => Promise<unknown> | unknown, stage?: string): T {
    this.releasers.push({ name, stage, release: () => release(value) });
    return value;
  }

  /**
   * Releases everything held, last acquired first (a stage's releasers at once), each even when
   * an earlier one failed. Resolves false when any failed; each failure is logged.
   */
  async releaseAll(): Promise<boolean> {
    const pending = this.releasers.splice(0).reverse();
    let clean = true;
    const run = async (releaser: Releaser): Promise<void> => {
      try {
        await releaser.release();
      } catch (error) {
        clean = false;
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          { err: message, part: releaser.name },
          `${releaser.name} not closed cleanly: ${message}`,
        );
      }
    };
    while (pending.length > 0) {
      const next = pending.shift() as Releaser;
      if (next.stage === undefined) {
        await run(next);
        continue;
      }
      const together = [next, ...pending.filter((releaser) => releaser.stage === next.stage)];
      for (const releaser of together.slice(1)) pending.splice(pending.indexOf(releaser), 1);
      await Promise.all(together.map(run));
    }
    return clean;
  }

  /** Runs `start`; if it throws, releases whatever it had acquired, then rethrows. */
  async starting<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      await this.releaseAll();
      throw error;
    }
  }
}
