import { describe, expect, it } from 'vitest';
import { detectSoftSignals } from '../../src/probes/soft-signals.js';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');

describe('detectSoftSignals', () => {
  it('reports nothing for a model fully in VRAM that expires later', () => {
    const models = [{ name: 'a', size: 10, sizeVram: 10, expiresAt: '2026-01-01T12:05:00.000Z' }];
    expect(detectSoftSignals(models, NOW)).toEqual([]);
  });

  it('reports gpu_fallback for a model partly in system memory', () => {
    const models = [{ name: 'a', size: 10, sizeVram: 6, expiresAt: null }];
    expect(detectSoftSignals(models, NOW)).toEqual([
      { kind: 'gpu_fallback', model: 'a', size: 10, sizeVram: 6 },
    ]);
  });

  it('reports stuck_model only once the expiry is over a minute old', () => {
    const justPast = [{ name: 'a', size: 1, sizeVram: 1, expiresAt: '2026-01-01T11:59:30.000Z' }];
    const longPast = [{ name: 'a', size: 1, sizeVram: 1, expiresAt: '2026-01-01T11:58:59.000Z' }];
    expect(detectSoftSignals(justPast, NOW)).toEqual([]);
    expect(detectSoftSignals(longPast, NOW)).toEqual([
      { kind: 'stuck_model', model: 'a', expiresAt: '2026-01-01T11:58:59.000Z' },
    ]);
  });

  it('never calls a model that never expires stuck', () => {
    expect(detectSoftSignals([{ name: 'a', size: 1, sizeVram: 1, expiresAt: null }], NOW)).toEqual([]);
  });
});
