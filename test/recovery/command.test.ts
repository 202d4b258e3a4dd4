import { describe, expect, it, onTestFinished } from 'vitest';
import { Secrets } from '../../src/config/secrets.js';
import { createCommandAction, runArgv } from '../../src/recovery/actions/command.js';
import { errorOf, nodeWith, recordingContext, StandIns } from './support.js';

const node = process.execPath;

describe('the command action', () => {
  it('runs the argv and reports its exit code and duration, with the output in the log', async () => {
    const context = recordingContext();
    const action = createCommandAction({});
    const outcome = await action.run(
      nodeWith({
        kind: 'command',
        command: [node, '-e', "console.log('restarted'); console.error('note')"],
        timeout: 5000,
      }),
      context,
    );
    expect(outcome.summary).toMatch(/ -e .* exited 0 in \d+\.\d s$/);
    expect(context.lines).toContain('stdout: restarted');
    expect(context.lines).toContain('stderr: note');
  });

  it('fails on a non-zero exit with the exit code and the tail of stderr', async () => {
    const context = recordingContext();
    const error = await errorOf(
      runArgv({
        argv: [
          'sh',
          '-c',
          'echo working; echo "Failed to restart ollama.service: Unit not found." >&2; exit 3',
        ],
        timeoutMs: 5000,
        signal: context.signal,
        log: context.log,
      }),
    );
    expect(error.message).toMatch(
      /exited 3 in \d+\.\d s: Failed to restart ollama\.service: Unit not found\.$/,
    );
    expect(error.message).not.toContain('\n');
  });

  it('kills a command that outlives its timeout and returns at once', async () => {
    const context = recordingContext();
    const started = performance.now();
    const error = await errorOf(
      runArgv({ argv: ['sleep', '5'], timeoutMs: 200, signal: context.signal, log: context.log }),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(/^sleep 5 timed out after 0\.\d s and was killed/);
  });

  it('kills the command and what it started when the signal aborts', async () => {
    const context = recordingContext((line, self) => {
      if (line === 'stdout: started') self.controller.abort();
    });
    const started = performance.now();
    const error = await errorOf(
      runArgv({
        argv: ['sh', '-c', 'echo started; sleep 5; echo never'],
        timeoutMs: 10_000,
        signal: context.signal,
        log: context.log,
      }),
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(/aborted after \d+\.\d s and was killed/);
    expect(context.lines).not.toContain('stdout: never');
  });

  it('passes every argument literally, with no shell to interpret it', async () => {
    const context = recordingContext();
    const tricky = 'hello; rm -rf /tmp/nothing-here $(whoami) `id` | cat > /dev/null';
    const result = await runArgv({
      argv: ['echo', tricky],
      timeoutMs: 5000,
      signal: context.signal,
      log: context.log,
    });
    expect(context.lines).toEqual([`stdout: ${tricky}`]);
    expect(result.summary).toContain(`echo '${tricky}' exited 0`);
  });

  it('says so when the program does not exist', async () => {
    const context = recordingContext();
    const error = await errorOf(
      runArgv({
        argv: ['no-such-program-gpu-mesh'],
        timeoutMs: 5000,
        signal: context.signal,
        log: context.log,
      }),
    );
    expect(error.message).toMatch(/^no-such-program-gpu-mesh could not start: .*ENOENT/);
  });

  it('keeps at most 200 lines of output and says how many were left out', async () => {
    const context = recordingContext();
    await runArgv({
      argv: [node, '-e', "for (let i = 0; i < 1000; i++) console.log('line ' + i)"],
      timeoutMs: 10_000,
      signal: context.signal,
      log: context.log,
    });
    expect(context.lines).toHaveLength(201);
    expect(context.lines[0]).toBe('stdout: line 0');
    expect(context.lines[200]).toMatch(/^… 800 more lines of output not kept/);
  });

  it('masks configured secrets in the log and in errors', async () => {
    const context = recordingContext();
    const error = await errorOf(
      runArgv({
        argv: ['sh', '-c', 'echo "token=hunter2-secret"; echo "bad token hunter2-secret" >&2; exit 1'],
        timeoutMs: 5000,
        signal: context.signal,
        log: context.log,
        secrets: Secrets.from(['hunter2-secret']),
      }),
    );
    expect(context.lines.join('\n')).not.toContain('hunter2-secret');
    expect(context.lines).toContain('stdout: token=***');
    expect(error.message).toContain('bad token ***');
    expect(error.message).not.toContain('hunter2');
  });

  it('finds the program on the PATH it is given', async () => {
    const standIns = new StandIns();
    onTestFinished(() => standIns.remove());
    standIns.add('restart-ollama', 'echo "restarting on $1"');
    const context = recordingContext();
    const outcome = await createCommandAction({ env: standIns.env() }).run(
      nodeWith({ kind: 'command', command: ['restart-ollama', 'gpu-01'], timeout: 5000 }),
      context,
    );
    expect(outcome.summary).toMatch(/^restart-ollama gpu-01 exited 0/);
    expect(context.lines).toEqual(['stdout: restarting on gpu-01']);
  });
});
