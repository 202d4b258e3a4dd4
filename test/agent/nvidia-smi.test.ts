import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NVIDIA_SMI_ARGS, parseNvidiaSmiCsv, readNvidiaSmi } from '../../src/agent/nvidia-smi.js';
import { StandIns } from '../recovery/support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/nvidia-smi');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const MIB = 1024 * 1024;

const H200_UNDER_LOAD = {
  index: 0,
  name: 'NVIDIA H200',
  memoryTotalBytes: 143771 * MIB,
  memoryUsedBytes: 32362 * MIB,
  utilizationPercent: 100,
  temperatureC: 52,
  powerDrawW: 627.4,
  powerLimitW: 700,
};

describe('parseNvidiaSmiCsv', () => {
  it('reads one H200 under load from the fields the agent asks for', () => {
    expect(parseNvidiaSmiCsv(fixture('h200-load-query.csv'))).toEqual([H200_UNDER_LOAD]);
  });

  it('reads the real H200 capture under load by header name, units and all', () => {
    expect(parseNvidiaSmiCsv(fixture('h200-load.csv'))).toEqual([H200_UNDER_LOAD]);
  });

  it('reads the real idle H200 capture', () => {
    expect(parseNvidiaSmiCsv(fixture('h200-idle.csv'))).toEqual([
      {
        index: 0,
        name: 'NVIDIA H200',
        memoryTotalBytes: 143771 * MIB,
        memoryUsedBytes: 0,
        utilizationPercent: 0,
        temperatureC: 28,
        powerDrawW: 77.71,
        powerLimitW: 700,
      },
    ]);
  });

  it('reads fields nvidia-smi cannot read ([N/A], N/A, [Not Supported]) as null', () => {
    const gpus = parseNvidiaSmiCsv(fixture('na-fields-query.csv'));
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1, 2]);
    expect(gpus[1]).toEqual({
      index: 1,
      name: 'NVIDIA GeForce GTX 1080',
      memoryTotalBytes: 8192 * MIB,
      memoryUsedBytes: 1024 * MIB,
      utilizationPercent: null,
      temperatureC: 61,
      powerDrawW: null,
      powerLimitW: null,
    });
    expect(gpus[2]).toMatchObject({ memoryUsedBytes: null, temperatureC: null, utilizationPercent: 3 });
  });

  it('skips lines it cannot read and returns nothing for empty output', () => {
    expect(parseNvidiaSmiCsv('')).toEqual([]);
    expect(parseNvidiaSmiCsv('No devices were found\n')).toEqual([]);
    const text = `garbage line\n${fixture('h200-load-query.csv')}`;
    expect(parseNvidiaSmiCsv(text)).toEqual([H200_UNDER_LOAD]);
  });
});

describe('readNvidiaSmi', () => {
  let standIns: StandIns;
  beforeEach(() => {
    standIns = new StandIns();
  });
  afterEach(() => standIns.remove());

  it('asks for the eight fields as csv without header or units', async () => {
    standIns.add(
      'nvidia-smi',
      `printf '%s\\n' "$@" > "$(dirname "$0")/argv.txt"\ncat '${join(FIXTURES, 'h200-load-query.csv')}'`,
    );
    const reading = await readNvidiaSmi({ timeoutMs: 5000, env: standIns.env() });
    expect(reading).toEqual({ kind: 'gpus', gpus: [H200_UNDER_LOAD] });
    expect(readFileSync(join(standIns.dir, 'argv.txt'), 'utf8').trimEnd().split('\n')).toEqual([
      '--query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,power.limit',
      '--format=csv,noheader,nounits',
    ]);
    expect(NVIDIA_SMI_ARGS).toHaveLength(2);
  });

  it('reports a missing nvidia-smi as missing, not as an error', async () => {
    expect(await readNvidiaSmi({ timeoutMs: 5000, env: { PATH: standIns.dir } })).toEqual({
      kind: 'missing',
    });
  });

  it('reports a failing nvidia-smi with what it printed', async () => {
    standIns.add(
      'nvidia-smi',
      `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."\nexit 9`,
    );
    expect(await readNvidiaSmi({ timeoutMs: 5000, env: standIns.env() })).toEqual({
      kind: 'failed',
      error:
        "nvidia-smi exited 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });
  });
});
