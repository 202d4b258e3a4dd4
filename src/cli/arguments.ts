/**
 * Command-line inputs checked with the same zod definitions the HTTP API uses (`mesh/input.ts`):
 * a bad one is one line naming the argument, exit 2 (guarantee 10, docs/guarantees.md).
 */
import type * as z from 'zod';
import { describeInputError, nodeIdInput, parseInput } from '../mesh/input.js';
import { UserError } from './errors.js';

/**
 * Parses `value` with `schema`. A refusal names the field as the command line spells it: `names`
 * maps schema fields to options (`for` -> `--for`); `whole` names a value checked as one (`NODE`).
 */
export function parseArguments<T extends z.ZodType>(
  schema: T,
  value: unknown,
  names: Readonly<Record<string, string>>,
  whole = 'arguments',
): z.output<T> {
  return parseInput(schema, value, (error) => new UserError(describeInputError(error, names, whole), 2));
}

/** The `NODE` argument: a node id (docs/README.md "Words"). */
export function parseNodeArgument(nodeId: string): string {
  return parseArguments(nodeIdInput, nodeId, {}, 'NODE');
}
