/**
 * The routes the gateway answers from its own view of the mesh, in the shapes Ollama answers them
 * (docs/api.md, docs/openai.md): the models installed on the nodes it routes to, each once; the
 * loaded models, each with the node that holds it; a version every one of them supports. Pure.
 */
import type { RouteTable } from './route-table.js';

/** `GET /api/tags`: each model by name (sizes and details: ask a node). */
export function tagsAnswer(table: RouteTable): string {
  return JSON.stringify({ models: table.servedModels().map((name) => ({ name, model: name })) });
}

/** `GET /v1/models`: OpenAI's list; `owned_by` is the name's namespace, as Ollama writes it. */
export function openAiModelsAnswer(table: RouteTable): string {
  const data = table.servedModels().map((id) => ({ id, object: 'model', created: 0, owned_by: ownerOf(id) }));
  return JSON.stringify({ object: 'list', data });
}

/** `GET /api/ps`: every loaded model of the nodes routed to, each with its `node`. */
export function psAnswer(table: RouteTable): string {
  const models = table.loadedModels().map(({ name, sizeVram, node }) => ({
    name,
    model: name,
    size_vram: sizeVram,
    node,
  }));
  return JSON.stringify({ models });
}

/** `GET /api/version`: the lowest version among the nodes routed to (what all of them can do). */
export function versionAnswer(table: RouteTable): string {
  const versions = table.ollamaVersionsServing().sort(compareVersions);
  return JSON.stringify({ version: versions[0] ?? '0.0.0' });
}

function ownerOf(name: string): string {
  const parts = name.split('/');
  return parts.length >= 2 ? (parts[parts.length - 2] as string) : 'library';
}

/** Orders `0.9.1` before `0.12.3` (numeric parts; anything else compares as text). */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.-]/);
  const right = b.split(/[.-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const difference = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (difference !== 0) return difference;
  }
  return 0;
}
