/** What every command shares: config lookup (`--config`) and the process environment. */
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { MeshConfig } from '../config/types.js';
import { UserError } from './errors.js';

export interface GlobalOptions {
  config?: string;
}

export interface LoadedCliConfig {
  config: MeshConfig;
  source: string | null;
  warnings: string[];
  reload(): Promise<MeshConfig>;
}

export async function loadCliConfig(options: GlobalOptions): Promise<LoadedCliConfig> {
  const load = () => loadConfig({ path: options.config, env: process.env, cwd: process.cwd() });
  try {
    const loaded = await load();
    return { ...loaded, reload: async () => (await load()).config };
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, 2);
    throw error;
  }
}
