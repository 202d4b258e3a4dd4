/**
 * The `command` action, and the argv runner that `ssh` and the agent reuse.
 *
 * The argv goes to `spawn` with `shell: false` — the same call `execFile` makes, minus its
 * buffering: `execFile` keeps all output in memory and kills the child past `maxBuffer`, while a
 * restart script's output is streamed here, line by line, into the job log (bounded). No shell
 * ever sees the argv, so `;`, `$()` and quotes are passed literally.
 *
 * The child leads its own process group, so a timeout or an abort kills what it started too
 * (SIGTERM, then SIGKILL after 2 s). A daemon it leaves behind after exiting normally is not
 * touched: the command counts as done when it exits, not when its output pipes close.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Secrets } from '../../config/secrets.js';
import type { NodeConfig } from '../../config/types.js';
import { oneLine } from './mask.js';
import { OutputLines } from './output.js';
import {
  type ActionContext,
  type ActionDeps,
  type ActionOutcome,
  type RecoveryActionRunner,
  recoveryOf,
  seconds,
} from './types.js';

const KILL_GRACE_MS = 2000;
/** After the child exits, how long its output may still drain (a daemon may hold the pipes open). */
const DRAIN_MS = 500;

/** How a command ended when it did not succeed. */
export type CommandFailure = 'exit' | 'signal' | 'timeout' | 'aborted' | 'spawn';

export class CommandError extends Error {
  constructor(
    message: string,
    readonly failure: CommandFailure,
    readonly exitCode: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CommandError';
  }
}

export interface ArgvRun {
  /** `[file, ...args]`; `file` is looked up on the child's PATH. */
  argv: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  /** Receives the output, one masked line at a time (`stdout: …` / `stderr: …`). */
  log(line: string): void;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Masked in the log, the summary and errors. Default: none. */
  secrets?: Secrets;
  /** How the command is named in the summary and errors. Default: the argv, shell-quoted. */
  label?: string;
}

export interface ArgvResult {
  /** `<label> exited 0 in 1.2 s` */
  summary: string;
  durationMs: number;
}

/** Runs argv without a shell; resolves when it exits 0, throws a one-line `CommandError` otherwise. */
export async function runArgv(run: ArgvRun): Promise<ArgvResult> {
  const secrets = run.secrets ?? new Secrets();
  const label = oneLine(run.label ?? formatArgv(run.argv), secrets, 200);
  const [file, ...args] = run.argv;
  if (file === undefined || file === '') throw new CommandError(`${label}: empty command`, 'spawn', null);
  if (run.signal.aborted) throw new CommandError(`${label} aborted before it started`, 'aborted', null);

  const started = performance.now();
  const output = new OutputLines(run.log, secrets);
  const child = spawn(file, args, {
    env: run.env ?? process.env,
    shell: false,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.write('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.write('stderr', chunk));

  const stopper = stopOnTimeoutOrAbort(child, run.timeoutMs, run.signal);
  const end = await childEnd(child);
  stopper.clear();
  await drained(child);
  output.end();

  const took = seconds(performance.now() - started);
  const tail = output.tail();
  const detail = tail === '' ? '' : `: ${tail}`;
  if (stopper.reason() === 'timeout')
    throw new CommandError(`${label} timed out after ${took} and was killed${detail}`, 'timeout', null);
  if (stopper.reason() === 'aborted')
    throw new CommandError(`${label} aborted after ${took} and was killed${detail}`, 'aborted', null);
  if ('error' in end) {
    const reason = oneLine(end.error.message, secrets);
    throw new CommandError(`${label} could not start: ${reason}`, 'spawn', null);
  }
  if (end.code === null)
    throw new CommandError(
      `${label} was killed by ${end.signal ?? 'a signal'} after ${took}${detail}`,
      'signal',
      null,
    );
  if (end.code !== 0)
    throw new CommandError(`${label} exited ${end.code} in ${took}${detail}`, 'exit', end.code);
  return { summary: `${label} exited 0 in ${took}`, durationMs: performance.now() - started };
}

export function createCommandAction(deps: Pick<ActionDeps, 'env' | 'secrets'>): RecoveryActionRunner {
  return {
    kind: 'command',
    async run(node: NodeConfig, context: ActionContext): Promise<ActionOutcome> {
      const action = recoveryOf(node, 'command');
      const { summary } = await runArgv({
        argv: action.command,
        timeoutMs: action.timeout,
        signal: context.signal,
        log: context.log,
        env: deps.env,
        secrets: deps.secrets,
      });
      return { summary };
    },
  };
}

const PLAIN_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argv word as a POSIX shell reads it back: unchanged when plain, else single-quoted. */
export function quoteArg(arg: string): string {
  if (PLAIN_ARG.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function formatArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

type ChildEnd = { code: number | null; signal: NodeJS.Signals | null } | { error: Error };

function childEnd(child: ChildProcess): Promise<ChildEnd> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Waits briefly for the output pipes to close, then lets go of them. */
async function drained(child: ChildProcess): Promise<void> {
  if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise((resolve) => child.once('close', resolve)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, DRAIN_MS);
    }),
  ]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

interface Stopper {
  reason(): 'timeout' | 'aborted' | null;
  clear(): void;
}

function stopOnTimeoutOrAbort(child: ChildProcess, timeoutMs: number, signal: AbortSignal): Stopper {
  let reason: 'timeout' | 'aborted' | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'aborted') => {
    if (reason !== null || child.exitCode !== null || child.signalCode !== null) return;
    reason = why;
    killGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
  };
  const timeout = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('aborted');
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    reason: () => reason,
    /** Called once the child exited: what it started and left behind goes too, if it was stopped. */
    clear: () => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      if (reason !== null) killGroup(child, 'SIGKILL');
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
