import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpu-mesh-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ONE_NODE = 'nodes: [{ id: gpu-1, url: "http://gpu-1:11434" }]\n';

describe('loadConfig', () => {
  it('reads an explicit path first', async () => {
    const file = join(dir, 'fleet.yaml');
    await writeFile(file, ONE_NODE);
    await writeFile(join(dir, 'mesh.yaml'), 'nodes: []\n');
    const loaded = await loadConfig({
      path: file,
      env: { GPU_MESH_CONFIG: join(dir, 'mesh.yaml') },
      cwd: dir,
    });
    expect(loaded.source).toBe(file);
    expect(loaded.config.nodes.map((node) => node.id)).toEqual(['gpu-1']);
  });

  it('resolves a relative path against cwd', async () => {
    await writeFile(join(dir, 'fleet.yaml'), ONE_NODE);
    const loaded = await loadConfig({ path: 'fleet.yaml', env: {}, cwd: dir });
    expect(loaded.source).toBe(join(dir, 'fleet.yaml'));
  });

  it('refuses an explicit path that does not exist', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadConfig({ path: missing, env: {}, cwd: dir })).rejects.toThrow(
      `config: ${missing}: file not found`,
    );
  });

  it('reads $GPU_MESH_CONFIG when no path is given, and refuses it when missing', async () => {
    const file = join(dir, 'env.yaml');
    await writeFile(file, ONE_NODE);
    expect((await loadConfig({ env: { GPU_MESH_CONFIG: file }, cwd: dir })).source).toBe(file);
    await expect(loadConfig({ env: { GPU_MESH_CONFIG: `${file}.old` }, cwd: dir })).rejects.toThrow(
      `config: ${file}.old: file not found`,
    );
  });

  it('reads ./mesh.yaml when nothing else is given', async () => {
    await writeFile(join(dir, 'mesh.yaml'), ONE_NODE);
    const loaded = await loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBe(join(dir, 'mesh.yaml'));
    expect(loaded.config.nodes[0]?.id).toBe('gpu-1');
  });

  it('falls back to the defaults, with no source, when there is no file at all', async () => {
    const loaded = await loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBeNull();
    expect(loaded.config.nodes.map((node) => node.id)).toEqual(['local']);
    expect(loaded.warnings).toEqual([]);
  });

  it('treats an empty file as the defaults', async () => {
    await writeFile(join(dir, 'mesh.yaml'), '');
    const loaded = await loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBe(join(dir, 'mesh.yaml'));
    expect(loaded.config.nodes.map((node) => node.id)).toEqual(['local']);
  });

  it('lets REDIS_URL, GPU_MESH_PREFIX and GPU_MESH_PASSWORD win over the file', async () => {
    await writeFile(
      join(dir, 'mesh.yaml'),
      'redis: { url: "redis://file:6379", prefix: file }\nserver: { password: file }\n',
    );
    const env = { REDIS_URL: 'redis://env:6380', GPU_MESH_PREFIX: 'env', GPU_MESH_PASSWORD: 'from-env' };
    const { config } = await loadConfig({ env, cwd: dir });
    expect(config.redis).toEqual({ url: 'redis://env:6380', prefix: 'env' });
    expect(config.server.password).toBe('from-env');
  });

  it('applies the env overrides to the defaults too', async () => {
    const { config } = await loadConfig({ env: { REDIS_URL: 'redis://env:6380' }, cwd: dir });
    expect(config.redis.url).toBe('redis://env:6380');
  });

  it('validates an override like a value from the file', async () => {
    await expect(loadConfig({ env: { REDIS_URL: 'localhost' }, cwd: dir })).rejects.toThrow(
      'config: redis.url: not a URL',
    );
  });

  it('names the file and line of a YAML syntax error', async () => {
    await writeFile(join(dir, 'mesh.yaml'), 'redis:\n  url: redis://h:6379\n\tprefix: x\n');
    await expect(loadConfig({ env: {}, cwd: dir })).rejects.toThrow(/^config: mesh\.yaml line 3: [^\n]+$/);
  });

  it('returns the empty-mesh warning', async () => {
    await writeFile(join(dir, 'mesh.yaml'), 'nodes: []\n');
    expect((await loadConfig({ env: {}, cwd: dir })).warnings).toEqual([
      'no nodes configured: the mesh is empty',
    ]);
  });
});
