import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultHandlers, installFaultHandlers } from '../../src/runtime/fault-handlers.js';

const ROOT = resolve(import.meta.dirname, '../..');

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

let installed: FaultHandlers | null = null;
afterEach(() => {
  installed?.uninstall();
  installed = null;
});

describe('installFaultHandlers', () => {
  it('logs an unhandled rejection as one ERROR line and keeps serving', () => {
    const { logger, lines } = capturedLogger();
    const exits: number[] = [];
    installed = installFaultHandlers(logger, (code) => exits.push(code));
    installed.onUnhandledRejection(new Error('socket hang up\n    at somewhere'));
    expect(exits).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'unhandled promise rejection (kept serving): socket hang up at somewhere',
      }),
    ]);
  });

  it('logs an uncaught exception as FATAL, with its stack, and exits 1', () => {
    const { logger, lines } = capturedLogger();
    const exits: number[] = [];
    installed = installFaultHandlers(logger, (code) => exits.push(code));
    installed.onUncaughtException(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(exits).toEqual([1]);
    expect(lines[0]).toMatchObject({
      level: 60,
      severity: 'CRITICAL',
      err: "Cannot read properties of undefined (reading 'id')",
      stack: expect.stringContaining('TypeError'),
    });
  });

  it('in a real process: a stray rejection is logged and survived, a throw ends it with exit 1, all as JSON', async () => {
    // Needs the build (npm test builds first), like the tests that run the CLI.
    const script = [
      "import { pino } from 'pino';",
      "import { installFaultHandlers } from './dist/runtime/fault-handlers.js';",
      'installFaultHandlers(pino());',
      "Promise.reject(new Error('stray\\npromise'));",
      "setImmediate(() => { console.log(JSON.stringify({ still: 'serving' })); throw new Error('bug'); });",
      'setInterval(() => {}, 1000);', // something to keep it alive, as a service has
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.msg ?? line.still)).toEqual([
      'unhandled promise rejection (kept serving): stray promise',
      'serving',
      'uncaught exception, exiting for the supervisor to restart gpu-mesh: bug',
    ]);
  });
});
