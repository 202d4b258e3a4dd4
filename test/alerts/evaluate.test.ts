import { describe, expect, it } from 'vitest';
import {
  type AlertSettings,
  downTooLongAlerts,
  flappingReleases,
  meshDownDecision,
  type NodeSnapshot,
  nextRuleAt,
} from '../../src/alerts/evaluate.js';
import { initialState, type NodeState } from '../../src/mesh/state.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const settings: AlertSettings = {
  criticalAfter: 600_000,
  repeatEvery: 3_600_000,
  flapping: { changes: 6, window: 600_000 },
};

function snapshot(id: string, state: Partial<NodeState>, extra: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    node: { id, name: `Node ${id}` },
    state: { ...initialState(), ...state },
    silenced: false,
    flapping: null,
    ...extra,
  };
}

const down = (id: string, since = T0) =>
  snapshot(id, {
    status: 'unhealthy',
    failingSince: since,
    incidentId: `${id}:${since}`,
    unhealthySince: since + 10_000,
    statusChangedAt: since + 10_000,
    lastError: 'connection refused',
  });
const healthy = (id: string) => snapshot(id, { status: 'healthy', statusChangedAt: T0 - 1000 });

describe('downTooLongAlerts', () => {
  const unhealthyAt = T0 + 10_000;

  it('raises nothing before criticalAfter', () => {
    expect(downTooLongAlerts([down('a')], new Set(), unhealthyAt + 599_999, settings)).toEqual([]);
  });

  it('raises a CRITICAL once criticalAfter has passed since the node became unhealthy', () => {
    const alerts = downTooLongAlerts([down('a')], new Set(), unhealthyAt + 600_500, settings);
    expect(alerts).toMatchObject([
      {
        id: `a:${T0}:down_too_long`,
        kind: 'down_too_long',
        severity: 'CRITICAL',
        nodeId: 'a',
        incidentId: `a:${T0}`,
        at: new Date(unhealthyAt + 600_000).toISOString(),
        title: 'Node a (a) has been down for 10 min',
      },
    ]);
    expect(alerts[0]?.message).toContain('last error: connection refused');
  });

  it('repeats every repeatEvery, saying how long it has lasted', () => {
    const alerts = downTooLongAlerts(
      [down('a')],
      new Set(),
      unhealthyAt + 600_000 + 2 * 3_600_000 + 5,
      settings,
    );
    expect(alerts).toMatchObject([
      { id: `a:${T0}:down_too_long:2`, title: 'Node a (a) is still down after 2 h 10 min' },
    ]);
  });

  it('counts a recovering node as down, and leaves out nodes folded into a mass failure', () => {
    const recovering = snapshot('b', { ...down('b').state, status: 'recovering' });
    const folded = new Set([`a:${T0}`]);
    const alerts = downTooLongAlerts([down('a'), recovering], folded, unhealthyAt + 600_000, settings);
    expect(alerts.map((alert) => alert.nodeId)).toEqual(['b']);
  });
});

describe('meshDownDecision', () => {
  it('starts mesh_down when no enabled node is healthy, named after the last node to fail', () => {
    const decision = meshDownDecision([down('a', T0), down('b', T0 + 5000)], null, T0 + 20_000, settings);
    expect(decision).toMatchObject({
      kind: 'start',
      since: T0 + 5000,
      alert: { id: `mesh:${T0 + 5000}:mesh_down`, kind: 'mesh_down', severity: 'CRITICAL', nodeId: null },
    });
  });

  it('is not down while one node is healthy, nor while nodes are unchecked, nor when all failing ones are silenced', () => {
    expect(meshDownDecision([down('a'), healthy('b')], null, T0, settings).kind).toBe('none');
    expect(meshDownDecision([down('a'), snapshot('b', {})], null, T0, settings).kind).toBe('none');
    const silenced = { ...down('a'), silenced: true };
    expect(meshDownDecision([silenced], null, T0, settings).kind).toBe('none');
  });

  it('repeats every repeatEvery while the mesh stays down', () => {
    const nodes = [down('a')];
    expect(meshDownDecision(nodes, T0, T0 + 3_599_999, settings).kind).toBe('none');
    expect(meshDownDecision(nodes, T0, T0 + 3_600_000, settings)).toMatchObject({
      kind: 'repeat',
      alert: { id: `mesh:${T0}:mesh_down:1`, title: 'The mesh is still down after 1 h' },
    });
  });

  it('ends with a mesh-wide recovered once a node is healthy', () => {
    expect(meshDownDecision([down('a'), healthy('b')], T0, T0 + 65_000, settings)).toMatchObject({
      kind: 'end',
      since: T0,
      alert: { id: `mesh:${T0}:recovered`, kind: 'recovered', severity: 'INFO', incidentId: `mesh:${T0}` },
    });
  });
});

describe('flappingReleases', () => {
  it('keeps the episode while the node changed status within the window', () => {
    const node = snapshot(
      'a',
      { status: 'healthy', statusChangedAt: T0 },
      { flapping: { since: T0 - 60_000 } },
    );
    expect(flappingReleases([node], T0 + 599_999, settings)).toEqual([]);
  });

  it('ends it once the node kept one status for a window, with no alert when it settled healthy', () => {
    const node = snapshot(
      'a',
      { status: 'healthy', statusChangedAt: T0 },
      { flapping: { since: T0 - 60_000 } },
    );
    expect(flappingReleases([node], T0 + 600_000, settings)).toEqual([{ nodeId: 'a', alert: null }]);
  });

  it('sends the held alert of the status a node settled in when it is failing', () => {
    const node = { ...down('a'), flapping: { since: T0 } };
    const [release] = flappingReleases([node], T0 + 10_000 + 600_000, settings);
    expect(release?.alert).toMatchObject({
      id: `a:${T0}:unhealthy:settled`,
      kind: 'unhealthy',
      severity: 'ERROR',
      title: 'Node a (a) stopped flapping and is unhealthy',
    });
  });
});

describe('nextRuleAt', () => {
  const unhealthyAt = T0 + 10_000;

  it('is null for a quiet mesh: nothing can come due until a state changes', () => {
    expect(nextRuleAt([healthy('a'), healthy('b')], new Set(), null, T0, settings)).toBeNull();
  });

  it('is the down_too_long of a node down, then each of its repeats, the soonest of all nodes', () => {
    const later = down('b', T0 + 60_000);
    expect(nextRuleAt([down('a'), later], new Set(), null, T0 + 20_000, settings)).toBe(
      unhealthyAt + 600_000,
    );
    // Each moment is the one at which downTooLongAlerts gives a new id.
    const first = unhealthyAt + 600_000;
    expect(nextRuleAt([down('a')], new Set(), null, first, settings)).toBe(first + 3_600_000);
    expect(nextRuleAt([down('a')], new Set(), null, first + 3_600_001, settings)).toBe(first + 7_200_000);
    expect(downTooLongAlerts([down('a')], new Set(), first + 7_200_000, settings)[0]?.id).toBe(
      `a:${T0}:down_too_long:2`,
    );
  });

  it('leaves out incidents folded into a mass failure', () => {
    expect(nextRuleAt([down('a')], new Set([`a:${T0}`]), null, T0, settings)).toBeNull();
  });

  it("is mesh_down's next repeat while the mesh is down", () => {
    expect(nextRuleAt([], new Set(), T0, T0 + 5000, settings)).toBe(T0 + 3_600_000);
    expect(nextRuleAt([], new Set(), T0, T0 + 3_600_000, settings)).toBe(T0 + 7_200_000);
  });

  it('is the moment a flapping node will have kept its status for a whole window', () => {
    const node = snapshot(
      'a',
      { status: 'healthy', statusChangedAt: T0 },
      { flapping: { since: T0 - 60_000 } },
    );
    expect(nextRuleAt([node], new Set(), null, T0 + 1000, settings)).toBe(T0 + 600_000);
    expect(flappingReleases([node], T0 + 600_000, settings)).toHaveLength(1);
  });
});
