import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../src/main.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, startBoardMesh } from './support.js';

/** The slot each line is for: `at` of a dashboard line, the window end of a stats report. */
function slots(logs: readonly string[], message: RegExp): string[] {
  return logs
    .map((line) => JSON.parse(line) as { msg: string; at?: string; report?: { at: string } })
    .filter((entry) => message.test(entry.msg))
    .map((entry) => entry.at ?? entry.report?.at ?? 'no slot');
}

describe('the dashboard line and the stats report with two processes on one mesh', () => {
  let mesh: BoardMesh;
  let second: RunningService;
  const secondLogs: string[] = [];

  beforeAll(async () => {
    mesh = await startBoardMesh();
    second = await startService({
      config: mesh.config,
      configSource: null,
      loadConfig: async () => mesh.config,
      roles: ['scheduler', 'worker', 'server'],
      logger: pino(
        { level: 'info' },
        new Writable({
          write(chunk, _encoding, done) {
            secondLogs.push(chunk.toString());
            done();
          },
        }),
      ),
      concurrency: 20,
    });
  });
  afterAll(async () => {
    await second?.close();
    await mesh?.stop();
  });

  it.each([
    ['dashboard line', /^mesh \d/],
    ['stats report', /^stats report: /],
  ])('writes the %s once per slot, not once per process', async (what, message) => {
    const all = await waitFor(() => {
      const lines = [...slots(mesh.logs, message), ...slots(secondLogs, message)];
      return lines.length >= 8 ? lines : null;
    }, `8 lines of the ${what}`);
    expect(all).not.toContain('no slot');
    expect(new Set(all).size).toBe(all.length);
  });
});
