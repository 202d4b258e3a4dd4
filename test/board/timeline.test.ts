import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, startBoardMesh } from './support.js';

interface TimelineAnswer {
  nodeId: string;
  windowMs: number;
  from: string;
  to: string;
  cellMs: number;
  cells: { from: string; checks: number; passed: number }[];
  checks: { at: string; ok: boolean; latencyMs: number }[];
  incidents: {
    id: string;
    start: string;
    end: string | null;
    ongoing: boolean;
    durationMs: number | null;
    alerts: number;
    recoveryAttempts: number;
    recoveryJobId: string;
  }[];
}

describe('GET /api/nodes/:id/timeline', () => {
  let mesh: BoardMesh;

  beforeAll(async () => {
    mesh = await startBoardMesh({
      nodes: 2,
      checks: '  interval: 250ms\n  retryInterval: 250ms\n  timeout: 500ms',
      beforeStart: (simulator) => simulator.setMode('sim-2', 'dead'),
    });
  });
  afterAll(() => mesh?.stop());

  it('answers a day of cells, the checks and no incident for a healthy node', async () => {
    const timeline = await waitFor(async () => {
      const answer = await mesh.json<TimelineAnswer>('/api/nodes/sim-1/timeline');
      return answer.checks.length >= 3 ? answer : null;
    }, 'three checks of sim-1');
    expect(Object.keys(timeline).sort()).toEqual(
      ['cellMs', 'cells', 'checks', 'from', 'incidents', 'nodeId', 'to', 'windowMs'].sort(),
    );
    expect(timeline.windowMs).toBe(86_400_000);
    expect(timeline.cells).toHaveLength(48);
    expect(timeline.cellMs).toBe(1_800_000);
    const last = timeline.cells.at(-1);
    expect(last?.checks).toBeGreaterThanOrEqual(3);
    expect(last?.passed).toBe(last?.checks);
    expect(Date.parse(timeline.checks[0]?.at ?? '')).toBeLessThan(
      Date.parse(timeline.checks.at(-1)?.at ?? ''),
    );
    expect(timeline.incidents).toEqual([]);
  });

  it('lists the incident of a dead node with its alerts and its recovery job id', async () => {
    const timeline = await waitFor(async () => {
      const answer = await mesh.json<TimelineAnswer>('/api/nodes/sim-2/timeline?window=1h');
      return (answer.incidents[0]?.alerts ?? 0) >= 2 ? answer : null;
    }, 'two alerts of the incident of sim-2');
    expect(timeline.windowMs).toBe(3_600_000);
    const [incident] = timeline.incidents;
    expect(incident?.id).toMatch(/^sim-2:\d+$/);
    expect(incident).toMatchObject({
      ongoing: true,
      end: null,
      recoveryJobId: `recover-sim-2-sim-2-${incident?.id.split(':')[1]}`,
    });
    expect(incident?.durationMs).toBeGreaterThan(0);
    expect(timeline.cells.at(-1)?.passed).toBe(0);
  });

  it('answers 404 for a node the mesh does not have', async () => {
    const response = await mesh.get('/api/nodes/nope/timeline');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'unknown node: nope' });
  });

  it.each([
    ['window=soon', 'window: not a duration: "soon" (use e.g. 30m, 2h, 1d)'],
    ['window=5m', 'window: must be from 1h to 7d'],
    ['window=8d', 'window: must be from 1h to 7d'],
    ['since=1h', 'since: unknown field'],
  ])('answers 400 naming the field for ?%s', async (query, error) => {
    const response = await mesh.get(`/api/nodes/sim-1/timeline?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error });
  });

  it('answers 400 for a path id that is not a node id', async () => {
    const response = await mesh.get('/api/nodes/Not%20An%20Id/timeline');
    expect(response.status).toBe(400);
    expect((await response.json()) as { error: string }).toMatchObject({
      error: expect.stringMatching(/^id: /),
    });
  });
});
