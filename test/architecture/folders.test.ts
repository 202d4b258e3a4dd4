/**
 * The folders of src/ and the imports between them, at run time (`import type` carries no code:
 * the domain's vocabulary of types may be named anywhere). A folder-level cycle means two rooms
 * that cannot be understood apart: there is none, and this test keeps it so, and keeps every
 * import pointing down the order of the rooms.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

const IMPORT =
  /^(?:import|export)(\s+type\b)?[^'";]*?\bfrom\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? (parts[0] as string) : '(root)';
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (match[1]) continue;
      const target = normalize(join(dirname(file), (match[2] ?? match[3]) as string));
      const to = folderOf(target);
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** Edges whose ends lie in one strongly connected component (Tarjan). */
function cycleEdges(graph: Map<string, Set<string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const component = new Map<string, number>();
  const stack: string[] = [];
  let counter = 0;
  let components = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (!component.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      for (;;) {
        const member = stack.pop() as string;
        component.set(member, components);
        if (member === node) break;
      }
      components += 1;
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  const edges: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) if (component.get(from) === component.get(to)) edges.push(`${from} -> ${to}`);
  }
  return edges.sort();
}

/**
 * The rooms bottom first, as docs/architecture.md draws them: a folder imports only folders of
 * the rows above its own. A new folder takes a row here before it can import anything.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['runtime'],
  ['values'],
  ['mesh'],
  ['alerts'],
  ['metrics', 'probes', 'simulator', 'config'],
  ['jobs'],
  ['manual', 'recovery', 'watch', 'gateway'],
  ['workers', 'agent'],
  ['board'],
  ['roles'],
  ['(root)'],
  ['cli'],
];

function layerOf(folder: string): number {
  return LAYERS.findIndex((row) => row.includes(folder));
}

describe('the folders of src/', () => {
  it('import only the rooms below them', () => {
    const upward = [...folderGraph()].flatMap(([from, targets]) =>
      [...targets]
        .filter((to) => layerOf(from) === -1 || !(layerOf(to) < layerOf(from)))
        .map((to) => `${from} -> ${to}`),
    );
    expect(upward).toEqual([]);
  });

  it('import one another without a cycle', () => {
    expect(cycleEdges(folderGraph())).toEqual([]);
  });

  it('keep roles/ and main.ts at the top: nothing imports them', () => {
    const graph = folderGraph();
    const importers = [...graph].filter(([, targets]) => targets.has('roles')).map(([from]) => from);
    expect(importers.filter((from) => from !== '(root)')).toEqual([]);
  });
});
