/**
 * A mesh for the server tests: simulated nodes, auth on (admin / the password below), fast stats
 * and dashboard intervals, optionally a node recovered by an agent (for its `agent-<id>` queue), and
 * optionally nodes that heal as the demo's do.
 */
import { restartThroughControl } from '../../src/cli/demo.js';
import type { MeshConfig } from '../../src/config/types.js';
import type { Role, RunningService } from '../../src/main.js';
import { type Simulator, startSimulator } from '../../src/simulator/index.js';
import { startServiceFromYaml } from '../helpers/mesh.js';
import { connectTestRedis, dropPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

export const USERNAME = 'admin';
export const PASSWORD = 'correct horse battery';
export const AGENT_NODE = 'gpu-agent';

export interface BoardMesh {
  service: RunningService;
  simulator: Simulator;
  config: MeshConfig;
  prefix: string;
  url: string;
  logs: string[];
  /** fetch against the server with the right credentials. */
  get(path: string, init?: RequestInit): Promise<Response>;
  /** GET `path` with the right credentials, as JSON. */
  json<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface BoardMeshOptions {
  nodes?: number;
  /** The `checks:` block, indented by two spaces. */
  checks?: string;
  /** Extra top-level YAML (not `checks`, `server` or `nodes`). */
  extraYaml?: string;
  roles?: Role[];
  withAgentNode?: boolean;
  /** Runs before the service starts (e.g. to kill a node from the first check on). */
  beforeStart?(simulator: Simulator): Promise<void>;
  /** Another Redis than the shared test one (a private one a test stops). */
  redisUrl?: string;
  /** `server.password`; "" turns auth off (loopback only). */
  password?: string;
  /** `server.statusPage`: the public status page and badges. */
  statusPage?: boolean;
  /** Extra fields of a node's entry, by node id (e.g. `checks: { interval: 1h }`). */
  nodeYaml?: Readonly<Record<string, string>>;
  /**
   * Nodes that heal as `start --demo`'s do: each one's recovery is the demo's `http` action
   * (`restartThroughControl`), sent to the simulator's control endpoint, or to `hookUrl`, a stand-in
   * that takes the same requests (a restart that takes a while, say).
   */
  heal?: { hookUrl?: string };
}

export function basicAuth(username = USERNAME, password = PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function boardYaml(prefix: string, simulator: Simulator, options: BoardMeshOptions): string {
  const agent = options.withAgentNode
    ? [
        `  - id: ${AGENT_NODE}`,
        '    url: "http://127.0.0.1:9"',
        '    enabled: false',
        '    recovery: { kind: agent, command: [systemctl, restart, ollama] }',
      ]
    : [];
  return [
    `redis: { url: "${options.redisUrl ?? testRedisUrl()}", prefix: ${prefix} }`,
    `checks:\n${options.checks ?? '  interval: 1s\n  retryInterval: 250ms\n  timeout: 500ms'}`,
    `server: { host: 127.0.0.1, port: 0, username: ${USERNAME}, password: "${options.password ?? PASSWORD}", statusPage: ${options.statusPage ?? false} }`,
    options.extraYaml ?? 'stats: { interval: 300ms, retain: 1h }\ndashboard: { interval: 300ms }',
    'nodes:',
    ...simulator.nodes.map((node) => {
      const extra = [options.nodeYaml?.[node.id], healingYaml(simulator, node.id, options.heal)]
        .filter((field) => field !== undefined)
        .map((field) => `, ${field}`)
        .join('');
      return `  - { id: ${node.id}, url: "${node.url}"${extra} }`;
    }),
    ...agent,
  ].join('\n');
}

/** The node's `recovery:` (JSON is YAML) when the mesh heals. */
function healingYaml(simulator: Simulator, id: string, heal: BoardMeshOptions['heal']): string | undefined {
  const hook = heal?.hookUrl ?? simulator.controlUrl;
  if (!heal || !hook) return undefined;
  return `recovery: ${JSON.stringify(restartThroughControl(hook, id))}`;
}

export async function startBoardMesh(options: BoardMeshOptions = {}): Promise<BoardMesh> {
  const prefix = uniquePrefix();
  const simulator = await startSimulator({
    count: options.nodes ?? 2,
    controlPort: options.heal ? 0 : undefined,
  });
  await options.beforeStart?.(simulator);
  const { service, config, logs } = await startServiceFromYaml(boardYaml(prefix, simulator, options), {
    roles: options.roles,
  });
  const url = service.server?.url ?? '';
  return {
    service,
    simulator,
    config,
    prefix,
    url,
    logs,
    get: (path, init = {}) =>
      fetch(`${url}${path}`, { ...init, headers: { authorization: basicAuth(), ...init.headers } }),
    json: async <T>(path: string) =>
      (await (await fetch(`${url}${path}`, { headers: { authorization: basicAuth() } })).json()) as T,
    async stop() {
      await service.close();
      await simulator.close();
      if (options.redisUrl) return; // a private Redis goes with its test
      const redis = connectTestRedis();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export interface SentEvent {
  event: string;
  data: unknown;
}

export interface EventStream {
  /** Resolves with the first event matching `test` received since `after` (a `mark()`; default: since opening). */
  next(
    test: (event: SentEvent) => boolean,
    options?: { after?: number; timeoutMs?: number },
  ): Promise<SentEvent>;
  /** How many events have been received so far. */
  mark(): number;
  close(): void;
}

/** Reads `/api/events` as a browser's EventSource would. */
export async function openEvents(mesh: BoardMesh): Promise<EventStream> {
  const abort = new AbortController();
  const response = await mesh.get('/api/events', { signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`/api/events answered ${response.status}`);
  const received: SentEvent[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) received.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted
    }
  })();
  return {
    next: (test, { after = 0, timeoutMs = 10_000 } = {}) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = received.slice(after).find(test);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms (got ${received.length} events)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    mark: () => received.length,
    close: () => abort.abort(),
  };
}
