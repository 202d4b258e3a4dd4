import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { maskText, Secrets, safeUrl, secretValues } from '../../src/config/secrets.js';

const RECOVERY_URL = 'https://restart:pw-rec-77@cloud.example/v1/hooks/tok-path-5e1?sig=tok-query-9a2';

const TEXT = `
server: { password: "srv-Pa55word" }
heartbeat: { url: "https://hc-ping.example/heartbeat-uuid-123" }
alerts:
  channels:
    email: { smtp: "smtp://alerts:smtp-s3cret@mail.example:587", from: a@b.c, to: [ops@b.c] }
    webhook: { url: "https://alerts.example/hook?token=webhook-token-abc", headers: { Authorization: "Bearer hdr-tok-31" } }
nodes:
  - id: gpu-1
    url: "http://ollama:node-basic-pw@gpu-1:11434"
    recovery: { kind: http, url: "${RECOVERY_URL}", headers: { X-Key: "rec-header-key" }, body: "rec-body-x" }
  - id: gpu-2
    url: "http://node-token-only@gpu-2:11434"
`;

const { config } = parseConfigText(TEXT, {}, 'mesh.yaml');

describe('secretValues', () => {
  it('collects every secret of the config, and no user name that has a password', () => {
    const values = secretValues(config);
    expect(values).toEqual(
      expect.arrayContaining([
        'srv-Pa55word',
        'https://hc-ping.example/heartbeat-uuid-123',
        'smtp://alerts:smtp-s3cret@mail.example:587',
        'https://alerts.example/hook?token=webhook-token-abc',
        'Bearer hdr-tok-31',
        'hdr-tok-31',
        'node-basic-pw',
        'node-token-only',
        RECOVERY_URL,
        'rec-header-key',
        'rec-body-x',
      ]),
    );
    expect(values).not.toContain('ollama');
  });

  it('takes the values of authorizing headers, not of those that describe the request', () => {
    const withTypes = parseConfigText(
      [
        'alerts: { channels: { webhook: { url: "https://alerts.example/hook", headers: { Content-Type: application/json, X-Api-Key: k3y-value-9 } } } }',
        'nodes: [{ id: a, url: "http://a:1", recovery: { kind: http, url: "https://r.example/x", headers: { accept: text/plain, Authorization: "Basic dXNlcjpwdw==" } } }]',
      ].join('\n'),
      {},
      'test.yaml',
    ).config;
    const values = secretValues(withTypes);
    expect(values).toEqual(expect.arrayContaining(['k3y-value-9', 'Basic dXNlcjpwdw==', 'dXNlcjpwdw==']));
    expect(values).not.toContain('application/json');
    expect(values).not.toContain('text/plain');
  });
});

describe('Secrets', () => {
  const secrets = new Secrets(config);

  it('masks the path, query and credentials of a secret URL wherever they show up alone', () => {
    const text = `GET /v1/hooks/tok-path-5e1?sig=tok-query-9a2 then sig=tok-query-9a2 as restart:pw-rec-77`;
    expect(secrets.mask(text)).toBe('GET *** then *** as ***');
  });

  it('masks a secret JSON-escaped (once and twice), percent-encoded and decoded', () => {
    const odd = Secrets.from(['pa"ss\\word', 'p%40ss-w0rd']);
    const once = JSON.stringify({ msg: 'x pa"ss\\word y' });
    expect(odd.mask(once)).toBe('{"msg":"x *** y"}');
    expect(odd.mask(JSON.stringify({ err: once }))).not.toContain('ss\\');
    expect(odd.mask('p@ss-w0rd and pa%22ss%5Cword')).toBe('*** and ***');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    expect(maskText('key=abcdef123', ['abc', 'abcdef123'])).toBe('key=***');
  });

  it('leaves secrets shorter than three characters alone', () => {
    expect(maskText('a=1', ['1'])).toBe('a=1');
  });

  it('takes the secrets of the new config on update, and drops the old ones', () => {
    const live = new Secrets(parseConfigText('', {}, 'mesh.yaml').config);
    expect(live.mask('pw srv-Pa55word')).toBe('pw srv-Pa55word');
    live.update(config);
    expect(live.mask('pw srv-Pa55word')).toBe('pw ***');
    live.update(parseConfigText('server: { password: "other-pw-1" }', {}, 'mesh.yaml').config);
    expect(live.mask('srv-Pa55word other-pw-1')).toBe('srv-Pa55word ***');
  });
});

describe('safeUrl', () => {
  it('shows a URL without its user:password, otherwise as written', () => {
    expect(safeUrl('http://user:pass@gpu-1:11434')).toBe('http://gpu-1:11434');
    expect(safeUrl('http://tok@gpu-1:11434/ollama')).toBe('http://gpu-1:11434/ollama');
    expect(safeUrl('http://127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
  });

  it('masks the path and query when they may carry a token', () => {
    expect(safeUrl(RECOVERY_URL, { path: 'mask' })).toBe('https://cloud.example/***');
    expect(safeUrl('https://cloud.example/', { path: 'mask' })).toBe('https://cloud.example/');
  });

  it('can mask the password (else the user) instead of dropping it', () => {
    expect(safeUrl('http://ollama:pw@gpu-1:11434', { userinfo: 'mask' })).toBe(
      'http://ollama:***@gpu-1:11434',
    );
    expect(safeUrl('http://tok@gpu-1:11434', { userinfo: 'mask' })).toBe('http://***@gpu-1:11434');
  });

  it('reads a backslash as the parser does, and shows text that is not a URL as ***', () => {
    expect(safeUrl('http://u:p@host\\@evil/x')).not.toContain('u:p');
    expect(safeUrl('not a url')).toBe('***');
    expect(safeUrl('')).toBe('');
  });
});
