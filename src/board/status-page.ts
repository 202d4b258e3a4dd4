/**
 * The public status page (`server.statusPage: true`; docs/http-api.md "Status page"): what a
 * stranger may see of the mesh, answered without auth — each node's name, status and 24 h uptime
 * at `/status`, and SVG badges of them to embed in READMEs and wikis. Nothing else leaves: no URL,
 * no error text, no node id in the page; an unknown node is the same 404 as any unknown path, and
 * a failure is a 503 that says no more than that.
 */
import { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import type { MeshConfig } from '../config/types.js';
import { readContext, readMesh } from '../mesh/read.js';
import { ReportStore } from '../metrics/report-store.js';
import { meshUptime, UPTIME_PERIODS } from '../metrics/uptime.js';
import type { Logger } from '../runtime/logger.js';
import { nodeIdParam } from './api-params.js';
import { notFound } from './errors.js';
import { badgeSvg } from './status-badge.js';
import { STATUS_LOOK } from './status-look.js';
import { type PublicNode, STATUS_PAGE_CSP, statusPageHtml, uptimeText } from './status-page-html.js';

export const STATUS_PATH = '/status';

export interface StatusDeps {
  config(): MeshConfig;
  /** The server's fail-fast connection (`request-redis.ts`). */
  redis: Redis;
  logger: Logger;
  now(): number;
}

/** Uptime at or above this is drawn healthy, at or above `WARN_UPTIME` degraded, below it unhealthy. */
const GOOD_UPTIME = 99;
const WARN_UPTIME = 95;

function uptimeColour(uptime: number | null): string {
  if (uptime === null) return STATUS_LOOK.unknown.colour;
  if (uptime >= GOOD_UPTIME) return STATUS_LOOK.healthy.colour;
  return uptime >= WARN_UPTIME ? STATUS_LOOK.degraded.colour : STATUS_LOOK.unhealthy.colour;
}

/** Every node of the mesh, in `/api/mesh` order, as the public may see it. */
async function readPublicNodes(deps: StatusDeps, reports: ReportStore): Promise<PublicNode[]> {
  const now = deps.now();
  const context = await readContext(deps.redis, deps.config(), now);
  const [mesh, stored] = await Promise.all([readMesh(context), reports.since(now - UPTIME_PERIODS.h24)]);
  const uptime = new Map(meshUptime(stored, context.nodes, now).map((node) => [node.id, node.h24]));
  const enabled = new Set(context.nodes.filter((node) => node.enabled).map((node) => node.id));
  return mesh.nodes.map((node) => ({
    id: node.id,
    name: node.name,
    status: enabled.has(node.id) ? node.status : 'disabled',
    uptime24h: uptime.get(node.id) ?? null,
  }));
}

/** A badge of `:id`: the label and value `draw` makes of the node, or the generic 404. */
function badge(
  deps: StatusDeps,
  reports: ReportStore,
  draw: (node: PublicNode) => { label: string; value: string; colour: string },
): RequestHandler {
  const unknown = notFound();
  return async (req, res, next) => {
    const node = (await readPublicNodes(deps, reports)).find((candidate) => candidate.id === req.params.id);
    if (!node) {
      unknown(req, res, next);
      return;
    }
    const { label, value, colour } = draw(node);
    // Embedded by other sites' pages (the server's default keeps every answer same-origin).
    res.set({ 'Cache-Control': 'no-cache', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    res.type('image/svg+xml').send(badgeSvg(label, value, colour));
  };
}

/** A failure says nothing of its cause to the public; the log has it. */
function publicErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ err: message, path: req.path }, `HTTP ${req.method} ${req.path} failed: ${message}`);
    res.status(503).json({ error: 'status unavailable' });
  };
}

export function statusRouter(deps: StatusDeps): Router {
  const reports = new ReportStore(deps.redis, deps.config().redis.prefix);
  const router = Router();
  router.param('id', nodeIdParam);
  router.get('/', async (_req, res) => {
    const nodes = await readPublicNodes(deps, reports);
    res.set({ 'Content-Security-Policy': STATUS_PAGE_CSP, 'Cache-Control': 'no-store' });
    res.type('html').send(statusPageHtml(nodes, new Date(deps.now())));
  });
  router.get(
    '/badge/:id/status.svg',
    badge(deps, reports, (node) => ({
      label: node.name,
      value: node.status,
      colour: STATUS_LOOK[node.status].colour,
    })),
  );
  router.get(
    '/badge/:id/uptime.svg',
    badge(deps, reports, (node) => ({
      label: `${node.name} uptime 24 h`,
      value: uptimeText(node.uptime24h),
      colour: uptimeColour(node.uptime24h),
    })),
  );
  router.use(publicErrors(deps.logger));
  return router;
}
