/*
 * `redis.url`: one Redis, a master watched by Sentinel, or a Redis Cluster, each in one URL, so the config's
 * single key (and `$REDIS_URL`) says where the mesh lives:
 *
 *   redis://[user:pass@]host[:6379][/db]          one server (rediss:// for TLS), as ioredis reads it
 *   redis+sentinel://[user:pass@]s1[:26379],s2[:26379]/<master name>[/db][?sentinelPassword=…&sentinelUsername=…]
 *   redis+cluster://[user:pass@]n1[:6379],n2[:6379]  any reachable nodes of the cluster (db 0 only)
 *
 * `rediss+sentinel://` and `rediss+cluster://` speak TLS to the servers (and to the sentinels).
 * The user and password are the data servers'; a Sentinel's own ACL goes in the query.
 * WHATWG `URL` cannot read a host list with ports, so the two multi-host forms are parsed here.
 */

export interface RedisEndpoint {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
}

export type RedisTarget =
  | { mode: 'single'; url: string }
  | (Credentials & {
      mode: 'sentinel';
      tls: boolean;
      sentinels: RedisEndpoint[];
      masterName: string;
      db: number;
      sentinelUsername?: string;
      sentinelPassword?: string;
    })
  | (Credentials & { mode: 'cluster'; tls: boolean; nodes: RedisEndpoint[] });

const SINGLE_SCHEMES = ['redis', 'rediss'];
const MULTI_HOST = /^(rediss?)\+(sentinel|cluster):\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;
const SENTINEL_QUERY_KEYS = ['sentinelUsername', 'sentinelPassword'];
const MASK = '***';

export const REDIS_URL_FORMS =
  'redis://, rediss://, redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster://';

/** Reads `redis.url`; throws an Error whose message is the user-facing reason. */
export function parseRedisUrl(text: string): RedisTarget {
  const multi = MULTI_HOST.exec(text);
  if (multi === null) return parseSingle(text);
  const [, scheme = '', mode = '', authority = '', path = '', query] = multi;
  const at = authority.lastIndexOf('@');
  const credentials = at < 0 ? {} : parseUserInfo(authority.slice(0, at));
  const tls = scheme === 'rediss';
  if (mode === 'cluster') {
    if (path !== '' && path !== '/') throw new Error('a cluster URL takes no path (a cluster has db 0 only)');
    if (query !== undefined && query !== '') throw new Error('a cluster URL takes no query');
    return { mode: 'cluster', tls, nodes: parseHosts(authority.slice(at + 1), 6379), ...credentials };
  }
  const [masterName, db] = parseSentinelPath(path);
  return {
    mode: 'sentinel',
    tls,
    sentinels: parseHosts(authority.slice(at + 1), 26379),
    masterName,
    db,
    ...credentials,
    ...parseSentinelQuery(query ?? ''),
  };
}

/** Whether `text` names a Redis Cluster (keys of one mesh must then share one hash slot). */
export function isClusterUrl(text: string): boolean {
  return /^rediss?\+cluster:\/\//.test(text);
}

/**
 * On a Cluster, every key of the mesh must hash to one slot (BullMQ's multi-key scripts and the mesh's
 * own Lua scripts touch several keys at once): a prefix without a `{hash tag}` is wrapped in one.
 */
export function clusterSafePrefix(url: string, prefix: string): string {
  if (!isClusterUrl(url)) return prefix;
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix : `{${prefix}}`;
}

/** The URL with its passwords as `***` (for `config check`); a URL it cannot read is left as written. */
export function maskRedisUrl(text: string): string {
  const multi = MULTI_HOST.exec(text);
  if (multi === null) {
    if (!URL.canParse(text)) return text;
    const url = new URL(text);
    if (url.password === '') return text;
    url.password = MASK;
    return url.href;
  }
  const [, scheme = '', mode = '', authority = '', path = '', query] = multi;
  const at = authority.lastIndexOf('@');
  let userInfo = at < 0 ? '' : authority.slice(0, at);
  const colon = userInfo.indexOf(':');
  if (colon >= 0 && colon < userInfo.length - 1) userInfo = `${userInfo.slice(0, colon + 1)}${MASK}`;
  const hosts = authority.slice(at + 1);
  const maskedQuery = query?.replace(/(^|&)(sentinelPassword=)[^&]*/g, `$1$2${MASK}`);
  return `${scheme}+${mode}://${at < 0 ? '' : `${userInfo}@`}${hosts}${path}${maskedQuery === undefined ? '' : `?${maskedQuery}`}`;
}

/** Every password in the URL, as written and decoded, for the logger to redact. */
export function redisUrlSecrets(text: string): string[] {
  const multi = MULTI_HOST.exec(text);
  if (multi === null) {
    if (!URL.canParse(text)) return [];
    const { password } = new URL(text);
    return password === '' ? [] : [password, safeDecode(password)];
  }
  const [, , , authority = '', , query = ''] = multi;
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? '' : authority.slice(0, at);
  const colon = userInfo.indexOf(':');
  const raw = [
    colon < 0 ? '' : userInfo.slice(colon + 1),
    ...query
      .split('&')
      .filter((pair) => pair.startsWith('sentinelPassword='))
      .map((pair) => pair.slice('sentinelPassword='.length)),
  ].filter((secret) => secret !== '');
  return [...new Set(raw.flatMap((secret) => [secret, safeDecode(secret)]))];
}

/** `redis+cluster://n1:7000,n2:7001` without credentials or query, for log lines. */
export function describeRedisTarget(text: string): string {
  const multi = MULTI_HOST.exec(text);
  if (multi === null) {
    if (!URL.canParse(text)) return 'redis';
    const parsed = new URL(text);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  }
  const [, scheme = '', mode = '', authority = '', path = ''] = multi;
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  return `${scheme}+${mode}://${hosts}${path === '/' ? '' : path}`;
}

function parseSingle(text: string): RedisTarget {
  if (!URL.canParse(text)) throw new Error('not a URL');
  const scheme = new URL(text).protocol.slice(0, -1);
  if (!SINGLE_SCHEMES.includes(scheme)) throw new Error(`must start with ${REDIS_URL_FORMS}`);
  return { mode: 'single', url: text };
}

function parseUserInfo(userInfo: string): Credentials {
  const colon = userInfo.indexOf(':');
  const username = decode(colon < 0 ? userInfo : userInfo.slice(0, colon));
  const password = colon < 0 ? '' : decode(userInfo.slice(colon + 1));
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function parseHosts(list: string, defaultPort: number): RedisEndpoint[] {
  if (list === '') throw new Error('names no host (e.g. redis+cluster://10.0.0.1:7000,10.0.0.2:7001)');
  return list.split(',').map((entry) => parseEndpoint(entry.trim(), defaultPort));
}

function parseEndpoint(entry: string, defaultPort: number): RedisEndpoint {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+)(?::(\d+))?$/.exec(entry);
  if (match === null) throw new Error(`"${entry}" is not host[:port]`);
  const [, host = '', portText] = match;
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${entry}": port out of range`);
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

function parseSentinelPath(path: string): [string, number] {
  const [masterName = '', dbText, ...rest] = path.split('/').slice(1);
  if (masterName === '')
    throw new Error('a sentinel URL names its master: redis+sentinel://s1:26379,s2:26379/mymaster');
  if (rest.length > 0 || (dbText !== undefined && !/^\d+$/.test(dbText))) {
    throw new Error('a sentinel URL ends in /<master name>[/<db number>]');
  }
  return [decode(masterName), dbText === undefined ? 0 : Number(dbText)];
}

function parseSentinelQuery(query: string): { sentinelUsername?: string; sentinelPassword?: string } {
  const found: { sentinelUsername?: string; sentinelPassword?: string } = {};
  for (const pair of query.split('&').filter((part) => part !== '')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (!SENTINEL_QUERY_KEYS.includes(key)) {
      throw new Error(`unknown parameter "${key}" (a sentinel URL takes ${SENTINEL_QUERY_KEYS.join(', ')})`);
    }
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    if (key === 'sentinelUsername') found.sentinelUsername = value;
    else found.sentinelPassword = value;
  }
  return found;
}

/** Never names the text: it may be a password. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error('a user, password or master name is not valid percent-encoding (write % as %25)');
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
