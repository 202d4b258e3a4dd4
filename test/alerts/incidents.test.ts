import { describe, expect, it } from 'vitest';
import { nodeIncidents } from '../../src/alerts/incidents.js';
import type { Alert, AlertKind } from '../../src/alerts/types.js';

const START = Date.parse('2026-01-01T10:00:00.000Z');

function alert(
  kind: AlertKind,
  atMs: number,
  incidentId: string | null,
  nodeId: string | null = 'gpu-1',
): Alert {
  return {
    id: `${kind}-${atMs}`,
    at: new Date(atMs).toISOString(),
    severity: 'INFO',
    kind,
    nodeId,
    incidentId,
    title: kind,
    message: kind,
  };
}

describe('nodeIncidents', () => {
  it('groups a node alerts by incident, newest first, with their end and recovery attempts', () => {
    const first = `gpu-1:${START}`;
    const second = `gpu-1:${START + 3_600_000}`;
    const incidents = nodeIncidents(
      [
        alert('degraded', START + 1000, first),
        alert('unhealthy', START + 2000, first),
        alert('recovery_started', START + 3000, first),
        alert('recovery_started', START + 60_000, first),
        alert('recovered', START + 120_000, first),
        alert('degraded', START + 3_601_000, second),
        alert('stuck_model', START + 10, null),
        alert('degraded', START, `gpu-2:${START}`, 'gpu-2'),
        alert('mesh_down', START, null, null),
      ],
      'gpu-1',
      second,
    );
    expect(incidents).toEqual([
      { id: second, start: START + 3_600_000, end: null, ongoing: true, alerts: 1, recoveryAttempts: 0 },
      { id: first, start: START, end: START + 120_000, ongoing: false, alerts: 5, recoveryAttempts: 2 },
    ]);
  });

  it('says an incident that is not the current one and has no recovered alert is not ongoing', () => {
    const id = `gpu-1:${START}`;
    expect(nodeIncidents([alert('unhealthy', START + 5, id)], 'gpu-1', null)).toEqual([
      { id, start: START, end: null, ongoing: false, alerts: 1, recoveryAttempts: 0 },
    ]);
  });
});
