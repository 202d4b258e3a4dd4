/**
 * Publishes this gateway process's per-node load every `everyMs` (never per request): requests in
 * flight now, and requests sent in the last minute, from the running totals kept a minute back.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import {
  type GatewayLoad,
  pruneGatewayLoad,
  removeGatewayLoad,
  writeGatewayLoad,
} from '../mesh/gateway-load.js';
import type { Logger } from '../runtime/logger.js';
import type { InFlight } from './in-flight.js';

const MINUTE_MS = 60_000;
const PRUNE_EVERY = 12;

export interface LoadReporterOptions {
  redis: Redis;
  prefix: string;
  inFlight: InFlight;
  nodeIds(): string[];
  logger: Logger;
  /** Default 5 s. */
  everyMs?: number;
  now?: () => number;
}

export interface LoadReporter {
  /** Writes a report now. */
  report(): Promise<void>;
  close(): Promise<void>;
}

export function startLoadReporter(options: LoadReporterOptions): LoadReporter {
  const { redis, prefix, inFlight, logger } = options;
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 5000;
  const processId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  /** Snapshots of the running totals, oldest first, at most a minute's worth. */
  const history: { at: number; totals: Map<string, number> }[] = [{ at: now(), totals: new Map() }];
  let ticks = 0;
  let failing = false;

  const loads = (at: number): Record<string, GatewayLoad> => {
    history.push({ at, totals: new Map(inFlight.totals) });
    while (history.length > 1 && at - (history[1]?.at ?? at) >= MINUTE_MS) history.shift();
    const oldest = history[0] ?? { at, totals: new Map<string, number>() };
    const spanMs = Math.max(at - oldest.at, everyMs);
    const nodes: Record<string, GatewayLoad> = {};
    for (const id of options.nodeIds()) {
      const sent = (inFlight.totals.get(id) ?? 0) - (oldest.totals.get(id) ?? 0);
      nodes[id] = { inFlight: inFlight.of(id), requestsPerMinute: Math.round((sent * MINUTE_MS) / spanMs) };
    }
    return nodes;
  };
  const report = async (): Promise<void> => {
    const at = now();
    await writeGatewayLoad(redis, prefix, processId, loads(at), at);
    if (ticks++ % PRUNE_EVERY === 0) await pruneGatewayLoad(redis, prefix, at);
  };
  const timer = setInterval(() => {
    report().then(
      () => {
        failing = false;
      },
      (error: Error) => {
        if (!failing)
          logger.warn({ err: error.message }, `gateway: cannot publish its load: ${error.message}`);
        failing = true;
      },
    );
  }, everyMs);
  timer.unref();
  return {
    report,
    async close() {
      clearInterval(timer);
      await removeGatewayLoad(redis, prefix, processId).catch(() => undefined);
    },
  };
}
