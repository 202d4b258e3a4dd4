import { describe, expect, it } from 'vitest';
import { maskConfig, renderConfig, secretValues } from '../../src/config/mask.js';
import { parseConfigText } from '../../src/config/parse.js';

describe('gateway API keys', () => {
  const { config } = parseConfigText(
    'gateway: { apiKeys: [key-one-secret, key-two-secret] }\nnodes: []',
    {},
    'mesh.yaml',
  );

  it('are secrets: masked wherever they show up', () => {
    expect(secretValues(config)).toEqual(expect.arrayContaining(['key-one-secret', 'key-two-secret']));
  });

  it('print as *** in config check', () => {
    expect(maskConfig(config).gateway.apiKeys).toEqual(['***', '***']);
    expect(renderConfig(config)).not.toMatch(/key-(one|two)-secret/);
  });
});
