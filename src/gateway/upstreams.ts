/**
 * One undici Pool per node: keep-alive connections reused across requests, as many at once as
 * requests need (a stream holds its connection to the end). A node URL's path is kept as a prefix
 * (an Ollama behind a proxy path) and its user:password becomes a Basic Authorization header.
 */
import { Pool } from 'undici';

/** A node that accepts no connection within this long is failed over (its refusal is instant). */
const CONNECT_TIMEOUT_MS = 5000;
/** Idle keep-alive connections to a node are kept this long (Ollama never closes them first). */
const KEEP_ALIVE_MS = 60_000;

export interface Upstream {
  pool: Pool;
  /** The URL's path without its trailing slash ('' for none). */
  basePath: string;
  /** The request headers every proxied request sends this node (with Basic auth from the URL's user:password). */
  headers: Record<string, string>;
}

export class Upstreams {
  private readonly byUrl = new Map<string, Upstream>();

  /** The node's pool, made on first use. */
  get(url: string): Upstream {
    let upstream = this.byUrl.get(url);
    if (upstream === undefined) {
      upstream = open(url);
      this.byUrl.set(url, upstream);
    }
    return upstream;
  }

  /** Closes the pools of URLs no longer in use (after their requests end). */
  retain(urls: ReadonlySet<string>): void {
    for (const [url, upstream] of this.byUrl) {
      if (urls.has(url)) continue;
      this.byUrl.delete(url);
      upstream.pool.close().catch(() => undefined);
    }
  }

  /** Ends every connection now (requests still running fail). */
  async close(): Promise<void> {
    const pools = [...this.byUrl.values()].map((upstream) => upstream.pool);
    this.byUrl.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}

function open(text: string): Upstream {
  const url = new URL(text);
  const authorization =
    url.username === ''
      ? null
      : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const pool = new Pool(url.origin, {
    connect: { timeout: CONNECT_TIMEOUT_MS },
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: 10 * KEEP_ALIVE_MS,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  return { pool, basePath: url.pathname.replace(/\/+$/, ''), headers };
}
