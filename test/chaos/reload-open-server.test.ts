/**
 * A reload cannot switch auth off: saving mesh.yaml with `server.host: 0.0.0.0` and an empty
 * password while `gpu-mesh start` runs is refused as a whole (ERROR naming the key), and the API
 * keeps asking for credentials.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/private-redis.js';
import { writeTempConfig } from '../helpers/cli.js';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type Cleanup, logLines, runCleanups, startMesh, tail } from './support.js';

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

describe('a reload that would open the server', () => {
  it('is refused, and the API still needs the password', async () => {
    const port = await freePort();
    const yaml = (server: string) =>
      `redis: { url: "${testRedisUrl()}", prefix: ${uniquePrefix()} }\nserver: ${server}\nnodes: []\n`;
    const path = writeTempConfig(yaml(`{ host: 127.0.0.1, port: ${port}, password: s3cret-pw }`));
    const mesh = startMesh(cleanups, ['--role', 'server', '--config', path]);
    const api = `http://127.0.0.1:${port}/api/mesh`;
    await waitFor(() => logLines(mesh, 'server listening').length > 0, 'the server to listen', 20_000);
    expect((await fetch(api)).status).toBe(401);

    writeFileSync(path, yaml(`{ host: 0.0.0.0, port: ${port}, password: "" }`));
    const refused = await waitFor(
      () => logLines(mesh, 'read at start only')[0],
      `the reload to be refused\n${tail(mesh)}`,
      10_000,
    );
    expect(JSON.parse(refused)).toMatchObject({ severity: 'ERROR' });
    expect(refused).toContain('server.host');
    expect(logLines(mesh, 'config reloaded')).toEqual([]);
    expect((await fetch(api)).status).toBe(401);
    const authorized = await fetch(api, {
      headers: { authorization: `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}` },
    });
    expect(authorized.status).not.toBe(401);
    expect(mesh.output()).not.toContain('s3cret-pw');
  });
});
