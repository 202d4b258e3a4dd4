import { describe, expect, it } from 'vitest';
import { renderConfig, secretValues } from '../../src/config/mask.js';
import { parseConfigText } from '../../src/config/parse.js';
import {
  clusterSafePrefix,
  describeRedisTarget,
  maskRedisUrl,
  parseRedisUrl,
  redisUrlSecrets,
} from '../../src/runtime/redis-url.js';

function configError(url: string): string {
  try {
    parseConfigText(`redis: { url: "${url}" }`, {}, 'mesh.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${url} was accepted`);
}

describe('parseRedisUrl', () => {
  it('leaves a one-server URL to ioredis as written', () => {
    expect(parseRedisUrl('redis://:pw@h:6380/2')).toEqual({ mode: 'single', url: 'redis://:pw@h:6380/2' });
    expect(parseRedisUrl('rediss://h')).toEqual({ mode: 'single', url: 'rediss://h' });
  });

  it('reads a cluster URL: every node, the default port, credentials, TLS', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2,[::1]:7002')).toEqual({
      mode: 'cluster',
      tls: false,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@c1:7000/')).toMatchObject({
      mode: 'cluster',
      tls: true,
      username: 'app',
      password: 'p@ss',
      nodes: [{ host: 'c1', port: 7000 }],
    });
  });

  it('reads a sentinel URL: the sentinels, the master name, the db and the sentinel credentials', () => {
    expect(
      parseRedisUrl(
        'redis+sentinel://:pw@s1:26379,s2/mymaster/3?sentinelUsername=watch&sentinelPassword=s%26p',
      ),
    ).toEqual({
      mode: 'sentinel',
      tls: false,
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: 3,
      password: 'pw',
      sentinelUsername: 'watch',
      sentinelPassword: 's&p',
    });
  });

  it.each([
    ['http://h:6379', /must start with redis:\/\/, rediss:\/\/, redis\+sentinel/],
    ['redis+sentinel://s1:26379', /names its master/],
    ['redis+sentinel://s1/m/x', /ends in \/<master name>\[\/<db number>\]/],
    ['redis+sentinel://s1/m?password=x', /unknown parameter "password"/],
    ['redis+cluster://c1:7000/2', /takes no path/],
    ['redis+cluster://c1:7000,', /"" is not host\[:port\]/],
    ['redis+cluster://c1:70000', /port out of range/],
    ['redis+cluster://', /names no host/],
  ])('refuses %s', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });

  it('never repeats a password it cannot decode', () => {
    expect(() => parseRedisUrl('redis+cluster://:%zz-secret@c1')).toThrow(/not valid percent-encoding/);
    expect(configError('redis+cluster://:%zz-secret@c1')).not.toContain('zz-secret');
  });
});

describe('the redis config keys', () => {
  it('accept the sentinel and cluster forms and name the key of a bad one', () => {
    const { config } = parseConfigText('redis: { url: "redis+sentinel://s1,s2/main" }', {}, 'mesh.yaml');
    expect(config.redis).toEqual({ url: 'redis+sentinel://s1,s2/main', prefix: 'gpu-mesh' });
    expect(configError('redis+cluster://c1/0')).toMatch(/^config: redis\.url: a cluster URL takes no path/);
  });

  it('give a cluster mesh a prefix with a hash tag, keeping one the user wrote', () => {
    const cluster = (prefix: string) =>
      parseConfigText(`redis: { url: "redis+cluster://c1", prefix: "${prefix}" }`, {}, 'mesh.yaml').config
        .redis.prefix;
    expect(cluster('gpu-mesh')).toBe('{gpu-mesh}');
    expect(cluster('{gpu-mesh}')).toBe('{gpu-mesh}');
    expect(cluster('prod-{mesh}')).toBe('prod-{mesh}');
    expect(cluster('odd{}')).toBe('{odd{}}');
    expect(clusterSafePrefix('redis://h', 'gpu-mesh')).toBe('gpu-mesh');
  });

  it('take the hash tag from $GPU_MESH_PREFIX and $REDIS_URL too', () => {
    const env = { REDIS_URL: 'redis+cluster://c1:7000', GPU_MESH_PREFIX: 'team-a' };
    expect(parseConfigText('', env, 'mesh.yaml').config.redis).toEqual({
      url: 'redis+cluster://c1:7000',
      prefix: '{team-a}',
    });
  });
});

describe('secrets in a multi-host redis URL', () => {
  const url = 'redis+sentinel://app:data-s3cret@s1:26379,s2:26379/main?sentinelPassword=sentinel-s3cret';

  it('are masked by `config check`, the hosts staying readable', () => {
    expect(maskRedisUrl(url)).toBe('redis+sentinel://app:***@s1:26379,s2:26379/main?sentinelPassword=***');
    expect(maskRedisUrl('redis+cluster://:pw@c1:7000,c2:7001')).toBe('redis+cluster://:***@c1:7000,c2:7001');
    expect(maskRedisUrl('redis+cluster://c1:7000')).toBe('redis+cluster://c1:7000');
    const rendered = renderConfig(parseConfigText(`redis: { url: "${url}" }`, {}, 'mesh.yaml').config);
    expect(rendered).not.toMatch(/data-s3cret|sentinel-s3cret/);
  });

  it('are handed to the logger to redact, as written and decoded', () => {
    expect(redisUrlSecrets('redis+cluster://:p%40ss@c1')).toEqual(['p%40ss', 'p@ss']);
    const { config } = parseConfigText(`redis: { url: "${url}" }`, {}, 'mesh.yaml');
    expect(secretValues(config)).toEqual(expect.arrayContaining(['data-s3cret', 'sentinel-s3cret']));
  });

  it('are left out of the log lines that name the Redis', () => {
    expect(describeRedisTarget(url)).toBe('redis+sentinel://s1:26379,s2:26379/main');
    expect(describeRedisTarget('redis://:pw@h:6379/0')).toBe('redis://h:6379/0');
  });
});
