import { isDeepStrictEqual } from 'node:util';
import type { NodeConfig } from './types.js';

export interface NodesDiff {
  /** In `after` only, in `after`'s order. */
  added: NodeConfig[];
  /** In `before` only, in `before`'s order. */
  removed: NodeConfig[];
  /** Same id, any field different: the `after` version, in `after`'s order. */
  changed: NodeConfig[];
}

/** What a reload does to the nodes, matched by id. */
export function diffNodes(before: readonly NodeConfig[], after: readonly NodeConfig[]): NodesDiff {
  const beforeById = new Map(before.map((node) => [node.id, node]));
  const afterIds = new Set(after.map((node) => node.id));
  return {
    added: after.filter((node) => !beforeById.has(node.id)),
    removed: before.filter((node) => !afterIds.has(node.id)),
    changed: after.filter((node) => {
      const previous = beforeById.get(node.id);
      return previous !== undefined && !isDeepStrictEqual(previous, node);
    }),
  };
}
