import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpu-mesh-password-'));
  file = join(dir, 'password');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = (env: Record<string, string>, yaml = 'nodes: [{ id: a, url: "http://a:1" }]\n') =>
  writeFile(join(dir, 'mesh.yaml'), yaml).then(() => loadConfig({ env, cwd: dir }));

describe('GPU_MESH_PASSWORD_FILE', () => {
  it('generates a random password once, kept in the file (0600), and says where, never what', async () => {
    const first = await load({ GPU_MESH_PASSWORD_FILE: file });
    const password = first.config.server.password;
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await readFile(file, 'utf8')).trim()).toBe(password);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.warnings.join('\n')).toContain(file);
    expect(first.warnings.join('\n')).not.toContain(password);

    const second = await load({ GPU_MESH_PASSWORD_FILE: file });
    expect(second.config.server.password).toBe(password);
    expect(second.warnings).toEqual([]);
  });

  it('agrees on one password when several processes start at once', async () => {
    const loaded = await Promise.all(Array.from({ length: 8 }, () => load({ GPU_MESH_PASSWORD_FILE: file })));
    expect(new Set(loaded.map((one) => one.config.server.password)).size).toBe(1);
  });

  it('gives way to GPU_MESH_PASSWORD and to a password in mesh.yaml, creating nothing', async () => {
    expect(
      (await load({ GPU_MESH_PASSWORD_FILE: file, GPU_MESH_PASSWORD: 'mine' })).config.server.password,
    ).toBe('mine');
    const fromYaml = await load(
      { GPU_MESH_PASSWORD_FILE: file },
      'server: { password: from-yaml }\nnodes: []\n',
    );
    expect(fromYaml.config.server.password).toBe('from-yaml');
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });

  it('refuses an empty file with one line naming the variable', async () => {
    await writeFile(file, '\n');
    await expect(load({ GPU_MESH_PASSWORD_FILE: file })).rejects.toThrow(
      `config: GPU_MESH_PASSWORD_FILE: ${file} is empty (delete it to have one generated)`,
    );
  });
});
