import { describe, expect, it } from 'vitest';
import { incidentStart } from '../../src/alerts/incident-id.js';
import { formatDuration } from '../../src/alerts/message-text.js';
import { countsAsChange, opensIncident, signalAlerts, transitionAlerts } from '../../src/alerts/rules.js';
import type { Transition } from '../../src/mesh/state.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const node = { id: 'gpu-1', name: 'GPU box 1' };
const incidentId = `gpu-1:${T0}`;

function transition(overrides: Partial<Transition>): Transition {
  return {
    nodeId: 'gpu-1',
    from: 'healthy',
    to: 'degraded',
    at: T0,
    incidentId,
    error: 'connection refused',
    misconfigured: false,
    downMs: null,
    ...overrides,
  };
}

describe('transitionAlerts', () => {
  it('raises a WARNING degraded alert with the incident id and the error', () => {
    const [alert, ...rest] = transitionAlerts(node, transition({}));
    expect(rest).toEqual([]);
    expect(alert).toEqual({
      id: `${incidentId}:degraded`,
      at: '2026-01-01T00:00:00.000Z',
      severity: 'WARNING',
      kind: 'degraded',
      nodeId: 'gpu-1',
      incidentId,
      title: 'GPU box 1 (gpu-1) is degraded',
      message:
        'Checks of GPU box 1 (gpu-1) are failing (failing since 2026-01-01T00:00:00.000Z): connection refused',
    });
  });

  it('raises an ERROR unhealthy alert when a degraded node becomes unhealthy', () => {
    const alerts = transitionAlerts(node, transition({ from: 'degraded', to: 'unhealthy', at: T0 + 10_000 }));
    expect(alerts).toMatchObject([
      {
        id: `${incidentId}:unhealthy`,
        severity: 'ERROR',
        kind: 'unhealthy',
        incidentId,
        at: '2026-01-01T00:00:10.000Z',
      },
    ]);
  });

  it('raises misconfigured instead of unhealthy when Ollama answered 403', () => {
    const alerts = transitionAlerts(
      node,
      transition({ from: 'healthy', to: 'unhealthy', misconfigured: true, error: 'HTTP 403' }),
    );
    expect(alerts).toMatchObject([
      { kind: 'misconfigured', severity: 'ERROR', id: `${incidentId}:misconfigured` },
    ]);
    expect(alerts[0]?.message).toContain('HTTP 403');
  });

  it('raises an INFO recovered alert saying how long the node was down', () => {
    const alerts = transitionAlerts(
      node,
      transition({ from: 'unhealthy', to: 'healthy', at: T0 + 754_000, downMs: 754_000, error: null }),
    );
    expect(alerts).toMatchObject([
      { kind: 'recovered', severity: 'INFO', id: `${incidentId}:recovered`, incidentId },
    ]);
    expect(alerts[0]?.message).toContain('after 12 min 34 s down');
  });

  it('raises nothing for a first healthy check, a recovery attempt, or unhealthy between attempts', () => {
    expect(transitionAlerts(node, transition({ from: 'unknown', to: 'healthy', incidentId: null }))).toEqual(
      [],
    );
    expect(transitionAlerts(node, transition({ from: 'unhealthy', to: 'recovering' }))).toEqual([]);
    expect(transitionAlerts(node, transition({ from: 'recovering', to: 'unhealthy' }))).toEqual([]);
  });
});

describe('signalAlerts', () => {
  it('raises one WARNING per soft signal, with an id naming the model and the check', () => {
    const alerts = signalAlerts(
      node,
      [
        { kind: 'gpu_fallback', model: 'llama3.2:latest', size: 4000, sizeVram: 1000 },
        { kind: 'stuck_model', model: 'qwen:7b', expiresAt: '2026-01-01T00:00:00.000Z' },
      ],
      T0,
      null,
    );
    expect(alerts).toMatchObject([
      {
        kind: 'gpu_fallback',
        severity: 'WARNING',
        id: `gpu-1:gpu_fallback:llama3.2:latest:${T0}`,
        incidentId: null,
      },
      { kind: 'stuck_model', severity: 'WARNING', id: `gpu-1:stuck_model:qwen:7b:${T0}` },
    ]);
    expect(alerts[0]?.message).toContain('Only 25% of llama3.2:latest');
  });
});

describe('countsAsChange', () => {
  it('counts changes a check decides, not the first check nor recovery attempts', () => {
    expect(countsAsChange(transition({ from: 'healthy', to: 'degraded' }))).toBe(true);
    expect(countsAsChange(transition({ from: 'degraded', to: 'healthy' }))).toBe(true);
    expect(countsAsChange(transition({ from: 'unknown', to: 'healthy' }))).toBe(false);
    expect(countsAsChange(transition({ from: 'unhealthy', to: 'recovering' }))).toBe(false);
    expect(countsAsChange(transition({ from: 'recovering', to: 'unhealthy' }))).toBe(false);
  });
});

describe('opensIncident', () => {
  it('is true when a fine or unknown node starts failing', () => {
    expect(opensIncident(transition({ from: 'healthy', to: 'degraded' }))).toBe(true);
    expect(opensIncident(transition({ from: 'unknown', to: 'unhealthy' }))).toBe(true);
    expect(opensIncident(transition({ from: 'degraded', to: 'unhealthy' }))).toBe(false);
  });
});

describe('formatDuration', () => {
  it('says a duration with its two largest units', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(2600)).toBe('3 s');
    expect(formatDuration(245_000)).toBe('4 min 5 s');
    expect(formatDuration(2 * 3_600_000 + 10 * 60_000 + 5000)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(3_600_000)).toBe('1 h');
  });
});

describe('incidentStart', () => {
  it('reads the epoch ms an incident id ends with', () => {
    expect(incidentStart(incidentId)).toBe(T0);
    expect(incidentStart(`mesh:${T0}`)).toBe(T0);
    expect(incidentStart(null)).toBeNull();
  });
});
