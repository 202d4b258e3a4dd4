import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { RouteTable } from '../../src/gateway/route-table.js';
import type { NodeRouting } from '../../src/mesh/routing.js';

const nodes = (yaml: string) => parseConfigText(`nodes:\n${yaml}`, {}, 'mesh.yaml').config.nodes;
const two = nodes(
  '  - { id: a, url: "http://a:1" }\n  - { id: b, url: "http://b:1", gateway: { weight: 2 } }',
);

function routing(id: string, v: number, fields: Partial<NodeRouting> = {}): NodeRouting {
  return {
    id,
    v,
    status: 'healthy',
    installed: ['llama3.2:latest'],
    loaded: [],
    latencyMs: 4,
    ollama: '0.12.3',
    ...fields,
  };
}

describe('RouteTable', () => {
  it('indexes enabled nodes by the models they have installed, names in full', () => {
    const table = new RouteTable();
    table.configure(two);
    table.apply(routing('a', 1, { installed: ['llama3.2', 'mistral:latest'] }));
    table.apply(routing('b', 1));
    expect(table.nodesWith('llama3.2:latest').map((node) => node.id)).toEqual(['a', 'b']);
    expect(table.nodesWith('mistral:latest').map((node) => node.id)).toEqual(['a']);
    expect(table.find('b')?.weight).toBe(2);
  });

  it('ignores routing older than what it applied', () => {
    const table = new RouteTable();
    table.configure(two);
    table.apply(routing('a', 5, { status: 'unhealthy' }));
    table.apply(routing('a', 4, { status: 'healthy' }));
    expect(table.find('a')?.status).toBe('unhealthy');
    table.apply(routing('a', 6, { status: 'healthy' }));
    expect(table.find('a')?.status).toBe('healthy');
  });

  it('keeps what it knows of a node through a reload, and forgets a removed one', () => {
    const table = new RouteTable();
    table.configure(two);
    table.apply(routing('a', 3, { loaded: [{ name: 'llama3.2:latest', sizeVram: 7 }] }));
    table.configure(nodes('  - { id: a, url: "http://a:2", gateway: { maxInFlight: 4 } }'));
    expect(table.find('a')).toMatchObject({ url: 'http://a:2', maxInFlight: 4, status: 'healthy' });
    expect(table.loadedModels()).toEqual([{ name: 'llama3.2:latest', sizeVram: 7, node: 'a' }]);
    expect(table.find('b')).toBeUndefined();
    table.apply(routing('b', 1));
    expect(table.ids()).toEqual(['a']);
  });

  it('offers the models of serving nodes only: not silenced, not disabled, healthy or degraded', () => {
    const table = new RouteTable();
    table.configure(
      nodes(
        '  - { id: a, url: "http://a:1" }\n  - { id: b, url: "http://b:1" }\n  - { id: c, url: "http://c:1", enabled: false }',
      ),
    );
    table.apply(routing('a', 1, { installed: ['x:latest'], status: 'degraded' }));
    table.apply(routing('b', 1, { installed: ['y:latest'] }));
    table.apply(routing('c', 1, { installed: ['z:latest'] }));
    expect(table.servedModels()).toEqual(['x:latest', 'y:latest']);
    table.setSilenced(new Set(['b']));
    expect(table.servedModels()).toEqual(['x:latest']);
    table.apply(routing('a', 2, { installed: ['x:latest'], status: 'unhealthy' }));
    expect(table.servedModels()).toEqual([]);
    expect(table.ollamaVersionsServing()).toEqual([]);
  });
});
