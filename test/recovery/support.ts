/** Helpers shared by the recovery-action and agent tests: nodes, contexts, stand-in programs. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { NodeConfig, RecoveryAction } from '../../src/config/types.js';
import type { ActionContext } from '../../src/recovery/actions/types.js';
import type { Logger } from '../../src/runtime/logger.js';

export function nodeWith(recovery: RecoveryAction, id = 'n1', intervalMs = 30_000): NodeConfig {
  return {
    id,
    name: id,
    url: 'http://127.0.0.1:11434',
    enabled: true,
    tags: [],
    checks: {
      interval: intervalMs,
      timeout: 5000,
      retryInterval: 5000,
      degradedAfter: 1,
      unhealthyAfter: 3,
      healthyAfter: 1,
      deep: { every: 0, model: '', timeout: 60_000, failAfter: 2 },
    },
    recovery,
    gateway: { weight: 1, maxInFlight: 0 },
  };
}

export interface RecordingContext extends ActionContext {
  lines: string[];
  controller: AbortController;
}

export function recordingContext(
  onLine?: (line: string, context: RecordingContext) => void,
): RecordingContext {
  const controller = new AbortController();
  const context: RecordingContext = {
    lines: [],
    controller,
    signal: controller.signal,
    log: (line) => {
      context.lines.push(line);
      onLine?.(line, context);
    },
  };
  return context;
}

/** A temp folder of executables to put first on a child's PATH; `remove()` deletes it. */
export class StandIns {
  readonly dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-standins-'));

  /** Writes `dir/name` as an executable shell script. */
  add(name: string, script: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  /** This process's environment with the stand-ins first on PATH. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${this.dir}:${process.env.PATH ?? ''}` };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure, got a success');
    },
    (error: Error) => error,
  );
}

export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}
