import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';

function parse(text: string) {
  return parseConfigText(text, {}, 'mesh.yaml');
}

function recoveryOf(recoveryYaml: string) {
  const { config } = parse(`nodes:\n  - id: a\n    url: http://a:11434\n    recovery: ${recoveryYaml}\n`);
  return config.nodes[0]?.recovery;
}

describe('nodes', () => {
  it('keep their mesh.yaml order and take their id as name by default', () => {
    const { config } = parse(
      'nodes:\n  - { id: b, url: "http://b:1" }\n  - { id: a, name: Box A, url: "http://a:1" }\n',
    );
    expect(config.nodes.map((node) => [node.id, node.name])).toEqual([
      ['b', 'b'],
      ['a', 'Box A'],
    ]);
  });

  it('get enabled, tags, checks and no recovery by default', () => {
    const { config } = parse('nodes: [{ id: a, url: "http://a:1" }]');
    expect(config.nodes[0]).toMatchObject({
      enabled: true,
      tags: [],
      checks: config.checks,
      recovery: { kind: 'none' },
    });
  });

  it('merge their own checks over the mesh-wide ones, deep included', () => {
    const text = [
      'checks: { interval: 20s, unhealthyAfter: 4, deep: { every: 10m, model: llama3, timeout: 30s } }',
      'nodes:',
      '  - { id: a, url: "http://a:1", checks: { interval: 1m, deep: { every: 1h } } }',
      '  - { id: b, url: "http://b:1" }',
    ].join('\n');
    const { config } = parse(text);
    expect(config.nodes[0]?.checks).toEqual({
      ...config.checks,
      interval: 60_000,
      deep: { every: 3_600_000, model: 'llama3', timeout: 30_000, failAfter: 2 },
    });
    expect(config.nodes[1]?.checks).toEqual(config.checks);
    expect(config.checks.interval).toBe(20_000);
  });

  it('validate their checks overrides like the mesh-wide ones', () => {
    expect(() => parse('nodes: [{ id: a, url: "http://a:1", checks: { timeout: fast } }]')).toThrow(
      'config: nodes[0].checks.timeout: not a duration (use e.g. 500ms, 5s, 1m)',
    );
  });

  it('default to the one local node when `nodes` is absent', () => {
    const { config, warnings } = parse('log: { level: debug }');
    expect(config.nodes.map((node) => [node.id, node.name, node.url])).toEqual([
      ['local', 'Local Ollama', 'http://127.0.0.1:11434'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('may be empty, with a warning', () => {
    expect(parse('nodes: []')).toMatchObject({
      config: { nodes: [] },
      warnings: ['no nodes configured: the mesh is empty'],
    });
  });

  it('read enabled: "false" from an interpolated value as a boolean', () => {
    const { config } = parseConfigText(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference for the config, not JS
      'nodes: [{ id: a, url: "http://a:1", enabled: "${ON:-false}" }]',
      {},
      'm',
    );
    expect(config.nodes[0]?.enabled).toBe(false);
  });
});

describe('node recovery', () => {
  it('is none when left out or given without a kind', () => {
    expect(recoveryOf('{}')).toEqual({ kind: 'none' });
    expect(recoveryOf('{ kind: none }')).toEqual({ kind: 'none' });
  });

  it('runs a command as argv with a 30s default timeout', () => {
    expect(recoveryOf('{ kind: command, command: [systemctl, restart, ollama] }')).toEqual({
      kind: 'command',
      command: ['systemctl', 'restart', 'ollama'],
      timeout: 30_000,
    });
  });

  it('runs a command over ssh', () => {
    expect(
      recoveryOf(
        '{ kind: ssh, host: ops@gpu-box, command: [sudo, systemctl, restart, ollama], timeout: 1m }',
      ),
    ).toEqual({
      kind: 'ssh',
      host: 'ops@gpu-box',
      command: ['sudo', 'systemctl', 'restart', 'ollama'],
      timeout: 60_000,
    });
  });

  it('calls an http hook, POST with no headers and no body by default', () => {
    expect(recoveryOf('{ kind: http, url: "https://cloud.example/restart" }')).toEqual({
      kind: 'http',
      url: 'https://cloud.example/restart',
      method: 'POST',
      headers: {},
      body: '',
      timeout: 30_000,
    });
    expect(
      recoveryOf('{ kind: http, url: "https://x/r", method: PUT, headers: { A: b }, body: "{}" }'),
    ).toMatchObject({
      method: 'PUT',
      headers: { A: 'b' },
      body: '{}',
    });
  });

  it('hands a command to the agent on the GPU host', () => {
    expect(recoveryOf('{ kind: agent, command: [systemctl, restart, ollama], timeout: 45s }')).toEqual({
      kind: 'agent',
      command: ['systemctl', 'restart', 'ollama'],
      timeout: 45_000,
    });
  });

  it('rejects an unknown kind, a shell string, an empty argv and keys of another kind', () => {
    expect(() => recoveryOf('{ kind: reboot }')).toThrow(
      'config: nodes[0].recovery.kind: must be one of none, command, ssh, http, agent',
    );
    expect(() => recoveryOf('{ kind: command, command: "systemctl restart ollama" }')).toThrow(
      'config: nodes[0].recovery.command: expected a list of arguments, e.g. [systemctl, restart, ollama]',
    );
    expect(() => recoveryOf('{ kind: agent, command: [] }')).toThrow(
      'config: nodes[0].recovery.command: must not be empty',
    );
    expect(() => recoveryOf('{ kind: command, command: [a], host: b }')).toThrow(
      'config: nodes[0].recovery.host: unknown key',
    );
    expect(() => recoveryOf('{ kind: ssh, command: [a] }')).toThrow(
      'config: nodes[0].recovery.host: required',
    );
    expect(() => recoveryOf('{ kind: http, url: "not a url" }')).toThrow(
      'config: nodes[0].recovery.url: not a URL',
    );
  });
});
