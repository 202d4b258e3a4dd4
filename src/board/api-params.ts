/** Inputs in API paths (guarantee 10, docs/guarantees.md): a bad one is a 400 naming it, before any handler runs. */
import type { RequestParamHandler } from 'express';
import { describeInputError, nodeIdInput } from '../mesh/input.js';

/** `:id` is a node id (docs/README.md "Words"): `^[a-z0-9][a-z0-9_-]{0,63}$`. */
export const nodeIdParam: RequestParamHandler = (_req, res, next, value: unknown) => {
  const parsed = nodeIdInput.safeParse(value);
  if (parsed.success) next();
  else res.status(400).json({ error: describeInputError(parsed.error, {}, 'id') });
};
