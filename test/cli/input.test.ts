/**
 * SPEC Guarantee 10 on the command line: a bad argument is exit 2 and one line on stderr naming
 * it, checked by the same definitions as the HTTP API (`mesh/input.ts`), before Redis is touched.
 */
import { describe, expect, it } from 'vitest';
import { runCli, writeTempConfig } from '../helpers/cli.js';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.js';

function meshConfig(): string {
  return writeTempConfig(
    [
      `redis: { url: "${testRedisUrl()}", prefix: ${uniquePrefix()} }`,
      'alerts: { maxSilence: 2d }',
      'nodes:',
      '  - { id: gpu-01, url: "http://127.0.0.1:9", recovery: { kind: command, command: ["true"] } }',
    ].join('\n'),
  );
}

describe('command-line input checks', () => {
  const config = meshConfig();

  it.each([
    [['silence', 'gpu-01', '--for', '0'], /^gpu-mesh: --for: must be from 1s to 2d$/],
    [['silence', 'gpu-01', '--for', '500ms'], /^gpu-mesh: --for: must be from 1s to 2d$/],
    [['silence', 'gpu-01', '--for', '3d'], /^gpu-mesh: --for: must be from 1s to 2d$/],
    [['silence', 'gpu-01', '--for', '100000000d'], /^gpu-mesh: --for: must be from 1s to 2d$/],
    [['silence', 'gpu-01', '--for', 'soon'], /^gpu-mesh: --for: not a duration: "soon" \(use e\.g\. 30m/],
    [
      ['silence', 'gpu-01', '--for', '1h', '--reason', 'x'.repeat(501)],
      /^gpu-mesh: --reason: at most 500 characters$/,
    ],
    [['silence', 'GPU-01', '--for', '1h'], /^gpu-mesh: NODE: not a node id \(/],
    [['unsilence', 'gpu 01'], /^gpu-mesh: NODE: not a node id \(/],
    [['check', '_gpu'], /^gpu-mesh: NODE: not a node id \(/],
    [['recover', `g${'p'.repeat(64)}`], /^gpu-mesh: NODE: not a node id \(/],
    [['alerts', '--since', '0'], /^gpu-mesh: --since: must be from 1ms to 365d$/],
    [['alerts', '--since', '400d'], /^gpu-mesh: --since: must be from 1ms to 365d$/],
  ])('refuses `gpu-mesh %s` with exit 2 and one line naming the argument', async (args, line) => {
    const result = await runCli([...args, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(line);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
