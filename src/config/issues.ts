import { type Document, isMap, isScalar, isSeq } from 'yaml';
import type * as z from 'zod';
import { formatPath, type TreePath } from './tree.js';

/*
 * Zod's issues, turned into the one line a user reads: `nodes[1].url: not a URL`.
 * Messages set on a schema (`not a URL`, `not a duration ...`) win over `describeIssue`.
 */

export interface Problem {
  path: TreePath;
  problem: string;
}

/** The per-parse error map: a short reason for zod's generic issues. */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : describeWrongType(issue.expected, issue.input);
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'string') return 'must not be empty';
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.join(', ')}`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options)
        ? `must be one of ${issue.options.join(', ')}`
        : 'not a valid value';
    case 'unrecognized_keys':
      return 'unknown key';
    default:
      return undefined;
  }
}

function describeWrongType(expected: string, input: unknown): string {
  const hint =
    expected === 'string' && (typeof input === 'number' || typeof input === 'boolean') ? ' (quote it)' : '';
  return `expected ${EXPECTED[expected] ?? expected}, got ${kindOf(input)}${hint}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}

/** The issue that comes first in the file; an unknown key is reported at the key itself. */
export function firstProblem(issues: readonly z.core.$ZodIssue[], doc: Document): Problem | undefined {
  const problems = issues.flatMap((issue): Problem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], problem: 'unknown key' }))
      : [{ path: issue.path, problem: issue.message }],
  );
  const offsets = new Map(problems.map((problem) => [problem, offsetInDocument(doc, problem.path)]));
  return problems.sort((a, b) => (offsets.get(a) ?? 0) - (offsets.get(b) ?? 0))[0];
}

/** Where the deepest part of `path` present in the file starts (values set by env or defaults are not). */
function offsetInDocument(doc: Document, path: TreePath): number {
  let node: unknown = doc.contents;
  let offset = 0;
  for (const segment of path) {
    const next = childOf(node, segment);
    if (next === undefined) break;
    offset = next.offset ?? offset;
    node = next.node;
  }
  return offset;
}

function childOf(
  node: unknown,
  segment: PropertyKey,
): { node: unknown; offset: number | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
    return pair && { node: pair.value, offset: isScalar(pair.key) ? pair.key.range?.[0] : undefined };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item: unknown = node.items[segment];
    return { node: item, offset: isScalar(item) || isMap(item) || isSeq(item) ? item.range?.[0] : undefined };
  }
  return undefined;
}

export function describePath(path: TreePath, sourceName: string): string {
  return path.length === 0 ? sourceName : formatPath(path);
}
