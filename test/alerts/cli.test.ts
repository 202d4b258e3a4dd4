import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertHistory } from '../../src/alerts/history.js';
import { formatAlerts, runAlerts } from '../../src/cli/alerts.js';
import { UserError } from '../../src/cli/errors.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeAlert } from './helpers.js';

describe('gpu-mesh alerts', () => {
  let redis: Redis;
  let prefix: string;
  let dir: string;
  let config: string;
  let output: string;

  beforeEach(async () => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    dir = await mkdtemp(join(tmpdir(), 'gpu-mesh-alerts-'));
    config = join(dir, 'mesh.yaml');
    await writeFile(config, `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }\n`);
    output = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output += String(chunk);
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('prints the alerts of the last hour as JSON, newest first, and exits 0', async () => {
    const history = new AlertHistory(redis, prefix);
    const older = makeAlert({ id: 'older', at: ago(20 * 60_000) });
    const newer = makeAlert({ id: 'newer', at: ago(60_000), kind: 'recovered', severity: 'INFO' });
    await history.record(older);
    await history.record(newer);
    await history.record(makeAlert({ id: 'yesterday', at: ago(24 * 3_600_000) }));

    expect(await runAlerts({ config, json: true })).toBe(0);
    expect(JSON.parse(output)).toEqual([newer, older]);
  });

  it('takes --since as a duration', async () => {
    await new AlertHistory(redis, prefix).record(makeAlert({ id: 'yesterday', at: ago(24 * 3_600_000) }));
    expect(await runAlerts({ config, json: true, since: '2d' })).toBe(0);
    expect((JSON.parse(output) as { id: string }[]).map((alert) => alert.id)).toEqual(['yesterday']);
  });

  it('refuses a --since that is not a duration with one line and exit code 2', async () => {
    const refusal = runAlerts({ config, since: 'yesterday' });
    await expect(refusal).rejects.toBeInstanceOf(UserError);
    await expect(refusal).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^--since: /),
    });
  });

  it('prints one line per alert without --json', async () => {
    expect(await runAlerts({ config })).toBe(0);
    expect(output).toBe('no alerts in the last 1h\n');
    const table = formatAlerts([makeAlert({ at: '2026-01-01T00:00:30.000Z' })], '1h');
    expect(table).toBe('2026-01-01 00:00:30Z  ERROR  unhealthy  local  Local Ollama is unhealthy\n');
  });
});
