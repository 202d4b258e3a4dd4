/**
 * What a route needs before it can do anything, checked once, the way bull-board's handlers wrap
 * theirs (`queueProvider(jobProvider(handler))`): a provider answers the request itself when what
 * it provides is missing (404 unknown node, 400 naming the bad query field) and otherwise calls the
 * handler with it added to what the handler was given.
 *
 *   router.get('/nodes/:id/timeline', route(withQuery(schema, withMeshNode(deps, handler))))
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type * as z from 'zod';
import type { MeshConfig, NodeConfig } from '../config/types.js';
import { describeInputError } from '../mesh/input.js';
import { type ReadContext, readContext } from '../mesh/read.js';
import type { NodeInfo } from '../mesh/registry.js';

export type Handler<Given> = (req: Request, res: Response, given: Given) => Promise<void> | void;

interface ReadDeps {
  config(): MeshConfig;
  now(): number;
  redis: Redis;
}

/** The express handler of a provided handler that starts with nothing given. */
export function route(handler: Handler<Record<never, never>>): RequestHandler {
  return async (req, res) => {
    await handler(req, res, {});
  };
}

/** The query, parsed by `schema` (a strict object refuses unknown fields); else 400 naming the field. */
export function withQuery<S extends z.ZodType, Given = Record<never, never>>(
  schema: S,
  handler: Handler<NoInfer<Given> & { query: z.output<S> }>,
): Handler<Given> {
  return async (req, res, given) => {
    const parsed = schema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: describeInputError(parsed.error, {}, 'query') });
      return;
    }
    await handler(req, res, { ...given, query: parsed.data });
  };
}

/** `:id` among the nodes the mesh checks (as its scheduler published them), read now; else 404. */
export function withMeshNode<Given = Record<never, never>>(
  deps: ReadDeps,
  handler: Handler<NoInfer<Given> & { context: ReadContext; node: NodeInfo }>,
): Handler<Given> {
  return async (req, res, given) => {
    const context = await readContext(deps.redis, deps.config(), deps.now());
    const node = context.nodes.find((candidate) => candidate.id === req.params.id);
    if (!node) {
      unknownNode(req, res);
      return;
    }
    await handler(req, res, { ...given, context, node });
  };
}

/** `:id` as this process's config has it (its checks, its recovery); else 404. */
export function withConfiguredNode<Given = Record<never, never>>(
  deps: { config(): MeshConfig },
  handler: Handler<NoInfer<Given> & { node: NodeConfig }>,
): Handler<Given> {
  return async (req, res, given) => {
    const node = deps.config().nodes.find((candidate) => candidate.id === req.params.id);
    if (!node) {
      unknownNode(req, res);
      return;
    }
    await handler(req, res, { ...given, node });
  };
}

function unknownNode(req: Request, res: Response): void {
  res.status(404).json({ error: `unknown node: ${req.params.id}` });
}
