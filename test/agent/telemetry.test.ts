import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningAgent, readTelemetry, startAgent, telemetryKey } from '../../src/agent/index.js';
import type { NvidiaSmiReading } from '../../src/agent/nvidia-smi.js';
import { startTelemetryLoop } from '../../src/agent/telemetry.js';
import { Secrets } from '../../src/config/secrets.js';
import { connectTestRedis, dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { capturingLogger, nodeWith, StandIns } from '../recovery/support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/nvidia-smi');
const MIB = 1024 * 1024;

describe('GPU telemetry', () => {
  let redis: Redis;
  let prefix: string;
  let standIns: StandIns;
  let agent: RunningAgent | null;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    standIns = new StandIns();
    agent = null;
  });

  afterEach(async () => {
    await agent?.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    standIns.remove();
  });

  it('is written to Redis by the agent every check interval, expiring after three', async () => {
    standIns.add('nvidia-smi', `cat '${join(FIXTURES, 'h200-load-query.csv')}'`);
    const n1 = nodeWith({ kind: 'agent', command: ['true'], timeout: 5000 }, 'n1', 1000);
    const { logger, lines } = capturingLogger();
    agent = startAgent({
      redis,
      prefix,
      nodeId: 'n1',
      findNode: (id) => (id === 'n1' ? n1 : undefined),
      logger,
      secrets: new Secrets(),
      env: standIns.env(),
    });
    const first = await waitFor(() => readTelemetry(redis, prefix, 'n1'), 'a first telemetry snapshot', 5000);
    expect(first.error).toBeNull();
    expect(first.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA H200',
        memoryTotalBytes: 143771 * MIB,
        memoryUsedBytes: 32362 * MIB,
        utilizationPercent: 100,
        temperatureC: 52,
        powerDrawW: 627.4,
        powerLimitW: 700,
      },
    ]);
    const ttl = await redis.pttl(telemetryKey(prefix, 'n1'));
    expect(ttl).toBeGreaterThan(2000);
    expect(ttl).toBeLessThanOrEqual(3000);
    const second = await waitFor(
      async () => {
        const next = await readTelemetry(redis, prefix, 'n1');
        return next && next.at !== first.at ? next : null;
      },
      'the next interval’s snapshot',
      5000,
    );
    expect(Date.parse(second.at) - Date.parse(first.at)).toBeGreaterThanOrEqual(900);
    expect(lines.filter((line) => line.includes('GPU telemetry: 1 GPU(s) (NVIDIA H200)'))).toHaveLength(1);
  });

  it('stores the error when nvidia-smi fails, so a dead driver shows', async () => {
    let calls = 0;
    const { logger, lines } = capturingLogger();
    const loop = startTelemetryLoop({
      redis,
      prefix,
      nodeId: 'n1',
      intervalMs: () => 20,
      read: async () => {
        calls++;
        return { kind: 'failed', error: 'nvidia-smi exited 9: NVIDIA-SMI has failed' };
      },
      logger,
      now: Date.now,
    });
    await waitFor(() => calls >= 3, 'three readings');
    await loop.close();
    expect(await readTelemetry(redis, prefix, 'n1')).toMatchObject({
      gpus: [],
      error: 'nvidia-smi exited 9: NVIDIA-SMI has failed',
    });
    expect(lines.filter((line) => line.includes('NVIDIA-SMI has failed'))).toHaveLength(1);
  });

  it('writes nothing and logs once when nvidia-smi is not on PATH', async () => {
    let calls = 0;
    const { logger, lines } = capturingLogger();
    const read = async (): Promise<NvidiaSmiReading> => {
      calls++;
      return { kind: 'missing' };
    };
    const loop = startTelemetryLoop({
      redis,
      prefix,
      nodeId: 'n1',
      intervalMs: () => 20,
      read,
      logger,
      now: Date.now,
    });
    await waitFor(() => calls >= 3, 'three readings');
    await loop.close();
    expect(await redis.exists(telemetryKey(prefix, 'n1'))).toBe(0);
    expect(lines.filter((line) => line.includes('nvidia-smi is not on PATH'))).toHaveLength(1);
    expect(lines.join('')).not.toMatch(/"level":(40|50)/);
  });

  it('reads nothing for a node without an agent, and nothing from an unreadable value', async () => {
    expect(await readTelemetry(redis, prefix, 'n2')).toBeNull();
    await redis.set(telemetryKey(prefix, 'n2'), 'not json');
    expect(await readTelemetry(redis, prefix, 'n2')).toBeNull();
  });
});
