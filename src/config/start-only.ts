/**
 * Keys read at start only. A reload may not change them: the server's address, credentials and
 * public status page (so that no edit of mesh.yaml can open the dashboard, switch auth off or make
 * anything public while it runs) and where the mesh lives in Redis (the connections are made once).
 * A reload that changes any of them is refused as a whole, naming the key, and the running config stays.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from './errors.js';
import type { MeshConfig } from './types.js';

const START_ONLY_KEYS = [
  ['server', 'host'],
  ['server', 'port'],
  ['server', 'username'],
  ['server', 'password'],
  ['server', 'statusPage'],
  ['redis', 'url'],
  ['redis', 'prefix'],
  ['gateway', 'host'],
  ['gateway', 'port'],
  ['gateway', 'apiKeys'],
] as const;

/** The first start-only key whose value differs between the two configs, as `section.key`, or null. */
export function changedStartOnlyKey(running: MeshConfig, next: MeshConfig): string | null {
  for (const [section, key] of START_ONLY_KEYS) {
    const before: unknown = (running[section] as Record<string, unknown>)[key];
    const after: unknown = (next[section] as Record<string, unknown>)[key];
    if (!isDeepStrictEqual(before, after)) return `${section}.${key}`;
  }
  return null;
}

/** Throws a ConfigError (never quoting a value: passwords are among these keys) when `next` changes one. */
export function refuseStartOnlyChanges(running: MeshConfig, next: MeshConfig): void {
  const key = changedStartOnlyKey(running, next);
  if (key !== null) throw new ConfigError(key, 'read at start only, restart to change it');
}
