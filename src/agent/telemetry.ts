/**
 * GPU telemetry in Redis: the agent writes one snapshot per node every `checks.interval` at
 * `<prefix>:telemetry:<node id>`, expiring after three intervals, so a silent agent's numbers
 * disappear instead of going stale. `status` and the API read it with `readTelemetry`.
 */
import type { Redis } from 'ioredis';
import { assertNever } from '../mesh/types.js';
import type { Logger } from '../runtime/logger.js';
import type { GpuTelemetry, NvidiaSmiReading } from './nvidia-smi.js';

export interface TelemetrySnapshot {
  /** When nvidia-smi was read (ISO time). */
  at: string;
  /** One entry per GPU, in nvidia-smi's order; empty when `error` is set. */
  gpus: GpuTelemetry[];
  /** Why nvidia-smi gave nothing (`nvidia-smi exited 9: NVIDIA-SMI has failed ...`), else null. */
  error: string | null;
}

/** Snapshots live this many check intervals. */
export const TELEMETRY_TTL_INTERVALS = 3;

export function telemetryKey(prefix: string, nodeId: string): string {
  return `${prefix}:telemetry:${nodeId}`;
}

export async function writeTelemetry(
  redis: Pick<Redis, 'set'>,
  prefix: string,
  nodeId: string,
  snapshot: TelemetrySnapshot,
  ttlMs: number,
): Promise<void> {
  await redis.set(
    telemetryKey(prefix, nodeId),
    JSON.stringify(snapshot),
    'PX',
    Math.max(1, Math.round(ttlMs)),
  );
}

/** The node's latest snapshot, or null when no agent reported one recently (or it is unreadable). */
export async function readTelemetry(
  redis: Pick<Redis, 'get'>,
  prefix: string,
  nodeId: string,
): Promise<TelemetrySnapshot | null> {
  const text = await redis.get(telemetryKey(prefix, nodeId));
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as Partial<TelemetrySnapshot>;
    if (typeof parsed.at !== 'string' || !Array.isArray(parsed.gpus)) return null;
    return { at: parsed.at, gpus: parsed.gpus, error: parsed.error ?? null };
  } catch {
    return null;
  }
}

export interface TelemetryLoopDeps {
  redis: Pick<Redis, 'set'>;
  prefix: string;
  nodeId: string;
  /** The node's current `checks.interval` (it may change on a config reload). */
  intervalMs(): number;
  read(): Promise<NvidiaSmiReading>;
  logger: Logger;
  now(): number;
}

export interface TelemetryLoop {
  close(): Promise<void>;
}

/** Reads and publishes telemetry now, then every interval, until closed. Never throws. */
export function startTelemetryLoop(deps: TelemetryLoopDeps): TelemetryLoop {
  const notes = new OnceNotes(deps.logger, deps.nodeId);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    const reading = await deps.read();
    const at = new Date(deps.now()).toISOString();
    const ttl = TELEMETRY_TTL_INTERVALS * deps.intervalMs();
    switch (reading.kind) {
      case 'missing':
        notes.missing();
        return;
      case 'failed':
        notes.failed(reading.error);
        await writeTelemetry(
          deps.redis,
          deps.prefix,
          deps.nodeId,
          { at, gpus: [], error: reading.error },
          ttl,
        );
        return;
      case 'gpus':
        notes.reading(reading.gpus);
        await writeTelemetry(
          deps.redis,
          deps.prefix,
          deps.nodeId,
          { at, gpus: reading.gpus, error: null },
          ttl,
        );
        return;
      default:
        assertNever(reading);
    }
  };
  const loop = () => {
    running = tick()
      .catch((error: Error) => notes.failed(`could not store GPU telemetry: ${error.message}`))
      .finally(() => {
        if (!closed) timer = setTimeout(loop, deps.intervalMs());
      });
  };
  loop();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** Each kind of news logged once, not every interval: the first reading, a missing nvidia-smi, a new error. */
class OnceNotes {
  private state: 'none' | 'gpus' | 'missing' | 'failed' = 'none';
  private lastError = '';

  constructor(
    private readonly logger: Logger,
    private readonly nodeId: string,
  ) {}

  reading(gpus: GpuTelemetry[]): void {
    if (this.state !== 'gpus') {
      const names = [...new Set(gpus.map((gpu) => gpu.name ?? 'unknown GPU'))].join(', ');
      this.logger.info(
        { node: this.nodeId, gpus: gpus.length },
        `GPU telemetry: ${gpus.length} GPU(s) (${names})`,
      );
    }
    this.state = 'gpus';
  }

  missing(): void {
    if (this.state !== 'missing') {
      this.logger.info({ node: this.nodeId }, 'nvidia-smi is not on PATH: no GPU telemetry from this host');
    }
    this.state = 'missing';
  }

  failed(error: string): void {
    if (this.state !== 'failed' || error !== this.lastError) {
      this.logger.warn({ node: this.nodeId, err: error }, `GPU telemetry: ${error}`);
    }
    this.state = 'failed';
    this.lastError = error;
  }
}
