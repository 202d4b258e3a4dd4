import { describe, expect, it } from 'vitest';
import {
  InvalidBodyError,
  parseExpiry,
  parsePsBody,
  parseTagsBody,
  parseVersionBody,
} from '../../src/probes/ollama-bodies.js';

function problemOf(parse: () => unknown): { problem: string; message: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidBodyError) return { problem: error.problem, message: error.message };
    throw error;
  }
  throw new Error('expected the body to be refused');
}

const psModel = {
  name: 'llama3.2:latest',
  model: 'llama3.2:latest',
  size: 5137025024,
  digest: '2ae6f6dd7a3dd734790bbbf58b8909a606e0e7e97e94b7604e0aa7ae4490e6d8',
  details: { format: 'gguf', family: 'llama' },
  expires_at: '2024-06-04T14:38:31.83753-07:00',
  size_vram: 5137025024,
};

describe('parseVersionBody', () => {
  it('reads the version string', () => {
    expect(parseVersionBody('{"version":"0.12.3"}')).toBe('0.12.3');
  });

  it('refuses a body that is not JSON', () => {
    expect(problemOf(() => parseVersionBody('<html>'))).toEqual({ problem: 'json', message: 'not JSON' });
  });

  it('names a missing version', () => {
    expect(problemOf(() => parseVersionBody('{}')).message).toBe('version is missing');
  });

  it('names a version of the wrong type', () => {
    expect(problemOf(() => parseVersionBody('{"version":12}')).message).toBe('version is not a string');
  });

  it('refuses JSON that is not an object', () => {
    expect(problemOf(() => parseVersionBody('[1,2]')).message).toBe('body is not an object');
    expect(problemOf(() => parseVersionBody('null')).message).toBe('body is not an object');
  });
});

describe('parseTagsBody', () => {
  it('reads the model names and ignores fields it does not use', () => {
    const body = JSON.stringify({
      models: [{ name: 'a:latest', size: 1, extra: true }, { name: 'b:7b' }],
      more: 1,
    });
    expect(parseTagsBody(body)).toEqual(['a:latest', 'b:7b']);
  });

  it('accepts a node with no models', () => {
    expect(parseTagsBody('{"models":[]}')).toEqual([]);
  });

  it('names models that is not an array', () => {
    expect(problemOf(() => parseTagsBody('{"models":null}')).message).toBe('models is not an array');
    expect(problemOf(() => parseTagsBody('{"data":[]}')).message).toBe('models is missing');
  });

  it('names the model entry without a name', () => {
    expect(problemOf(() => parseTagsBody('{"models":[{"name":"a"},{"size":1}]}')).message).toBe(
      'models[1].name is missing',
    );
  });
});

describe('parsePsBody', () => {
  it('reads each loaded model with its sizes and expiry in UTC', () => {
    expect(parsePsBody(JSON.stringify({ models: [psModel] }))).toEqual([
      {
        name: 'llama3.2:latest',
        size: 5137025024,
        sizeVram: 5137025024,
        expiresAt: '2024-06-04T21:38:31.837Z',
      },
    ]);
  });

  it('reads an empty list when nothing is loaded', () => {
    expect(parsePsBody('{"models":[]}')).toEqual([]);
  });

  it('names a size_vram that is not a number', () => {
    const body = JSON.stringify({ models: [{ ...psModel, size_vram: '5137025024' }] });
    expect(problemOf(() => parsePsBody(body)).message).toBe('models[0].size_vram is not a number');
  });

  it('names a missing size', () => {
    const { size: _size, ...withoutSize } = psModel;
    expect(problemOf(() => parsePsBody(JSON.stringify({ models: [psModel, withoutSize] }))).message).toBe(
      'models[1].size is missing',
    );
  });

  it('names an expires_at that is not a date', () => {
    const body = JSON.stringify({ models: [{ ...psModel, expires_at: 'soon' }] });
    expect(problemOf(() => parsePsBody(body)).message).toBe('models[0].expires_at is not a date');
  });

  it('names an entry that is not an object', () => {
    expect(problemOf(() => parsePsBody('{"models":["llama3.2"]}')).message).toBe(
      'models[0] is not an object',
    );
  });
});

describe('parseExpiry', () => {
  it("reads Go's zero time as never", () => {
    expect(parseExpiry('0001-01-01T00:00:00Z')).toBeNull();
  });

  it('reads a time centuries away (keep_alive < 0) as never', () => {
    expect(parseExpiry('2318-04-11T23:47:16.854775807+00:00')).toBeNull();
  });

  it('keeps a real time, in UTC', () => {
    expect(parseExpiry('2026-01-01T01:00:00+01:00')).toBe('2026-01-01T00:00:00.000Z');
  });
});
