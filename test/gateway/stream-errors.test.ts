import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/gateway/mesh-answers.js';
import { inBandError, streamFormatOf } from '../../src/gateway/stream-errors.js';

const bytes = (text: string) => Buffer.from(text);

describe('inBandError', () => {
  it('ends NDJSON with an error line, closing a line cut in the middle first', () => {
    expect(inBandError('ndjson', 'gone', bytes('{"response":"a"}\n'))).toBe('{"error":"gone"}\n');
    expect(inBandError('ndjson', 'gone', bytes('{"respo'))).toBe('\n{"error":"gone"}\n');
  });

  it('ends server-sent events with an OpenAI error event, after a blank line', () => {
    const event = 'data: {"error":{"message":"gone","type":"api_error","param":null,"code":null}}\n\n';
    expect(inBandError('sse', 'gone', bytes('data: {}\n\n'))).toBe(event);
    expect(inBandError('sse', 'gone', bytes('data: {}\n'))).toBe(`\n${event}`);
    expect(inBandError('sse', 'gone', bytes('data: {'))).toBe(`\n\n${event}`);
  });

  it('has nothing to add to a body in another format', () => {
    expect(inBandError('other', 'gone', null)).toBeNull();
  });

  it('reads the format from the content type', () => {
    expect(streamFormatOf('application/x-ndjson')).toBe('ndjson');
    expect(streamFormatOf('text/event-stream; charset=utf-8')).toBe('sse');
    expect(streamFormatOf('application/json; charset=utf-8')).toBe('other');
    expect(streamFormatOf(undefined)).toBe('other');
  });
});

describe('compareVersions', () => {
  it('orders numerically, part by part', () => {
    expect(['0.12.3', '0.9.1', '0.12.10', '0.12.3-rc1'].sort(compareVersions)).toEqual([
      '0.9.1',
      '0.12.3',
      '0.12.3-rc1',
      '0.12.10',
    ]);
  });
});
