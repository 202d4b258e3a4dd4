import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { MeshConfig } from './types.js';

export interface WatchConfigOptions {
  /** The config file, or null when running on defaults (then only `reload()` does anything). */
  path: string | null;
  /** The config in force; without it, the first successful load is always reported as a change. */
  initial?: MeshConfig | undefined;
  /** Reads and validates the config again (throws a ConfigError when it is invalid). */
  load: () => Promise<MeshConfig>;
  /** A new valid config that differs from the one in force. */
  onChange: (next: MeshConfig) => void;
  /** A load that failed: the config in force stays. */
  onError: (error: Error) => void;
}

export interface ConfigWatcher {
  /**
   * Loads now (what SIGHUP does), after any load already under way. Resolves once `onChange` or
   * `onError` has been called, if either is; rejects only when `onChange` throws.
   */
  reload(): Promise<void>;
  /** Stops watching; a load still under way reports no change. */
  close(): void;
}

/** Editors save in bursts (write, rename, chmod): one load per burst. */
const DEBOUNCE_MS = 100;

/**
 * Watches the file's directory, not the file: editors save by writing a new file and renaming
 * it over the old one, which a watch on the old file would not survive.
 */
export function watchConfigFile(options: WatchConfigOptions): ConfigWatcher {
  let current = options.initial;
  let queue: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const loadOnce = async (): Promise<void> => {
    let next: MeshConfig;
    try {
      next = await options.load();
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (closed || (current !== undefined && isDeepStrictEqual(current, next))) return;
    current = next;
    options.onChange(next);
  };
  // One load at a time, in order, so an older file never wins over a newer one.
  const reload = (): Promise<void> => {
    const run = queue.then(loadOnce);
    queue = run.catch(() => undefined);
    return run;
  };

  const watcher =
    options.path === null
      ? undefined
      : watchDirectoryOf(
          options.path,
          () => {
            clearTimeout(timer);
            timer = setTimeout(() => reload().catch(options.onError), DEBOUNCE_MS);
          },
          options.onError,
        );

  return {
    reload,
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

function watchDirectoryOf(path: string, onEvent: () => void, onError: (error: Error) => void): FSWatcher {
  const fileName = basename(path);
  // Not persistent: the service's own handles keep the process alive, a watcher alone must not.
  const watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
    // Some platforms do not say which file changed; then any change may be ours.
    if (changed === null || changed === fileName) onEvent();
  });
  watcher.on('error', onError);
  return watcher;
}
