/** `gpu-mesh config check`: validate, then print the effective config with secrets masked. */
import { renderConfig } from '../config/mask.js';
import { type GlobalOptions, loadCliConfig } from './context.js';

export async function runConfigCheck(options: GlobalOptions): Promise<number> {
  const { config, source, warnings } = await loadCliConfig(options);
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`# ${source ?? 'no mesh.yaml found: built-in defaults'}\n${renderConfig(config)}`);
  return 0;
}
