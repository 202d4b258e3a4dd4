import { describe, expect, it } from 'vitest';
import { runCli, writeTempConfig } from '../helpers/cli.js';

describe('gpu-mesh config check', () => {
  it('exits 2 with one line naming a misspelt key', async () => {
    const path = writeTempConfig('checks:\n  intervall: 5s\n');
    const result = await runCli(['config', 'check', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('checks.intervall: unknown key');
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('exits 2 naming a node whose url is not a URL', async () => {
    const path = writeTempConfig(
      'nodes:\n  - { id: a, url: "http://127.0.0.1:1" }\n  - { id: b, url: "nope" }\n',
    );
    const result = await runCli(['config', 'check', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('gpu-mesh: config: nodes[1].url: not a URL');
  });

  it('exits 2 when the given config file does not exist', async () => {
    const result = await runCli(['config', 'check', '--config', '/nonexistent/mesh.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints the effective config with durations in ms and every secret masked', async () => {
    const path = writeTempConfig(
      [
        'server: { password: hunter2-secret }',
        'alerts:',
        '  channels:',
        '    email: { smtp: "smtp://bob:mail-pass-123@mail.example:587", from: "a@b.c", to: ["ops@b.c"] }',
        '    slack: { webhookUrl: "https://hooks.slack.com/services/T000/B000/XXXXSECRET" }',
        'nodes:',
        '  - { id: gpu1, url: "http://10.0.0.5:11434", checks: { interval: 10s } }',
      ].join('\n'),
    );
    const result = await runCli(['config', 'check', '--config', path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('interval: 10000');
    for (const secret of ['hunter2-secret', 'mail-pass-123', 'XXXXSECRET']) {
      expect(result.stdout).not.toContain(secret);
    }
    expect(result.stdout).toContain('***');
  });

  it('interpolates environment variables with their key type', async () => {
    const path = writeTempConfig(['server:', '  port: $' + '{PORT:-3000}', 'nodes: []'].join('\n'));
    const result = await runCli(['config', 'check', '--config', path], { PORT: '4123' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('port: 4123');
  });
});

describe('gpu-mesh arguments', () => {
  it('exits 2 with one line for an unknown option', async () => {
    const result = await runCli(['status', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--bogus');
  });

  it('exits 2 for an unknown role', async () => {
    const result = await runCli(['start', '--role', 'wizard']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown role "wizard"');
  });
});
