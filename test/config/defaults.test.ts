import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import type { MeshConfig } from '../../src/config/types.js';

const DEFAULT_CHECKS = {
  interval: 30_000,
  timeout: 5_000,
  retryInterval: 5_000,
  degradedAfter: 1,
  unhealthyAfter: 3,
  healthyAfter: 1,
  deep: { every: 0, model: '', timeout: 60_000, failAfter: 2 },
};

/** SPEC's "Defaults shown", durations in ms. */
const SPEC_DEFAULTS: MeshConfig = {
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'gpu-mesh' },
  checks: DEFAULT_CHECKS,
  keepalive: { interval: 60_000, watch: true, staleAfter: 3, warm: [] },
  recovery: { attempts: 3, backoff: 10_000, verifyTimeout: 60_000, maxPerHour: 5 },
  stats: { interval: 300_000, retain: 86_400_000 },
  heartbeat: { url: '', interval: 60_000 },
  dashboard: { interval: 60_000 },
  alerts: {
    criticalAfter: 600_000,
    repeatEvery: 3_600_000,
    flapping: { changes: 6, window: 600_000 },
    massFailure: { ratio: 0.5, minNodes: 4 },
    channels: {
      email: { minSeverity: 'CRITICAL', smtp: '', from: '', to: [], timeout: 30_000 },
      slack: { minSeverity: 'CRITICAL', webhookUrl: '', timeout: 30_000 },
      webhook: { minSeverity: 'ERROR', url: '', headers: {}, timeout: 30_000 },
      discord: { minSeverity: 'CRITICAL', webhookUrl: '', timeout: 30_000 },
      pagerduty: {
        minSeverity: 'CRITICAL',
        routingKey: '',
        url: 'https://events.pagerduty.com/v2/enqueue',
        timeout: 30_000,
      },
      teams: { minSeverity: 'CRITICAL', webhookUrl: '', timeout: 30_000 },
      ntfy: { minSeverity: 'WARNING', url: '', token: '', timeout: 30_000 },
    },
    maxSilence: 30 * 86_400_000,
  },
  gateway: {
    enabled: false,
    host: '127.0.0.1',
    port: 11480,
    apiKeys: [],
    route: 'least-busy',
    affinity: { prefixChars: 2048, maxLoad: 1.25 },
    attempts: 3,
    headerTimeout: { warm: 30_000, cold: 600_000 },
    idleTimeout: 120_000,
    maxBody: 32 * 1024 * 1024,
  },
  server: { host: '127.0.0.1', port: 3000, username: 'admin', password: '', statusPage: false },
  log: { level: 'info', file: '' },
  nodes: [
    {
      id: 'local',
      name: 'Local Ollama',
      url: 'http://127.0.0.1:11434',
      enabled: true,
      tags: [],
      checks: DEFAULT_CHECKS,
      recovery: { kind: 'none' },
      gateway: { weight: 1, maxInFlight: 0 },
    },
  ],
};

describe('defaults', () => {
  it('match SPEC for an empty file', () => {
    expect(parseConfigText('', {}, 'mesh.yaml')).toEqual({ config: SPEC_DEFAULTS, warnings: [] });
  });

  it('match SPEC for a file of comments only', () => {
    expect(parseConfigText('# nothing yet\n', {}, 'mesh.yaml').config).toEqual(SPEC_DEFAULTS);
  });

  it('fill a section left empty (`key:` with no value)', () => {
    expect(parseConfigText('redis:\nchecks:\n  deep:\n', {}, 'mesh.yaml').config).toEqual(SPEC_DEFAULTS);
  });

  it('fill the keys a section leaves out', () => {
    const { config } = parseConfigText('checks: { interval: 10s, deep: { every: 5m } }', {}, 'mesh.yaml');
    expect(config.checks).toEqual({
      ...DEFAULT_CHECKS,
      interval: 10_000,
      deep: { ...DEFAULT_CHECKS.deep, every: 300_000 },
    });
  });
});
