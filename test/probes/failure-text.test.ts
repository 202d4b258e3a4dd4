import { describe, expect, it } from 'vitest';
import {
  describeHttpError,
  describeTransportError,
  formatByteLimit,
  looksLikeHtml,
  oneLine,
} from '../../src/probes/failure-text.js';

describe('describeHttpError', () => {
  it("uses Ollama's error message", () => {
    expect(
      describeHttpError(500, 'application/json', '{"error":"CUDA error: out of memory"}', '/api/tags'),
    ).toBe('HTTP 500: CUDA error: out of memory');
  });

  it('reads an HTML error page as its title', () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    expect(describeHttpError(502, 'text/html', page, '/api/version')).toBe(
      'HTTP 502: 502 Bad Gateway (an HTML page)',
    );
  });

  it('puts a plain body on one line, cut to about 200 characters', () => {
    const message = describeHttpError(
      500,
      'text/plain',
      `first line\nsecond line ${'x'.repeat(400)}`,
      '/api/ps',
    );
    expect(message).toMatch(/^HTTP 500: first line second line x+…$/);
    expect(message.length).toBeLessThan(220);
  });

  it('says so when the body is empty', () => {
    expect(describeHttpError(502, '', '', '/api/tags')).toBe('HTTP 502 from /api/tags (empty body)');
  });

  it('uses the body as it is when its error field is not a string', () => {
    expect(describeHttpError(500, 'application/json', '{"error":{"code":1}}', '/api/ps')).toBe(
      'HTTP 500: {"error":{"code":1}}',
    );
  });
});

describe('describeTransportError', () => {
  it('names the usual socket errors in plain words', () => {
    expect(describeTransportError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1')).toBe(
      'connection refused',
    );
    expect(describeTransportError('ECONNRESET', 'socket hang up')).toBe('connection reset');
    expect(describeTransportError('ENOTFOUND', 'getaddrinfo ENOTFOUND gpu-9')).toBe('host not found');
    expect(describeTransportError('EHOSTUNREACH', 'connect EHOSTUNREACH')).toBe('host unreachable');
  });

  it('calls a certificate problem a TLS error', () => {
    expect(describeTransportError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')).toBe(
      'TLS error: self-signed certificate',
    );
  });

  it('keeps the code of an error it does not know', () => {
    expect(describeTransportError('EWEIRD', 'something\nodd')).toBe(
      'connection error: something odd (EWEIRD)',
    );
  });
});

describe('looksLikeHtml', () => {
  it('trusts the content type, then the first character', () => {
    expect(looksLikeHtml('text/html; charset=utf-8', 'x')).toBe(true);
    expect(looksLikeHtml('application/json', '  \n<!DOCTYPE html>')).toBe(true);
    expect(looksLikeHtml('application/json', '{"a":1}')).toBe(false);
    expect(looksLikeHtml('', '')).toBe(false);
  });
});

describe('oneLine', () => {
  it('collapses whitespace', () => {
    expect(oneLine('  a\r\n\tb  ')).toBe('a b');
  });
});

describe('formatByteLimit', () => {
  it('writes whole MiB and KiB as such', () => {
    expect(formatByteLimit(1024 * 1024)).toBe('1 MiB');
    expect(formatByteLimit(64 * 1024)).toBe('64 KiB');
    expect(formatByteLimit(1000)).toBe('1000 bytes');
  });
});
