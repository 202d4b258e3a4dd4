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

/**
 * Both credentials come from one snapshot of `server.*`, taken when the server starts (docs/configuration.md: those
 * keys are read at start only), so a reload can never pair one config's user with another's password.
 */
export function basicAuth(credentials: {
  readonly username: string;
  readonly password: string;
}): RequestHandler {
  const { username, password } = credentials;
  return (req, res, next) => {
    if (credentialsMatch(req.headers.authorization, username, password)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Basic realm="gpu-mesh", charset="UTF-8"');
    res.status(401).json({ error: 'authentication required' });
  };
}
