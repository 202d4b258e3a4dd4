/** `gpu-mesh start --role agent --node ID` as a second process (run `npm run build` first). */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTelemetry } from '../../src/agent/index.js';
import { actionFor } from '../../src/recovery/actions/index.js';
import { type CliProcess, runCli, startCli, writeTempConfig } from '../helpers/cli.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { nodeWith, recordingContext, StandIns } from '../recovery/support.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/nvidia-smi');
const RESTART = [process.execPath, '-e', "console.log('restarted by the agent')"];

function agentConfig(prefix: string): string {
  return writeTempConfig(
    [
      `redis: { url: "${testRedisUrl()}", prefix: ${prefix} }`,
      'nodes:',
      '  - id: gpu-01',
      '    url: http://127.0.0.1:1',
      '    checks: { interval: 1s }',
      `    recovery: { kind: agent, command: ${JSON.stringify(RESTART)}, timeout: 10s }`,
      '  - id: gpu-02',
      '    url: http://127.0.0.1:2',
      '    recovery: { kind: command, command: ["true"] }',
    ].join('\n'),
  );
}

describe('gpu-mesh start --role agent', () => {
  let redis: Redis;
  let prefix: string;
  let standIns: StandIns;
  let agent: CliProcess | null;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix();
    standIns = new StandIns();
    agent = null;
  });

  afterEach(async () => {
    if (agent && agent.child.exitCode === null) {
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
    await dropPrefix(redis, prefix);
    redis.disconnect();
    standIns.remove();
  });

  it('restarts its node when the mesh asks, publishes GPU telemetry, and stops cleanly on SIGTERM', async () => {
    standIns.add('nvidia-smi', `cat '${join(FIXTURES, 'h200-load-query.csv')}'`);
    const config = agentConfig(prefix);
    agent = startCli(['start', '--role', 'agent', '--node', 'gpu-01', '--config', config], {
      PATH: `${standIns.dir}:${process.env.PATH ?? ''}`,
    });
    const running = agent;
    await waitFor(
      () => running.output().includes('waiting for restart requests on agent-gpu-01'),
      'the agent to start',
    );

    const context = recordingContext();
    const meshSide = nodeWith({ kind: 'agent', command: RESTART, timeout: 10_000 }, 'gpu-01');
    const outcome = await actionFor('agent', { connection: redis, prefix }).run(meshSide, context);
    expect(outcome.summary).toMatch(/^agent on gpu-01: .* exited 0 in \d+\.\d s$/);
    expect(context.lines).toContain('agent: stdout: restarted by the agent');

    const telemetry = await waitFor(() => readTelemetry(redis, prefix, 'gpu-01'), 'telemetry from the agent');
    expect(telemetry.gpus).toMatchObject([{ name: 'NVIDIA H200', utilizationPercent: 100 }]);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  it('refuses a node that is not in the config, naming the known ones (exit 2)', async () => {
    const result = await runCli([
      'start',
      '--role',
      'agent',
      '--node',
      'gpu-09',
      '--config',
      agentConfig(prefix),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'gpu-mesh: --node gpu-09: no such node in the config (nodes: gpu-01, gpu-02)\n',
    );
  });

  it('refuses a node whose recovery kind is not agent (exit 2)', async () => {
    const result = await runCli([
      'start',
      '--role',
      'agent',
      '--node',
      'gpu-02',
      '--config',
      agentConfig(prefix),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'gpu-mesh: --node gpu-02: its recovery.kind is command; the agent serves nodes with recovery kind agent\n',
    );
  });
});
