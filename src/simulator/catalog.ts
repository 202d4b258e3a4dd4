/**
 * What a simulated node says, precomputed once and shared by every node: the bodies of Ollama's
 * API (docs/api.md of ollama/ollama) as Buffers, and the pieces of `/api/ps`, whose
 * `expires_at` depends on the time of the request.
 */

const OLLAMA_VERSION = '0.12.3';

interface CatalogModel {
  name: string;
  size: number;
  digest: string;
  modifiedAt: string;
  details: {
    parent_model: string;
    format: string;
    family: string;
    families: string[];
    parameter_size: string;
    quantization_level: string;
  };
}

/** The models every simulated node has pulled (`/api/tags`); the first is loaded at start. */
export const CATALOG: readonly CatalogModel[] = [
  model(
    'llama3.2:latest',
    2019393189,
    'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    'llama',
    '3.2B',
    'Q4_K_M',
  ),
  model(
    'qwen2.5:7b',
    4683087332,
    '845dbda0ea48ed749caafd9e6037047aa19acfcfd82e704d7ca97d631a0b697e',
    'qwen2',
    '7.6B',
    'Q4_K_M',
  ),
  model(
    'mistral:latest',
    4113301824,
    'f974a74358d62a017b37c6f424fcdf2744ca02926c4f952513ddf474b2fa5091',
    'llama',
    '7.2B',
    'Q4_0',
  ),
  model(
    'nomic-embed-text:latest',
    274302450,
    '0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f',
    'nomic-bert',
    '137M',
    'F16',
  ),
];

function model(
  name: string,
  size: number,
  digest: string,
  family: string,
  parameterSize: string,
  quantization: string,
): CatalogModel {
  return {
    name,
    size,
    digest,
    modifiedAt: '2025-09-18T10:42:07.318462+02:00',
    details: {
      parent_model: '',
      format: 'gguf',
      family,
      families: [family],
      parameter_size: parameterSize,
      quantization_level: quantization,
    },
  };
}

/** The catalog index of a model name as a request spells it (`llama3.2` means `llama3.2:latest`), or -1. */
export function findModel(name: string): number {
  const full = name.includes(':') ? name : `${name}:latest`;
  return CATALOG.findIndex((entry) => entry.name === full);
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** Every catalog model installed. */
export const ALL_MODELS = (1 << CATALOG.length) - 1;

export function modelMask(names: readonly string[]): number {
  let mask = 0;
  for (const name of names) {
    const index = findModel(name);
    if (index === -1)
      throw new Error(`not a simulated model: ${name} (one of ${CATALOG.map((m) => m.name).join(', ')})`);
    mask |= 1 << index;
  }
  return mask;
}

export function modelNames(mask: number): string[] {
  return CATALOG.filter((_, index) => (mask & (1 << index)) !== 0).map((entry) => entry.name);
}

const tagsBodies = new Map<number, Buffer>();
const openAiModelBodies = new Map<number, Buffer>();

/** `/api/tags` for the models whose bit is set (made once per set of models). */
export function tagsBody(installedMask: number): Buffer {
  let body = tagsBodies.get(installedMask);
  if (body === undefined) {
    body = json({ models: CATALOG.filter((_, i) => (installedMask & (1 << i)) !== 0).map(tagEntry) });
    tagsBodies.set(installedMask, body);
  }
  return body;
}

/** `/v1/models` (OpenAI's list) for the models whose bit is set. */
export function openAiModelsBody(installedMask: number): Buffer {
  let body = openAiModelBodies.get(installedMask);
  if (body === undefined) {
    const data = CATALOG.filter((_, i) => (installedMask & (1 << i)) !== 0).map((entry) => ({
      id: entry.name,
      object: 'model',
      created: Math.floor(Date.parse(entry.modifiedAt) / 1000),
      owned_by: 'library',
    }));
    body = json({ object: 'list', data });
    openAiModelBodies.set(installedMask, body);
  }
  return body;
}

function tagEntry(entry: CatalogModel) {
  return {
    name: entry.name,
    model: entry.name,
    modified_at: entry.modifiedAt,
    size: entry.size,
    digest: entry.digest,
    details: entry.details,
  };
}

export const BODIES = {
  running: Buffer.from('Ollama is running'),
  version: json({ version: OLLAMA_VERSION }),
  // gin's answer to a route it does not know (and to a known route with another method).
  notFound: Buffer.from('404 page not found'),
  html: Buffer.from(
    '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center></body></html>\n',
  ),
  garbage: Buffer.from('{"models":[{"name":"llama3.2:latest","size":2019393189,"digest":"a80c4f17'),
  cudaError: json({ error: 'CUDA error: out of memory' }),
  // Ollama's ErrMaxQueue, two spaces included.
  busy: json({ error: 'server busy, please try again.  maximum pending requests exceeded' }),
} as const;

/** `huge` mode: an opening and a 64 KiB piece that repeats forever, never one big allocation. */
export const HUGE_OPENING = Buffer.from('{"models":[');
export const HUGE_PIECE = hugePiece(64 * 1024);

function hugePiece(bytes: number): Buffer {
  const entry = '{"name":"padding:latest","size":1},';
  return Buffer.from(entry.repeat(Math.ceil(bytes / entry.length)));
}

export type PsVariant = 'normal' | 'cpu_fallback' | 'stuck';

const FIVE_MINUTES_MS = 5 * 60_000;
// cpu_fallback: 60 % of the model fits in VRAM, the rest runs on the CPU.
const CPU_FALLBACK_VRAM_SHARE = 0.6;

// Each loaded model's entry, split around the `expires_at` value that is filled in per request.
const PS_PIECES: Record<'normal' | 'cpu_fallback', { before: string; after: string }[]> = {
  normal: CATALOG.map((entry) => psPieces(entry, entry.size)),
  cpu_fallback: CATALOG.map((entry) => psPieces(entry, Math.floor(entry.size * CPU_FALLBACK_VRAM_SHARE))),
};

function psPieces(entry: CatalogModel, sizeVram: number): { before: string; after: string } {
  const head = JSON.stringify({
    name: entry.name,
    model: entry.name,
    size: entry.size,
    digest: entry.digest,
    details: entry.details,
  });
  return {
    before: `${head.slice(0, -1)},"expires_at":"`,
    after: `","size_vram":${sizeVram},"context_length":4096}`,
  };
}

/**
 * `/api/ps` for the models whose bit is set in `loadedMask`. As on a node in use, a loaded model
 * expires 5 minutes from now; `stuck` shows it expired 5 minutes ago.
 */
export function psBody(loadedMask: number, variant: PsVariant, nowMs: number): string {
  const expiresAt = new Date(
    variant === 'stuck' ? nowMs - FIVE_MINUTES_MS : nowMs + FIVE_MINUTES_MS,
  ).toISOString();
  const pieces = PS_PIECES[variant === 'cpu_fallback' ? 'cpu_fallback' : 'normal'];
  let models = '';
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece === undefined || (loadedMask & (1 << i)) === 0) continue;
    models += `${models === '' ? '' : ','}${piece.before}${expiresAt}${piece.after}`;
  }
  return `{"models":[${models}]}`;
}
