import { describe, expect, it } from 'vitest';
import { diffNodes } from '../../src/config/diff.js';
import { parseConfigText } from '../../src/config/parse.js';
import type { NodeConfig } from '../../src/config/types.js';

function nodes(yaml: string): NodeConfig[] {
  return parseConfigText(`nodes:\n${yaml}`, {}, 'mesh.yaml').config.nodes;
}

const A = '  - { id: a, url: "http://a:1" }\n';
const B = '  - { id: b, url: "http://b:1" }\n';
const C = '  - { id: c, url: "http://c:1" }\n';

describe('diffNodes', () => {
  it('finds nothing between equal lists', () => {
    expect(diffNodes(nodes(A + B), nodes(A + B))).toEqual({ added: [], removed: [], changed: [] });
  });

  it('finds added and removed nodes by id', () => {
    const after = nodes(B + C);
    const diff = diffNodes(nodes(A + B), after);
    expect(diff.added.map((node) => node.id)).toEqual(['c']);
    expect(diff.removed.map((node) => node.id)).toEqual(['a']);
    expect(diff.changed).toEqual([]);
  });

  it('reports a node with any field changed, in its new version', () => {
    const after = nodes(`${A}  - { id: b, url: "http://b:1", checks: { deep: { every: 1m } } }\n`);
    const diff = diffNodes(nodes(A + B), after);
    expect(diff.changed).toEqual([after[1]]);
    expect(diff.added).toEqual([]);
  });

  it('does not count a new order as a change', () => {
    expect(diffNodes(nodes(A + B), nodes(B + A))).toEqual({ added: [], removed: [], changed: [] });
  });
});
