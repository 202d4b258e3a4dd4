/** HTTP Basic auth with a constant-time comparison; no password configured = auth off (loopback only). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function credentialsMatch(header: string | undefined, username: string, password: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Hashing first makes both sides the same length, so the comparison leaks nothing about either.
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(username));
  const passOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
  return userOk && passOk;
}

export function basicAuth(username: string, password: () => string): RequestHandler {
  return (req, res, next) => {
    const expected = password();
    if (!expected || credentialsMatch(req.headers.authorization, username, expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Basic realm="gpu-mesh", charset="UTF-8"');
    res.status(401).json({ error: 'authentication required' });
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}
