import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfigText } from '../../src/config/parse.js';

function errorOf(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfigText(text, env, 'mesh.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const NODE = 'id: gpu-1\n    url: http://gpu-1:11434';

describe('config validation', () => {
  it('reports an unknown top-level key', () => {
    expect(errorOf('redis: {}\nnodez: []\n')).toBe('config: nodez: unknown key');
  });

  it('reports an unknown nested key', () => {
    expect(errorOf('checks:\n  intervall: 10s\n')).toBe('config: checks.intervall: unknown key');
  });

  it('reports an unknown key in a node', () => {
    expect(errorOf(`nodes:\n  - ${NODE}\n    gpu: h200\n`)).toBe('config: nodes[0].gpu: unknown key');
  });

  it('reports an unknown key in a node checks override, deep included', () => {
    expect(errorOf(`nodes:\n  - ${NODE}\n    checks: { deep: { evry: 5m } }\n`)).toBe(
      'config: nodes[0].checks.deep.evry: unknown key',
    );
  });

  it('reports a node url that is not a URL', () => {
    expect(errorOf(`nodes:\n  - ${NODE}\n  - id: gpu-2\n    url: gpu-2 port 11434\n`)).toBe(
      'config: nodes[1].url: not a URL',
    );
  });

  it('reports a node url that is not http(s)', () => {
    expect(errorOf('nodes: [{ id: a, url: "ftp://a:11434" }]')).toBe(
      'config: nodes[0].url: must start with http:// or https://',
    );
  });

  it('reports a node without a url', () => {
    expect(errorOf('nodes: [{ id: a }]')).toBe('config: nodes[0].url: required');
  });

  it.each(['GPU-1', '-gpu', 'gpu 1', 'a'.repeat(65), ''])('rejects the node id %j', (id) => {
    expect(errorOf(`nodes: [{ id: "${id}", url: "http://a:1" }]`)).toMatch(
      /^config: nodes\[0\]\.id: not a valid id/,
    );
  });

  it('accepts ids of 1 and of 64 characters', () => {
    const text = `nodes: [{ id: "0", url: "http://a:1" }, { id: "${'a'.repeat(64)}", url: "http://b:1" }]`;
    expect(parseConfigText(text, {}, 'mesh.yaml').config.nodes).toHaveLength(2);
  });

  it('rejects a duplicate node id, naming the second one', () => {
    const text =
      'nodes:\n  - { id: a, url: "http://a:1" }\n  - { id: b, url: "http://b:1" }\n  - { id: a, url: "http://c:1" }\n';
    expect(errorOf(text)).toBe('config: nodes[2].id: duplicate id "a" (see nodes[0])');
  });

  it('reports a bad duration with a hint', () => {
    expect(errorOf('checks: { timeout: 5 seconds }')).toBe(
      'config: checks.timeout: not a duration (use e.g. 500ms, 5s, 1m)',
    );
    expect(errorOf('checks: { timeout: true }')).toBe(
      'config: checks.timeout: not a duration (use e.g. 500ms, 5s, 1m)',
    );
  });

  it('rejects a zero duration where 0 does not mean "off"', () => {
    expect(errorOf('checks: { interval: 0s }')).toBe('config: checks.interval: must be longer than 0');
    expect(parseConfigText('checks: { deep: { every: 0 } }', {}, 'mesh.yaml').config.checks.deep.every).toBe(
      0,
    );
  });

  it('rejects a count below 1', () => {
    expect(errorOf('recovery: { attempts: 0 }')).toBe('config: recovery.attempts: must be at least 1');
    expect(errorOf('checks: { healthyAfter: 1.5 }')).toBe(
      'config: checks.healthyAfter: expected a whole number, got a number',
    );
  });

  it('rejects degradedAfter above unhealthyAfter, mesh-wide and in a node', () => {
    expect(errorOf('checks: { degradedAfter: 4 }')).toBe(
      'config: checks: degradedAfter (4) must not exceed unhealthyAfter (3)',
    );
    expect(
      errorOf(
        'nodes: [{ id: a, url: "http://a:1", checks: { unhealthyAfter: 2 } }]\nchecks: { degradedAfter: 3 }',
      ),
    ).toBe('config: nodes[0].checks: degradedAfter (3) must not exceed unhealthyAfter (2)');
  });

  it('rejects a massFailure ratio outside (0, 1]', () => {
    expect(errorOf('alerts: { massFailure: { ratio: 0 } }')).toBe(
      'config: alerts.massFailure.ratio: must be greater than 0',
    );
    expect(errorOf('alerts: { massFailure: { ratio: 1.5 } }')).toBe(
      'config: alerts.massFailure.ratio: must be at most 1',
    );
  });

  it('rejects a port outside 0..65535', () => {
    expect(errorOf('server: { port: 70000 }')).toBe('config: server.port: must be at most 65535');
    expect(errorOf('server: { port: -1 }')).toBe('config: server.port: must be at least 0');
  });

  it('rejects an unknown severity and log level', () => {
    expect(errorOf('alerts: { channels: { slack: { minSeverity: critical } } }')).toBe(
      'config: alerts.channels.slack.minSeverity: must be one of INFO, WARNING, ERROR, CRITICAL',
    );
    expect(errorOf('log: { level: verbose }')).toBe(
      'config: log.level: must be one of trace, debug, info, warn, error, fatal, silent',
    );
  });

  it('asks to quote a number given for text', () => {
    expect(errorOf('server: { password: 1234 }')).toBe(
      'config: server.password: expected text, got a number (quote it)',
    );
  });

  it('reports the top level when it is not a mapping', () => {
    expect(errorOf('- a\n- b\n')).toBe('config: mesh.yaml: expected a mapping, got a list');
  });

  it('reports the first problem in file order', () => {
    expect(errorOf('log: { level: loud }\nchecks: { interval: soon }\nredis: { extra: 1 }\n')).toBe(
      'config: log.level: must be one of trace, debug, info, warn, error, fatal, silent',
    );
  });

  it('reports a YAML syntax error as one line with its line number', () => {
    const message = errorOf('redis:\n  url: redis://h:6379\nchecks: [1, 2\nnodes: []\n');
    expect(message).toMatch(/^config: mesh\.yaml line \d+: \S/);
    expect(message).not.toContain('\n');
  });

  it('reports a duplicate YAML key with its line', () => {
    expect(errorOf('log: {}\nredis: {}\nlog: {}\n')).toBe(
      'config: mesh.yaml line 3: Map keys must be unique',
    );
  });

  it('reports an alias to a missing anchor', () => {
    expect(errorOf('checks: *missing\n')).toMatch(/^config: mesh\.yaml( line 1)?: /);
  });
});
