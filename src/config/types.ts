import type { ChannelsConfig } from '../alerts/channels/registry.js';

/**
 * The effective configuration, after interpolation, defaults and validation.
 * Every duration is in milliseconds. Field names are the `mesh.yaml` keys of docs/configuration.md.
 */
export interface DeepCheckConfig {
  /** 0 = off. */
  every: number;
  /** "" = a model already loaded on the node. */
  model: string;
  timeout: number;
  failAfter: number;
}

export interface ChecksConfig {
  interval: number;
  timeout: number;
  retryInterval: number;
  degradedAfter: number;
  unhealthyAfter: number;
  healthyAfter: number;
  deep: DeepCheckConfig;
}

export type RecoveryAction =
  | { kind: 'none' }
  | { kind: 'command'; command: string[]; timeout: number }
  | { kind: 'ssh'; host: string; command: string[]; timeout: number }
  | {
      kind: 'http';
      url: string;
      method: string;
      headers: Record<string, string>;
      body: string;
      timeout: number;
    }
  | { kind: 'agent'; command: string[]; timeout: number };

export interface NodeConfig {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  tags: string[];
  /** The node's effective checks: mesh-wide `checks` with the node's own overrides applied. */
  checks: ChecksConfig;
  recovery: RecoveryAction;
  gateway: NodeGatewayConfig;
}

/** A node's own `gateway:` settings. */
export interface NodeGatewayConfig {
  /** Relative capacity (default 1). */
  weight: number;
  /** Requests in flight through one gateway process at most; 0 = no cap. */
  maxInFlight: number;
}

/** `gateway:` (docs/gateway.md); durations in ms, `maxBody` in bytes. */
export interface GatewayConfig {
  enabled: boolean;
  host: string;
  port: number;
  apiKeys: string[];
  route: 'least-busy' | 'affinity' | 'round-robin';
  affinity: { prefixChars: number; maxLoad: number };
  attempts: number;
  headerTimeout: { warm: number; cold: number };
  idleTimeout: number;
  maxBody: number;
}

export interface MeshConfig {
  redis: { url: string; prefix: string };
  checks: ChecksConfig;
  keepalive: { interval: number; watch: boolean; staleAfter: number; warm: string[] };
  recovery: { attempts: number; backoff: number; verifyTimeout: number; maxPerHour: number };
  stats: { interval: number; retain: number };
  heartbeat: { url: string; interval: number };
  dashboard: { interval: number };
  alerts: {
    criticalAfter: number;
    repeatEvery: number;
    flapping: { changes: number; window: number };
    massFailure: { ratio: number; minNodes: number };
    /** Each channel's settings, as its module declares them (`alerts/channels/registry.ts`). */
    channels: ChannelsConfig;
    /** The longest silence a person may set. */
    maxSilence: number;
  };
  gateway: GatewayConfig;
  server: {
    host: string;
    port: number;
    username: string;
    password: string;
    /** The public status page and badges at `/status`, answered without auth (docs/http-api.md). */
    statusPage: boolean;
  };
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'; file: string };
  nodes: NodeConfig[];
}
