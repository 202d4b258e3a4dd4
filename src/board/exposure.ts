/**
 * Who may reach the server when no password is set (docs/http-api.md "Auth", guarantee 7). With
 * `server.password` empty, auth is off, so the server must listen on loopback only, and it must
 * answer only requests addressed to loopback by name: a page on `attacker.example` whose DNS
 * answer is re-bound to 127.0.0.1 reaches our port from the victim's browser, but its requests
 * still carry `Host: attacker.example`.
 */
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';

/** The server settings these rules read (one snapshot taken at start: `server.*` is start-only). */
export interface ServerExposure {
  host: string;
  password: string;
}

/**
 * Whether `host` (a bind address) is loopback: an IPv4 address in 127.0.0.0/8, `::1`, an IPv4-mapped
 * `::ffff:127.x.y.z`, or the name `localhost`. Judged by address, not by prefix: `127.evil.example`
 * is a name any DNS may point anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (name.toLowerCase() === 'localhost') return true;
  switch (isIP(name)) {
    case 4:
      return name.split('.')[0] === '127';
    case 6:
      return isLoopbackIpv6(name);
    default:
      return false;
  }
}

/** `::1`, or `::ffff:127.x.y.z` in any spelling (the URL parser writes IPv6 in one canonical form). */
function isLoopbackIpv6(address: string): boolean {
  if (address.includes('%')) return false; // a zone id: link-local, never loopback
  const canonical = new URL(`http://[${address}]`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/**
 * Why these settings must not serve, or null when they may: with no password the server may only
 * listen on loopback. `startServer` refuses such settings, `gpu-mesh start` says so before
 * starting anything, and a reload can ask the same question of a new config.
 */
export function openServerProblem(server: ServerExposure): string | null {
  if (server.password || isLoopbackHost(server.host)) return null;
  return `server.host: ${server.host} is not loopback and server.password is empty (set GPU_MESH_PASSWORD)`;
}

/** The `Host` names a browser uses for a loopback server; any port. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The host part of a `Host` header, lower-cased (`[::1]:3000` -> `[::1]`), or null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header.trim());
  return match?.[1]?.toLowerCase() ?? null;
}

/** Whether a request's `Host` header names loopback: `127.0.0.1`, `[::1]` or `localhost`, any port. */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  const name = hostName(header);
  return name !== null && LOOPBACK_NAMES.has(name);
}

/** With auth off: a request whose `Host` is not a loopback name is refused (DNS rebinding). */
export function refuseForeignHosts(): RequestHandler {
  return (req, res, next) => {
    if (isLoopbackHostHeader(req.headers.host)) {
      next();
      return;
    }
    res.status(403).json({
      error: 'Host not allowed: without server.password only 127.0.0.1, [::1] and localhost are answered',
    });
  };
}
