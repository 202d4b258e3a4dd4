import { ConfigError } from './errors.js';
import { formatPath, isMapping, type TreePath } from './tree.js';

/** The environment, passed in by the caller (the CLI hands over `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-fallback}` in every string of the tree (keys are left alone).
 * As in the shell, the fallback is used when VAR is unset or empty. The result is still text:
 * the schema turns it into its key's type (`port: ${PORT:-3000}` becomes the number 3000).
 */
export function interpolateEnv(tree: unknown, env: Env, path: TreePath = []): unknown {
  if (typeof tree === 'string') return interpolateText(tree, env, path);
  if (Array.isArray(tree)) return tree.map((item, index) => interpolateEnv(item, env, [...path, index]));
  if (isMapping(tree)) {
    return Object.fromEntries(
      Object.entries(tree).map(([key, value]) => [key, interpolateEnv(value, env, [...path, key])]),
    );
  }
  return tree;
}

function interpolateText(text: string, env: Env, path: TreePath): string {
  return text.replace(REFERENCE, (_reference, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && (value !== '' || fallback === undefined)) return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(formatPath(path), `environment variable ${name} is not set`);
  });
}
