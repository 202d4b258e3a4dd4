/**
 * Simulated Ollama nodes for demos, tests and benchmarks: each one its own HTTP server answering
 * Ollama's API, switchable into the failures a fleet sees (`SimMode`). One process serves
 * thousands: the nodes share one request listener and precomputed bodies.
 */
import type http from 'node:http';
import { modelMask, modelNames } from './catalog.js';
import { controlUrlOf, startControlServer } from './control.js';
import { isSimMode, type SimMode } from './modes.js';
import { SimNode } from './node.js';
import { type StreamSettings, withStreamChanges } from './streaming.js';

export type { SimMode } from './modes.js';
export { SIM_MODES } from './modes.js';
export type { StreamSettings } from './streaming.js';

export interface SimulatorOptions {
  /** How many nodes: `sim-1` … `sim-<count>`. */
  count: number;
  /** The first node's port; node i listens on port + i. 0 or absent: ephemeral ports. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Port of the control endpoint (0: ephemeral); absent: no control endpoint. */
  controlPort?: number;
}

export interface ModelChange {
  installed?: readonly string[];
  loaded?: readonly string[];
}

export interface SimulatedNode {
  id: string;
  url: string;
  port: number;
}

export interface Simulator {
  nodes: SimulatedNode[];
  controlUrl: string | null;
  /** Resolves once the node is in the mode (for `dead`: no longer listening, connections reset). */
  setMode(id: string, mode: SimMode, options?: { delayMs?: number }): Promise<void>;
  /**
   * Which catalog models the node has pulled (`/api/tags`) and which are in memory (`/api/ps`);
   * either left out stays as it is. A loaded model is always an installed one.
   */
  setModels(id: string, models: ModelChange): void;
  /** The node's models now. */
  models(id: string): { installed: string[]; loaded: string[] };
  /** How the node generates from now on (the settings left out stay). */
  setStream(id: string, changes: Partial<StreamSettings>): void;
  /** Requests the node received so far, by path. */
  requests(id: string): Record<string, number>;
  /** Inference answers the node began whose client went away before the end. */
  aborted(id: string): number;
  close(): Promise<void>;
}

const MAX_PORT = 65535;

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { count, port = 0, host = '127.0.0.1' } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`simulator: count must be a positive integer, got ${count}`);
  if (port !== 0 && port + count - 1 > MAX_PORT) {
    throw new Error(`simulator: ports ${port}..${port + count - 1} go past ${MAX_PORT}`);
  }
  const nodes: SimNode[] = [];
  const byId = new Map<string, SimNode>();
  for (let i = 0; i < count; i++) {
    const node = new SimNode(`sim-${i + 1}`, host, port === 0 ? 0 : port + i);
    nodes.push(node);
    byId.set(node.id, node);
  }
  const find = (id: string): SimNode => {
    const node = byId.get(id);
    if (node === undefined) throw new Error(`simulator: unknown node ${id}`);
    return node;
  };
  const setMode = async (
    id: string,
    mode: SimMode,
    modeOptions: { delayMs?: number } = {},
  ): Promise<void> => {
    if (!isSimMode(mode)) throw new Error(`simulator: unknown mode ${String(mode)}`);
    await find(id).setMode(mode, modeOptions.delayMs);
  };
  const closeNodes = () => Promise.all(nodes.map((node) => node.close()));
  const setModels = (id: string, change: ModelChange): void => {
    const node = find(id);
    const installed = change.installed === undefined ? node.installedMask : modelMask(change.installed);
    const loaded = change.loaded === undefined ? node.loadedMask : modelMask(change.loaded);
    node.installedMask = installed;
    node.loadedMask = loaded & installed;
  };
  const setStream = (id: string, changes: Partial<StreamSettings>): void => {
    const node = find(id);
    node.stream = withStreamChanges(node.stream, changes);
  };

  let control: http.Server | null = null;
  try {
    await Promise.all(nodes.map((node) => node.listen()));
    if (options.controlPort !== undefined) {
      control = await startControlServer(
        { list: () => nodes, find: (id) => byId.get(id), setMode, setModels, setStream },
        host,
        options.controlPort,
      );
    }
  } catch (error) {
    await closeNodes();
    throw error;
  }

  return {
    nodes: nodes.map(({ id, url, port: nodePort }) => ({ id, url, port: nodePort })),
    controlUrl: control === null ? null : controlUrlOf(control, host),
    setMode,
    setModels,
    models: (id) => {
      const node = find(id);
      return { installed: modelNames(node.installedMask), loaded: modelNames(node.loadedMask) };
    },
    setStream,
    requests: (id) => ({ ...find(id).requests }),
    aborted: (id) => find(id).aborted,
    async close() {
      if (control !== null) {
        const server = control;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      await closeNodes();
    },
  };
}
