import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { parseByteSize } from '../../src/config/schema-gateway.js';
import { changedStartOnlyKey } from '../../src/config/start-only.js';

const parse = (text: string) => parseConfigText(text, {}, 'mesh.yaml').config;

describe('gateway config', () => {
  it('is off, on loopback port 11480, least-busy, by default', () => {
    expect(parse('nodes: []').gateway).toEqual({
      enabled: false,
      host: '127.0.0.1',
      port: 11480,
      apiKeys: [],
      route: 'least-busy',
      affinity: { prefixChars: 2048, maxLoad: 1.25 },
      attempts: 3,
      headerTimeout: { warm: 30_000, cold: 600_000 },
      idleTimeout: 120_000,
      maxBody: 33_554_432,
    });
  });

  it('reads every key, durations in ms and sizes in bytes', () => {
    const gateway = parse(
      [
        'gateway:',
        '  enabled: "true"',
        '  host: 0.0.0.0',
        '  port: "11999"',
        '  apiKeys: [k-one, k-two]',
        '  route: affinity',
        '  affinity: { prefixChars: 100, maxLoad: 2 }',
        '  attempts: 5',
        '  headerTimeout: { warm: 5s, cold: 1m }',
        '  idleTimeout: 10s',
        '  maxBody: 512KiB',
        'nodes: []',
      ].join('\n'),
    ).gateway;
    expect(gateway).toEqual({
      enabled: true,
      host: '0.0.0.0',
      port: 11999,
      apiKeys: ['k-one', 'k-two'],
      route: 'affinity',
      affinity: { prefixChars: 100, maxLoad: 2 },
      attempts: 5,
      headerTimeout: { warm: 5000, cold: 60_000 },
      idleTimeout: 10_000,
      maxBody: 524_288,
    });
  });

  it.each([
    ['gateway: { route: fastest }', /gateway\.route: /],
    ['gateway: { attempts: 0 }', /gateway\.attempts: /],
    ['gateway: { maxBody: lots }', /gateway\.maxBody: not a size/],
    ['gateway: { affinity: { maxLoad: 0.5 } }', /gateway\.affinity\.maxLoad: /],
    ['gateway: { headerTimeout: { warm: soon } }', /gateway\.headerTimeout\.warm: not a duration/],
    ['gateway: { extra: 1 }', /gateway\.extra: unknown key/],
  ])('refuses %s naming the key', (yaml, message) => {
    expect(() => parse(`${yaml}\nnodes: []`)).toThrow(message);
  });

  it('requires apiKeys when the host is not loopback', () => {
    expect(() => parse('gateway: { host: 0.0.0.0 }\nnodes: []')).toThrow(
      /config: gateway\.apiKeys: required when gateway\.host \(0\.0\.0\.0\) is not loopback/,
    );
    expect(parse('gateway: { host: localhost }\nnodes: []').gateway.host).toBe('localhost');
  });

  it('gives each node weight 1 and no cap by default, and reads its own', () => {
    const { nodes } = parse(
      'nodes:\n  - { id: a, url: "http://a:1" }\n  - { id: b, url: "http://b:1", gateway: { weight: 2.5, maxInFlight: 4 } }',
    );
    expect(nodes.map((node) => node.gateway)).toEqual([
      { weight: 1, maxInFlight: 0 },
      { weight: 2.5, maxInFlight: 4 },
    ]);
  });

  it.each([
    ['{ weight: 0 }', /nodes\[0\]\.gateway\.weight: /],
    ['{ maxInFlight: -1 }', /nodes\[0\]\.gateway\.maxInFlight: /],
    ['{ cap: 3 }', /nodes\[0\]\.gateway\.cap: unknown key/],
  ])('refuses a node gateway of %s', (yaml, message) => {
    expect(() => parse(`nodes: [{ id: a, url: "http://a:1", gateway: ${yaml} }]`)).toThrow(message);
  });

  it('makes host, port and apiKeys start-only, the rest reloadable', () => {
    const running = parse('gateway: { apiKeys: [a-key] }\nnodes: []');
    expect(changedStartOnlyKey(running, parse('gateway: { apiKeys: [b-key] }\nnodes: []'))).toBe(
      'gateway.apiKeys',
    );
    expect(changedStartOnlyKey(running, parse('gateway: { apiKeys: [a-key], port: 1 }\nnodes: []'))).toBe(
      'gateway.port',
    );
    expect(
      changedStartOnlyKey(running, parse('gateway: { apiKeys: [a-key], host: localhost }\nnodes: []')),
    ).toBe('gateway.host');
    expect(
      changedStartOnlyKey(running, parse('gateway: { apiKeys: [a-key], route: round-robin }\nnodes: []')),
    ).toBeNull();
  });
});

describe('parseByteSize', () => {
  it.each([
    ['32MiB', 33_554_432],
    ['1GB', 1_000_000_000],
    ['100', 100],
    ['2 KiB', 2048],
  ])('reads %s', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['0', '-1', '1.5MiB', '1TB', ''])('refuses %s', (text) => {
    expect(() => parseByteSize(text)).toThrow(RangeError);
  });
});
