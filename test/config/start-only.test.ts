import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { changedStartOnlyKey, refuseStartOnlyChanges } from '../../src/config/start-only.js';

const config = (yaml: string) => parseConfigText(yaml, {}, 'test.yaml').config;
const running = config('server: { host: 127.0.0.1, password: s3cret }\nnodes: []\n');

describe('changedStartOnlyKey', () => {
  it('lets a reload change nodes and checks', () => {
    const next = config(
      'server: { host: 127.0.0.1, password: s3cret }\nchecks: { interval: 5s }\nnodes: [{ id: a, url: "http://a:1" }]\n',
    );
    expect(changedStartOnlyKey(running, next)).toBeNull();
  });

  it.each([
    ['server: { host: 0.0.0.0, password: s3cret }\nnodes: []\n', 'server.host'],
    ['server: { host: 127.0.0.1, password: "" }\nnodes: []\n', 'server.password'],
    ['server: { host: 127.0.0.1, password: s3cret, username: root }\nnodes: []\n', 'server.username'],
    ['server: { host: 127.0.0.1, password: s3cret, port: 3001 }\nnodes: []\n', 'server.port'],
    ['server: { host: 127.0.0.1, password: s3cret, statusPage: true }\nnodes: []\n', 'server.statusPage'],
    ['server: { host: 127.0.0.1, password: s3cret }\nredis: { prefix: other }\nnodes: []\n', 'redis.prefix'],
  ])('names the key a reload may not change (%#: %s)', (yaml, key) => {
    expect(changedStartOnlyKey(running, config(yaml))).toBe(key);
  });

  it('refuses with one line that names the key and never the value', () => {
    const next = config('server: { host: 127.0.0.1, password: other-secret }\nnodes: []\n');
    expect(() => refuseStartOnlyChanges(running, next)).toThrow(
      'config: server.password: read at start only, restart to change it',
    );
    try {
      refuseStartOnlyChanges(running, next);
    } catch (error) {
      expect(String(error)).not.toMatch(/s3cret|other-secret/);
    }
  });
});
