// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject under test
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { interpolateEnv } from '../../src/config/interpolate.js';
import { parseConfigText } from '../../src/config/parse.js';

describe('interpolateEnv', () => {
  it('replaces a variable in the middle of a string', () => {
    expect(interpolateEnv({ a: 'http://${HOST}:11434' }, { HOST: 'gpu-1' })).toEqual({
      a: 'http://gpu-1:11434',
    });
  });

  it('uses the fallback when the variable is unset or empty', () => {
    const tree = { a: '${A:-one}', b: '${B:-two}', c: '${C:-}' };
    expect(interpolateEnv(tree, { B: '' })).toEqual({ a: 'one', b: 'two', c: '' });
  });

  it('prefers a set variable over its fallback', () => {
    expect(interpolateEnv(['${A:-one}'], { A: 'set' })).toEqual(['set']);
  });

  it('leaves keys, numbers and booleans alone', () => {
    expect(interpolateEnv({ '${K}': 1, b: true }, {})).toEqual({ '${K}': 1, b: true });
  });

  it('names the key path and the variable when a variable is unset', () => {
    const interpolate = () => interpolateEnv({ nodes: [{ id: 'a' }, { url: '${GPU_URL}' }] }, {});
    expect(interpolate).toThrow(ConfigError);
    expect(interpolate).toThrow('config: nodes[1].url: environment variable GPU_URL is not set');
  });
});

describe('parseConfigText with ${VAR}', () => {
  it('gives an interpolated value its key type: number, boolean, duration, string', () => {
    const text = [
      'server: { port: "${PORT:-3000}", username: "${USER_NAME}" }',
      'keepalive: { watch: "${W:-true}", interval: "${KI:-2m}" }',
      'alerts: { massFailure: { ratio: "${RATIO}" } }',
    ].join('\n');
    const { config } = parseConfigText(text, { USER_NAME: '1234', RATIO: '0.25', W: 'false' }, 'mesh.yaml');
    expect(config.server.port).toBe(3000);
    expect(config.server.username).toBe('1234');
    expect(config.keepalive.watch).toBe(false);
    expect(config.keepalive.interval).toBe(120_000);
    expect(config.alerts.massFailure.ratio).toBe(0.25);
  });

  it('reads an unquoted ${VAR:-fallback} as well', () => {
    const { config } = parseConfigText('server:\n  port: ${PORT:-3000}\n', { PORT: '8080' }, 'mesh.yaml');
    expect(config.server.port).toBe(8080);
  });

  it('reports an unset variable with its key path', () => {
    const parse = () => parseConfigText('server:\n  password: ${GPU_MESH_PW}\n', {}, 'mesh.yaml');
    expect(parse).toThrow(new ConfigError('server.password', 'environment variable GPU_MESH_PW is not set'));
    expect(parse).toThrow('config: server.password: environment variable GPU_MESH_PW is not set');
  });

  it('rejects an interpolated value that is not of its key type', () => {
    const parse = () => parseConfigText('server: { port: "${PORT}" }', { PORT: 'http' }, 'mesh.yaml');
    expect(parse).toThrow('config: server.port: expected a number, got text');
  });
});
