import { mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type ConfigWatcher, watchConfigFile } from '../../src/config/reload.js';
import type { MeshConfig } from '../../src/config/types.js';

/** Polls `condition` until it holds, failing after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const nodeFile = (id: string) => `nodes: [{ id: ${id}, url: "http://${id}:11434" }]\n`;

let dir: string;
let file: string;
let watcher: ConfigWatcher | undefined;
let changes: MeshConfig[];
let errors: Error[];
let loads: number;

async function startWatching(): Promise<void> {
  const load = async () => {
    loads += 1;
    return (await loadConfig({ path: file, env: {}, cwd: dir })).config;
  };
  const initial = await load();
  watcher = watchConfigFile({
    path: file,
    initial,
    load,
    onChange: (next) => changes.push(next),
    onError: (error) => errors.push(error),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpu-mesh-reload-'));
  file = join(dir, 'mesh.yaml');
  changes = [];
  errors = [];
  loads = 0;
  await writeFile(file, nodeFile('a'));
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

const nodeIds = (config: MeshConfig | undefined) => config?.nodes.map((node) => node.id);

describe('watchConfigFile', () => {
  it('reports a changed file with the new config', async () => {
    await startWatching();
    await writeFile(file, nodeFile('b'));
    await waitFor(() => changes.length > 0);
    expect(nodeIds(changes.at(-1))).toEqual(['b']);
    expect(errors).toEqual([]);
  });

  it('follows a file replaced by rename, as editors save', async () => {
    await startWatching();
    await writeFile(join(dir, '.mesh.yaml.swp'), nodeFile('c'));
    await rename(join(dir, '.mesh.yaml.swp'), file);
    await waitFor(() => changes.length > 0);
    expect(nodeIds(changes.at(-1))).toEqual(['c']);
  });

  it('reports an invalid file as an error and keeps the config in force', async () => {
    await startWatching();
    await writeFile(file, 'nodes: [{ id: a, url: nope }]\n');
    await waitFor(() => errors.length > 0);
    expect(errors[0]?.message).toBe('config: nodes[0].url: not a URL');
    expect(changes).toEqual([]);

    await writeFile(file, nodeFile('d'));
    await waitFor(() => changes.length > 0);
    expect(nodeIds(changes[0])).toEqual(['d']);
  });

  it('ignores a touch that leaves the config as it was', async () => {
    await startWatching();
    await writeFile(file, nodeFile('a'));
    await utimes(file, new Date(), new Date());
    await waitFor(() => loads > 1);
    await watcher?.reload(); // queued behind the load the touch started
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('reloads on demand (SIGHUP) and reports only a real change', async () => {
    let current = (await loadConfig({ env: {}, cwd: dir })).config;
    watcher = watchConfigFile({
      path: null,
      initial: current,
      load: async () => current,
      onChange: (next) => changes.push(next),
      onError: (error) => errors.push(error),
    });
    await watcher.reload();
    expect(changes).toEqual([]);
    current = { ...current, nodes: [] };
    await watcher.reload();
    expect(changes).toEqual([current]);
  });

  it('without a file watches nothing, and reports the first load when not told the config in force', async () => {
    const load = async () => (await loadConfig({ env: {}, cwd: dir })).config;
    watcher = watchConfigFile({
      path: null,
      load,
      onChange: (next) => changes.push(next),
      onError: (e) => errors.push(e),
    });
    await watcher.reload();
    expect(changes).toHaveLength(1);
  });
});
