/**
 * The last handlers of the app: an unknown route is a 404 JSON answer; an error is a JSON answer
 * with one line saying what went wrong (never a stack), 500 unless it carries a 4xx status (a body
 * that is not JSON, say), or 503 `redis unavailable` when Redis could not be reached (Guarantee 9).
 * Server errors are logged.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../runtime/logger.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from './request-redis.js';

/** Also answers for a mounted router, hence the path in full (its mount point, then its own). */
export function notFound(): RequestHandler {
  return (req, res) => {
    res.status(404).json({ error: `not found: ${req.method} ${req.baseUrl}${req.path}` });
  };
}

export function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Answered already (a deadline's 503, a stream under way): what failed after that has no one
      // to tell; an unfinished answer is cut so that the client does not take it for a whole one.
      if (!res.writableEnded) res.destroy();
      return;
    }
    if (isRedisUnavailable(error)) {
      res.status(503).json(REDIS_UNAVAILABLE);
      return;
    }
    const status = clientStatus(error) ?? 500;
    const message = oneLine(error);
    if (status >= 500)
      logger.error(
        { err: message, method: req.method, path: req.path },
        `HTTP ${req.method} ${req.path} failed: ${message}`,
      );
    res.status(status).json({ error: status >= 500 ? `internal error: ${message}` : message });
  };
}

function clientStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : null;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
