import { describe, expect, it } from 'vitest';
import { gateAlert } from '../../src/alerts/gate.js';
import { makeAlert } from './helpers.js';

const calm = { flapping: false, foldedInto: null, incidentAnnounced: true };

describe('gateAlert', () => {
  it('delivers alerts of a calm node', () => {
    expect(gateAlert(makeAlert(), calm)).toEqual({ deliver: true });
  });

  it('holds WARNING and ERROR alerts of a flapping node, but not its flapping alert nor a CRITICAL', () => {
    const flapping = { ...calm, flapping: true };
    expect(gateAlert(makeAlert({ kind: 'unhealthy', severity: 'ERROR' }), flapping)).toEqual({
      deliver: false,
      reason: 'held: local is flapping',
    });
    expect(gateAlert(makeAlert({ kind: 'degraded', severity: 'WARNING' }), flapping).deliver).toBe(false);
    expect(gateAlert(makeAlert({ kind: 'flapping', severity: 'WARNING' }), flapping).deliver).toBe(true);
    expect(gateAlert(makeAlert({ kind: 'down_too_long', severity: 'CRITICAL' }), flapping).deliver).toBe(
      true,
    );
  });

  it("holds a flapping node's recovered only when nobody heard of its incident", () => {
    const recovered = makeAlert({ kind: 'recovered', severity: 'INFO' });
    expect(gateAlert(recovered, { ...calm, flapping: true, incidentAnnounced: false }).deliver).toBe(false);
    expect(gateAlert(recovered, { ...calm, flapping: true, incidentAnnounced: true }).deliver).toBe(true);
  });

  it('folds per-node failure alerts into a mass failure, but lets its recovered reach the log', () => {
    const folded = { ...calm, foldedInto: 'mesh:1767225600000' };
    expect(gateAlert(makeAlert({ kind: 'unhealthy' }), folded)).toEqual({
      deliver: false,
      reason: 'folded into mass failure mesh:1767225600000',
    });
    expect(gateAlert(makeAlert({ kind: 'down_too_long', severity: 'CRITICAL' }), folded).deliver).toBe(false);
    expect(gateAlert(makeAlert({ kind: 'recovered', severity: 'INFO' }), folded).deliver).toBe(true);
  });

  it('always delivers mesh-wide alerts', () => {
    const meshAlert = makeAlert({ kind: 'mass_failure', severity: 'CRITICAL', nodeId: null });
    expect(gateAlert(meshAlert, { flapping: true, foldedInto: 'x', incidentAnnounced: false }).deliver).toBe(
      true,
    );
  });
});
