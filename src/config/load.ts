import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';
import type { Env } from './interpolate.js';
import { type ParsedConfig, parseConfigText } from './parse.js';
import { passwordFromFile } from './password-file.js';

/** Parsing without a file, for tests and `config check` of given text. */
export { parseConfigText } from './parse.js';

export interface LoadConfigOptions {
  /** `--config PATH`; a path given but missing is an error. */
  path?: string | undefined;
  /** Read for `GPU_MESH_CONFIG`, `${VAR}` references and the overrides (`REDIS_URL`, ...). */
  env: Env;
  /** Where `./mesh.yaml` is looked for, and relative paths are resolved from. */
  cwd: string;
}

export interface LoadedConfig extends ParsedConfig {
  /** The absolute path of the file read, or null when no file was found (all defaults). */
  source: string | null;
}

const DEFAULT_FILE_NAME = 'mesh.yaml';

/** `--config PATH`, else `$GPU_MESH_CONFIG`, else `<cwd>/mesh.yaml` if present, else the defaults. */
export async function loadConfig({ path, env, cwd }: LoadConfigOptions): Promise<LoadedConfig> {
  const explicit = path || env.GPU_MESH_CONFIG || undefined;
  const name = explicit ?? DEFAULT_FILE_NAME;
  const source = resolve(cwd, name);
  const text = await readConfigFile(source, name, { required: explicit !== undefined });
  const sourceName = text === undefined ? 'defaults' : name;
  const parsed = parseConfigText(text ?? '', env, sourceName);
  const file = env.GPU_MESH_PASSWORD_FILE;
  if (parsed.config.server.password !== '' || !file) {
    return { ...parsed, source: text === undefined ? null : source };
  }
  // No password in the environment or the file: the one kept in $GPU_MESH_PASSWORD_FILE.
  const { password, notices } = await keptPassword(resolve(cwd, file));
  const withPassword = parseConfigText(text ?? '', { ...env, GPU_MESH_PASSWORD: password }, sourceName);
  return {
    ...withPassword,
    warnings: [...notices, ...withPassword.warnings],
    source: text === undefined ? null : source,
  };
}

async function keptPassword(path: string): Promise<{ password: string; notices: string[] }> {
  const { password, generated } = await passwordFromFile(path);
  const notices = generated
    ? [
        `server.password: none was set, so a random one was generated and kept in ${path} (set GPU_MESH_PASSWORD to choose your own)`,
      ]
    : [];
  return { password, notices };
}

async function readConfigFile(file: string, name: string, { required }: { required: boolean }) {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new ConfigError(name, READ_ERRORS[code ?? ''] ?? (error as Error).message, { cause: error });
  }
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'file not found',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
};
