/**
 * The parsed YAML tree before validation: plain mappings, lists and scalars, addressed by paths
 * such as `nodes[1].url` in every message a user sees.
 */
export type TreePath = readonly PropertyKey[];

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `['nodes', 1, 'url']` -> `nodes[1].url`. */
export function formatPath(path: TreePath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
