/**
 * Who may use the gateway. With `apiKeys`, every route but `/healthz` and `/readyz` needs
 * `Authorization: Bearer <key>` (compared in constant time). Without keys the gateway listens on
 * loopback only (the config refuses otherwise) and, as Ollama does, answers only requests whose
 * `Host` is a loopback name, so a web page cannot reach it through DNS rebinding.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export type AccessVerdict = 'ok' | 'unauthorized' | 'forbidden_host';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export class Access {
  private readonly digests: Buffer[];
  /** The last Host judged and the verdict: clients send the same one on every request. */
  private lastHost: string | undefined = undefined;
  private lastHostAllowed = false;

  constructor(apiKeys: readonly string[]) {
    this.digests = apiKeys.map(digest);
  }

  check(req: http.IncomingMessage): AccessVerdict {
    if (this.digests.length === 0) {
      const host = req.headers.host;
      if (host !== this.lastHost) {
        this.lastHost = host;
        this.lastHostAllowed = isLoopbackHost(host);
      }
      return this.lastHostAllowed ? 'ok' : 'forbidden_host';
    }
    const header = req.headers.authorization;
    if (header === undefined || !/^bearer /i.test(header)) return 'unauthorized';
    const presented = digest(header.slice(7).trim());
    let match = false;
    for (const known of this.digests) match = timingSafeEqual(known, presented) || match;
    return match ? 'ok' : 'unauthorized';
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** `localhost`, `127.x.y.z` or `[::1]`, with or without a port; a missing Host is a local client. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '') return true;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return LOOPBACK_HOSTS.has(name.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(name);
}
