/**
 * docs/mesh.schema.json (`gpu-mesh config schema`) against the parser: every example config in the
 * repository passes both, configs the parser accepts pass the schema, and the invalid ones fail both.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { meshJsonSchemaText } from '../../src/cli/config-schema.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfigText } from '../../src/config/parse.js';
import type { Simulator } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { meshYaml } from '../helpers/mesh.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCHEMA_PATH = resolve(ROOT, 'docs/mesh.schema.json');
const committed = readFileSync(SCHEMA_PATH, 'utf8');
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(JSON.parse(committed));

/** `${NAME}` in mesh.yaml text. */
const ref = (body: string) => ['$', '{', body, '}'].join('');

const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');

/** The ```yaml blocks of a Markdown file that are whole mesh.yaml files (not a node or a recovery alone). */
function yamlBlocks(path: string): string[] {
  return [...read(path).matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((block) => /^(redis|checks|alerts|nodes|server|gateway):/m.test(block));
}

/** A value for every `${VAR}` without a fallback, so the parser sees what a deployment would. */
function envFor(yaml: string): Record<string, string> {
  const names = [...yaml.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1] ?? '');
  return Object.fromEntries(
    names.map((name) => [name, /URL/.test(name) ? 'https://hooks.example.com/x' : 'value']),
  );
}

function schemaErrors(yaml: string): string[] {
  const tree = parse(yaml) ?? {};
  return validate(tree) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function parserError(yaml: string): string | undefined {
  try {
    parseConfigText(yaml, envFor(yaml), 'test.yaml');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

const fakeSimulator = {
  nodes: [
    { id: 'sim-1', url: 'http://127.0.0.1:11501' },
    { id: 'sim-2', url: 'http://127.0.0.1:11502' },
  ],
} as unknown as Simulator;

const EXAMPLES: Record<string, string> = {
  'mesh.example.yaml': read('mesh.example.yaml'),
  'deploy/compose/mesh.yaml': read('deploy/compose/mesh.yaml'),
  'test/helpers/mesh.ts meshYaml': meshYaml('gpu-mesh-test', fakeSimulator, {
    nodeFields: (id) => `recovery: { kind: http, url: "http://127.0.0.1:11500/nodes/${id}/mode" }`,
  }),
  'test/board/support.ts (agent node)': [
    'redis: { url: "redis://127.0.0.1:6379", prefix: gpu-mesh-test }',
    'checks:\n  interval: 1s\n  retryInterval: 250ms\n  timeout: 500ms',
    'server: { host: 127.0.0.1, port: 0, username: admin, password: "correct horse battery" }',
    'stats: { interval: 300ms, retain: 1h }\ndashboard: { interval: 300ms }',
    'nodes:',
    '  - { id: sim-1, url: "http://127.0.0.1:11501" }',
    '  - id: gpu-agent',
    '    url: "http://127.0.0.1:9"',
    '    enabled: false',
    '    recovery: { kind: agent, command: [systemctl, restart, ollama] }',
  ].join('\n'),
  'test/gateway/support.ts': [
    'redis: { url: "redis://127.0.0.1:6379", prefix: gpu-mesh-test }',
    'checks: { retryInterval: 1s }',
    'gateway: { port: 0, route: affinity, affinity: { prefixChars: 64 } }',
    'nodes:',
    '  - { id: sim-1, url: "http://127.0.0.1:11501", gateway: { weight: 2, maxInFlight: 1 } }',
  ].join('\n'),
  ...Object.fromEntries(
    ['docs/configuration.md', 'docs/alerts.md', 'README.md'].flatMap((path) =>
      yamlBlocks(path).map((block, index) => [`${path} block ${index + 1}`, block]),
    ),
  ),
};

describe('gpu-mesh config schema', () => {
  it('prints docs/mesh.schema.json exactly (regenerate: gpu-mesh config schema > docs/mesh.schema.json)', async () => {
    const result = await runCli(['config', 'schema']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(committed);
    expect(meshJsonSchemaText()).toBe(committed);
  });

  it('refuses unknown keys at every level, as the parser does', () => {
    const schema = JSON.parse(committed);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.checks.additionalProperties).toBe(false);
    expect(schema.properties.nodes.items.additionalProperties).toBe(false);
  });
});

describe('every example config in the repository', () => {
  it('finds the Markdown examples', () => {
    expect(Object.keys(EXAMPLES).filter((name) => name.includes('.md block')).length).toBeGreaterThanOrEqual(
      3,
    );
  });

  for (const [name, yaml] of Object.entries(EXAMPLES)) {
    it(`${name} passes the schema and the parser`, () => {
      expect(parserError(yaml)).toBeUndefined();
      expect(schemaErrors(yaml)).toEqual([]);
    });
  }

  it('the editor comment of each example points at docs/mesh.schema.json', () => {
    for (const path of ['mesh.example.yaml', 'deploy/compose/mesh.yaml']) {
      const first = read(path).split('\n')[0] ?? '';
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, path).not.toBeNull();
      expect(resolve(ROOT, path, '..', match?.[1] ?? '')).toBe(SCHEMA_PATH);
    }
  });
});

describe('the schema agrees with the parser', () => {
  const valid: Record<string, string> = {
    'empty file': '',
    'durations as text, whole milliseconds and numbers in text': [
      'checks: { interval: 15s, timeout: 2500, retryInterval: "750", unhealthyAfter: "4" }',
      'alerts: { maxSilence: 7d, massFailure: { ratio: 0.25 } }',
    ].join('\n'),
    'references to variables in numbers, flags, enums and URLs': [
      `server: { port: "${ref('PORT:-3000')}" }`,
      `keepalive: { watch: "${ref('WATCH:-true')}" }`,
      `log: { level: "${ref('LOG_LEVEL:-debug')}" }`,
      `heartbeat: { url: "${ref('HEARTBEAT_URL:-')}" }`,
      `redis: { url: "${ref('REDIS_URL:-redis://127.0.0.1:6379')}" }`,
    ].join('\n'),
    'an empty key takes its default': 'checks:\n  interval:\nserver:\n',
    'recovery without kind is none, with kind takes its fields': [
      'nodes:',
      '  - { id: a, url: "http://127.0.0.1:1", recovery: {} }',
      '  - { id: b, url: "http://127.0.0.1:2", recovery: { kind: ssh, host: gpu-b, command: [reboot] } }',
      '  - { id: c, url: "http://127.0.0.1:3", checks: { deep: { every: 0, model: llama3 } } }',
    ].join('\n'),
    'sentinel and cluster Redis URLs, byte sizes': [
      'redis: { url: "redis+sentinel://s1:26379,s2:26379/mymaster" }',
      'gateway: { maxBody: 512KiB, headerTimeout: { cold: 15m } }',
    ].join('\n'),
    'a gateway off loopback with keys': 'gateway: { host: 0.0.0.0, apiKeys: [k1] }',
  };

  for (const [name, yaml] of Object.entries(valid)) {
    it(`accepts: ${name}`, () => {
      expect(parserError(yaml)).toBeUndefined();
      expect(schemaErrors(yaml)).toEqual([]);
    });
  }

  const invalid: Record<string, [yaml: string, schemaPath: string]> = {
    'an unknown top-level key': ['chekcs: { interval: 5s }', ''],
    'an unknown nested key': ['checks: { intervall: 5s }', '/checks'],
    'an unknown node key': ['nodes:\n  - { id: a, url: "http://127.0.0.1:1", tag: [x] }', '/nodes/0'],
    'a duration without a known unit': ['checks: { interval: 5 minutes }', '/checks/interval'],
    'a duration of zero where zero is not off': ['checks: { timeout: 0s }', '/checks/timeout'],
    'a negative duration': ['recovery: { backoff: -5 }', '/recovery/backoff'],
    'a list where a number goes': ['recovery: { attempts: [3] }', '/recovery/attempts'],
    'text where a flag goes': ['keepalive: { watch: yes please }', '/keepalive/watch'],
    'a port out of range': ['server: { port: 70000 }', '/server/port'],
    'a log level that does not exist': ['log: { level: loud }', '/log/level'],
    'a node URL with another scheme': ['nodes:\n  - { id: a, url: "ftp://gpu-a" }', '/nodes/0/url'],
    'a node without url': ['nodes:\n  - { id: a }', '/nodes/0'],
    'a node id with capitals': ['nodes:\n  - { id: GPU-A, url: "http://127.0.0.1:1" }', '/nodes/0/id'],
    'a recovery kind that does not exist': [
      'nodes:\n  - { id: a, url: "http://127.0.0.1:1", recovery: { kind: telnet } }',
      '/nodes/0/recovery',
    ],
    'a command recovery without its command': [
      'nodes:\n  - { id: a, url: "http://127.0.0.1:1", recovery: { kind: command } }',
      '/nodes/0/recovery',
    ],
    'a Redis URL of another scheme': ['redis: { url: "http://127.0.0.1:6379" }', '/redis/url'],
    'nodes as a mapping': ['nodes: { a: "http://127.0.0.1:1" }', '/nodes'],
  };

  for (const [name, [yaml, path]] of Object.entries(invalid)) {
    it(`refuses: ${name}`, () => {
      expect(parserError(yaml)).toBeDefined();
      const errors = schemaErrors(yaml);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.some((error) => error.startsWith(`${path} `))).toBe(true);
    });
  }
});
