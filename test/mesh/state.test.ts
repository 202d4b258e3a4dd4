import { describe, expect, it } from 'vitest';
import {
  applyCheck,
  endRecoveryAttempt,
  initialState,
  type NodeState,
  startRecovery,
  type Thresholds,
  wantsDeepCheck,
} from '../../src/mesh/state.js';
import type { DeepOutcome, ProbeResult } from '../../src/mesh/types.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const thresholds: Thresholds = {
  degradedAfter: 1,
  unhealthyAfter: 3,
  healthyAfter: 1,
  deep: { every: 0, model: '', timeout: 60_000, failAfter: 2 },
};

function ok(
  deep: DeepOutcome | null = null,
  signals: Extract<ProbeResult, { ok: true }>['signals'] = [],
): ProbeResult {
  return {
    ok: true,
    latencyMs: 6.4,
    version: '0.12.3',
    models: 8,
    installedModels: ['llama3.2:latest'],
    loadedModels: [{ name: 'llama3.2:latest', size: 10, sizeVram: 10, expiresAt: null }],
    deep,
    signals,
  };
}

function fail(error = 'connection refused', failure: 'connection' | 'forbidden' = 'connection'): ProbeResult {
  return { ok: false, latencyMs: 1, failure, error, deep: null };
}

/** Applies results one second apart from T0; returns every state and transition. */
function run(results: ProbeResult[], custom: Thresholds = thresholds, start: NodeState = initialState()) {
  let state = start;
  const transitions = [];
  const outcomes = [];
  for (const [index, result] of results.entries()) {
    const outcome = applyCheck('n1', state, T0 + index * 1000, result, custom);
    state = outcome.state;
    transitions.push(...outcome.transitions);
    outcomes.push(outcome);
  }
  return { state, transitions, outcomes };
}

describe('applyCheck', () => {
  it('makes a never-checked node healthy on its first passing check', () => {
    const { state, transitions } = run([ok()]);
    expect(state.status).toBe('healthy');
    expect(transitions.map((t) => [t.from, t.to])).toEqual([['unknown', 'healthy']]);
    expect(state.checks).toBe(1);
    expect(state.successes).toBe(1);
    expect(state.version).toBe('0.12.3');
  });

  it('marks a node degraded on its first failure and unhealthy after three consecutive failures', () => {
    const { state, transitions } = run([ok(), fail(), fail(), fail()]);
    expect(transitions.map((t) => t.to)).toEqual(['healthy', 'degraded', 'unhealthy']);
    expect(state.status).toBe('unhealthy');
    expect(state.consecutiveFailures).toBe(3);
    expect(state.lastError).toBe('connection refused');
    expect(state.unhealthySince).toBe(T0 + 3000);
  });

  it('names the incident after the first failure of the run and keeps it until healthy', () => {
    const { state, transitions } = run([ok(), fail(), fail(), fail(), ok()]);
    const incident = `n1:${T0 + 1000}`;
    expect(transitions.slice(1).map((t) => t.incidentId)).toEqual([incident, incident, incident]);
    expect(transitions.at(-1)?.downMs).toBe(3000);
    expect(state.incidentId).toBeNull();
    expect(state.lastError).toBeNull();
  });

  it('opens no incident for a failure below degradedAfter', () => {
    const { state, transitions } = run([ok(), fail(), ok()], { ...thresholds, degradedAfter: 2 });
    expect(transitions.map((t) => t.to)).toEqual(['healthy']);
    expect(state.incidentId).toBeNull();
    expect(state.status).toBe('healthy');
  });

  it('keeps a failing node in its status until healthyAfter consecutive successes', () => {
    const custom = { ...thresholds, healthyAfter: 2 };
    const { state, transitions } = run([ok(), fail(), fail(), fail(), ok()], custom);
    expect(state.status).toBe('unhealthy');
    const after = applyCheck('n1', state, T0 + 10_000, ok(), custom);
    expect(after.state.status).toBe('healthy');
    expect(after.transitions[0]?.from).toBe('unhealthy');
    expect(transitions.map((t) => t.to)).toEqual(['healthy', 'degraded', 'unhealthy']);
  });

  it('asks for a fast confirmation after a failure until the node is unhealthy', () => {
    const { outcomes } = run([ok(), fail(), fail(), fail(), fail()]);
    expect(outcomes.map((o) => o.confirmSoon)).toEqual([false, true, true, false, false]);
  });

  it('emits each transition once: a degraded node failing again emits nothing new', () => {
    const { transitions } = run([fail(), fail()], { ...thresholds, unhealthyAfter: 5 });
    expect(transitions.map((t) => t.to)).toEqual(['degraded']);
  });

  it('ignores a result older than the newest one applied', () => {
    const { state } = run([ok(), fail()]);
    const late = applyCheck('n1', state, T0 + 500, ok(), thresholds);
    expect(late.stale).toBe(true);
    expect(late.state).toBe(state);
    expect(late.transitions).toEqual([]);
  });

  it('makes a node answering 403 unhealthy at once and marks it misconfigured', () => {
    const { state, transitions } = run([ok(), fail('HTTP 403', 'forbidden')]);
    expect(state.status).toBe('unhealthy');
    expect(state.misconfigured).toBe(true);
    expect(transitions.at(-1)).toMatchObject({ to: 'unhealthy', misconfigured: true });
  });

  it('counts success rate over all checks', () => {
    const { state } = run([ok(), ok(), ok(), fail()]);
    expect(state.checks).toBe(4);
    expect(state.successes).toBe(3);
  });
});

describe('deep checks', () => {
  const deep = { ...thresholds, deep: { every: 60_000, model: '', timeout: 1000, failAfter: 2 } };
  const timeout: DeepOutcome = { kind: 'timeout', model: 'llama3', afterMs: 1000 };

  it('passes a check whose first deep probe times out, and fails the failAfter-th in a row', () => {
    const { outcomes, state } = run([ok(timeout), ok(timeout)], deep);
    expect(outcomes.map((o) => o.passed)).toEqual([true, false]);
    expect(state.lastError).toContain('deep check of llama3 timed out after 1000 ms (2 in a row)');
  });

  it('includes the deep part in every check after a deep timeout until one succeeds', () => {
    const first = run([ok({ kind: 'ok', model: 'llama3', ttftMs: 40 })], deep).state;
    expect(wantsDeepCheck(first, deep.deep, T0 + 1000)).toBe(false);
    expect(wantsDeepCheck(first, deep.deep, T0 + 60_000)).toBe(true);
    const timedOut = applyCheck('n1', first, T0 + 60_000, ok(timeout), deep).state;
    expect(wantsDeepCheck(timedOut, deep.deep, T0 + 61_000)).toBe(true);
  });

  it('reaches unhealthy through repeated deep timeouts like a dead node does', () => {
    const { state } = run([ok(timeout), ok(timeout), ok(timeout), ok(timeout)], deep);
    expect(state.status).toBe('unhealthy');
  });

  it('never counts a busy deep probe as a failure', () => {
    const { outcomes, state } = run(
      [ok({ kind: 'busy', model: 'llama3' }), ok({ kind: 'busy', model: 'llama3' })],
      deep,
    );
    expect(outcomes.every((o) => o.passed)).toBe(true);
    expect(state.status).toBe('healthy');
  });

  it('does not want a deep check when deep checks are off', () => {
    expect(wantsDeepCheck(initialState(), thresholds.deep, T0)).toBe(false);
  });
});

describe('soft signals', () => {
  const fallback = { kind: 'gpu_fallback' as const, model: 'llama3', size: 10, sizeVram: 5 };

  it('raises a signal once while it stays true, and again after it cleared', () => {
    const { outcomes } = run([ok(null, [fallback]), ok(null, [fallback]), ok(), ok(null, [fallback])]);
    expect(outcomes.map((o) => o.raisedSignals.length)).toEqual([1, 0, 0, 1]);
  });
});

describe('recovery', () => {
  it('is recovering while an attempt runs and unhealthy between attempts', () => {
    const { state } = run([ok(), fail(), fail(), fail()]);
    const started = startRecovery('n1', state, T0 + 5000);
    expect(started.state.status).toBe('recovering');
    const ended = endRecoveryAttempt('n1', started.state, T0 + 6000);
    expect(ended.state.status).toBe('unhealthy');
    expect(ended.transitions[0]).toMatchObject({ from: 'recovering', to: 'unhealthy' });
  });

  it('returns a recovering node to healthy on a passing check', () => {
    const { state } = run([ok(), fail(), fail(), fail()]);
    const recovering = startRecovery('n1', state, T0 + 5000).state;
    const after = applyCheck('n1', recovering, T0 + 6000, ok(), thresholds);
    expect(after.transitions[0]).toMatchObject({ from: 'recovering', to: 'healthy', downMs: 5000 });
  });
});
