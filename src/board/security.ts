/**
 * Security headers on every answer (what helmet would set, for what this server serves), and a
 * refusal of cross-site writes: with HTTP Basic auth the browser sends the credentials along with a
 * form another site makes it post, so a write must come from our own pages or from a non-browser
 * client (which sends neither `Origin` nor `Sec-Fetch-Site`).
 */
import type { RequestHandler } from 'express';

/** JSON and text answers load nothing; the dashboard and Bull Board set their own policy. */
export const LOCKED_DOWN_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Bull Board's UI: its own scripts and styles (it uses inline style attributes), nothing from elsewhere. */
export const BULL_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': LOCKED_DOWN_CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function refuseCrossSiteWrites(): RequestHandler {
  return (req, res, next) => {
    if (
      SAFE_METHODS.has(req.method) ||
      isSameSite(req.headers.origin, req.headers['sec-fetch-site'], req.headers.host)
    ) {
      next();
      return;
    }
    res.status(403).json({ error: 'cross-site request refused' });
  };
}

/**
 * A browser's `Sec-Fetch-Site` (which no page can forge) decides when present, so a proxy that
 * rewrites `Host` does not break our own pages; older browsers are judged by `Origin` against `Host`.
 */
function isSameSite(
  origin: string | undefined,
  fetchSite: string | string[] | undefined,
  host: string | undefined,
): boolean {
  if (fetchSite !== undefined) return fetchSite === 'same-origin' || fetchSite === 'none';
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
