import { type Document, parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { type Env, interpolateEnv } from './interpolate.js';
import { describeIssue, describePath, firstProblem } from './issues.js';
import { meshConfigSchema } from './schema.js';
import { isMapping } from './tree.js';
import type { MeshConfig } from './types.js';

export interface ParsedConfig {
  config: MeshConfig;
  /** Valid but worth a WARNING in the log, e.g. an empty mesh. */
  warnings: string[];
}

/** Environment variables that win over the file: [variable, section, key]. */
const ENV_OVERRIDES = [
  ['REDIS_URL', 'redis', 'url'],
  ['GPU_MESH_PREFIX', 'redis', 'prefix'],
  ['GPU_MESH_PASSWORD', 'server', 'password'],
] as const;

/**
 * mesh.yaml text -> the effective config: YAML, `${VAR}` interpolation, env overrides, schema.
 * Empty text means all defaults. Throws a ConfigError naming `sourceName` or the key at fault.
 */
export function parseConfigText(text: string, env: Env, sourceName: string): ParsedConfig {
  const doc = parseYaml(text, sourceName);
  const tree = withEnvOverrides(interpolateEnv(withoutNullValues(toPlainTree(doc, sourceName)), env), env);
  const result = meshConfigSchema.safeParse(tree, { error: describeIssue });
  if (!result.success) {
    const first = firstProblem(result.error.issues, doc);
    throw new ConfigError(describePath(first?.path ?? [], sourceName), first?.problem ?? 'invalid');
  }
  const warnings = result.data.nodes.length === 0 ? ['no nodes configured: the mesh is empty'] : [];
  return { config: result.data, warnings };
}

function parseYaml(text: string, sourceName: string): Document {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.code;
    throw new ConfigError(line === undefined ? sourceName : `${sourceName} line ${line}`, reason);
  }
  return doc;
}

function toPlainTree(doc: Document, sourceName: string): unknown {
  try {
    return doc.toJS() ?? {};
  } catch (error) {
    // e.g. an alias to an anchor defined later, or too many aliases
    throw new ConfigError(sourceName, (error as Error).message, { cause: error });
  }
}

/** `key:` with nothing after it reads as "not set", so the key takes its default. */
function withoutNullValues(tree: unknown): unknown {
  if (Array.isArray(tree)) return tree.map(withoutNullValues);
  if (!isMapping(tree)) return tree;
  return Object.fromEntries(
    Object.entries(tree)
      .filter(([, value]) => value !== null)
      .map(([key, value]) => [key, withoutNullValues(value)]),
  );
}

function withEnvOverrides(tree: unknown, env: Env): unknown {
  if (!isMapping(tree)) return tree;
  const result = { ...tree };
  for (const [variable, section, key] of ENV_OVERRIDES) {
    const value = env[variable];
    const current = result[section] ?? {};
    if (value === undefined || value === '' || !isMapping(current)) continue;
    result[section] = { ...current, [key]: value };
  }
  return result;
}
