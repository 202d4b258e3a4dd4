import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSshAction, sshArgv } from '../../src/recovery/actions/ssh.js';
import { errorOf, nodeWith, recordingContext, StandIns } from './support.js';

/** A stand-in `ssh` that writes its argv, one per line, next to itself and acts like a remote host. */
const RECORDING_SSH = `printf '%s\\n' "$@" > "$(dirname "$0")/argv.txt"
echo "ollama.service restarted"
exit "\${SSH_EXIT:-0}"`;

describe('the ssh action', () => {
  let standIns: StandIns;
  beforeEach(() => {
    standIns = new StandIns();
    standIns.add('ssh', RECORDING_SSH);
  });
  afterEach(() => standIns.remove());

  const recordedArgv = () => readFileSync(join(standIns.dir, 'argv.txt'), 'utf8').trimEnd().split('\n');

  it('runs ssh in batch mode with a connect timeout, the host, -- and the argv', async () => {
    const context = recordingContext();
    const outcome = await createSshAction({ env: standIns.env() }).run(
      nodeWith({
        kind: 'ssh',
        host: 'ops@gpu-box',
        command: ['sudo', 'systemctl', 'restart', 'ollama'],
        timeout: 30_000,
      }),
      context,
    );
    expect(recordedArgv()).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      'ops@gpu-box',
      '--',
      'sudo',
      'systemctl',
      'restart',
      'ollama',
    ]);
    expect(outcome.summary).toMatch(
      /^ssh ops@gpu-box -- sudo systemctl restart ollama exited 0 in \d+\.\d s$/,
    );
    expect(context.lines).toEqual(['stdout: ollama.service restarted']);
  });

  it('caps the connect timeout at the action timeout, in whole seconds', () => {
    expect(sshArgv('h', ['true'], 3000)).toContain('ConnectTimeout=3');
    expect(sshArgv('h', ['true'], 200)).toContain('ConnectTimeout=1');
    expect(sshArgv('h', ['true'], 120_000)).toContain('ConnectTimeout=10');
  });

  it('quotes each word for the remote shell so the argv arrives intact', async () => {
    await createSshAction({ env: standIns.env() }).run(
      nodeWith({ kind: 'ssh', host: 'gpu-box', command: ['echo', "it's; rm -rf /"], timeout: 5000 }),
      recordingContext(),
    );
    expect(recordedArgv().slice(5)).toEqual(['--', 'echo', `'it'\\''s; rm -rf /'`]);
  });

  it('reports a connection failure with exit code 255 and a hint', async () => {
    const error = await errorOf(
      createSshAction({ env: { ...standIns.env(), SSH_EXIT: '255' } }).run(
        nodeWith({ kind: 'ssh', host: 'gpu-box', command: ['true'], timeout: 5000 }),
        recordingContext(),
      ),
    );
    expect(error.message).toMatch(
      /^ssh gpu-box -- true exited 255 in .*ssh itself failing to connect or log in/,
    );
  });

  it('refuses a host that ssh would read as an option', async () => {
    const error = await errorOf(
      createSshAction({ env: standIns.env() }).run(
        nodeWith({ kind: 'ssh', host: '-oProxyCommand=touch /tmp/x', command: ['true'], timeout: 5000 }),
        recordingContext(),
      ),
    );
    expect(error.message).toContain('starts with "-"');
  });
});
