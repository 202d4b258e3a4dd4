/**
 * The domain of gpu-mesh, in one place.
 *
 * Glossary
 * - node: one Ollama server, identified by `id`, reached at `url`.
 * - check: one probe of a node (`/api/version`, `/api/tags`, `/api/ps`, optionally a deep
 *   one-token generation) within one deadline; it passes or fails with a precise error.
 * - status: where a node stands, derived from consecutive check outcomes:
 *   unknown (never checked) · healthy · degraded · unhealthy · recovering.
 * - incident: from the first failure of a run of failures that reaches `degradedAfter` to the
 *   node's return to healthy; its id is `<node>:<epoch-ms of that first failure>`.
 * - transition: a change of status, stamped with the time of the check that caused it. Transitions
 *   are what alerts are made of.
 * - severity: INFO < WARNING < ERROR < CRITICAL.
 */

export const STATUSES = ['unknown', 'healthy', 'degraded', 'unhealthy', 'recovering'] as const;
export type NodeStatus = (typeof STATUSES)[number];

export const SEVERITIES = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/** A model resident in a node's memory, as `/api/ps` reports it. */
export interface LoadedModel {
  name: string;
  /** Bytes of the model held in GPU memory. */
  sizeVram: number;
  /** Bytes of the whole model; `sizeVram < size` means part of it runs on the CPU. */
  size: number;
  /** When Ollama will unload it (ISO time), or null when it never expires. */
  expiresAt: string | null;
}

/** A soft signal: something worth a WARNING that is not a failure. */
export type SoftSignal =
  | { kind: 'gpu_fallback'; model: string; size: number; sizeVram: number }
  | { kind: 'stuck_model'; model: string; expiresAt: string };

/** What the deep part of a check found (`checks.deep`). */
export type DeepOutcome =
  | { kind: 'ok'; model: string; ttftMs: number }
  | { kind: 'busy'; model: string }
  | { kind: 'timeout'; model: string; afterMs: number }
  | { kind: 'skipped'; reason: string };

/** Why a check failed, in words a person can act on. */
export type FailureKind = 'timeout' | 'connection' | 'http' | 'forbidden' | 'invalid' | 'too_large' | 'deep';

/** The outcome of one check of one node. */
export type ProbeResult =
  | {
      ok: true;
      /** Whole duration of the check, all requests included. */
      latencyMs: number;
      version: string;
      models: number;
      /** The names `/api/tags` lists (the models the node can serve). */
      installedModels: string[];
      loadedModels: LoadedModel[];
      deep: DeepOutcome | null;
      signals: SoftSignal[];
    }
  | {
      ok: false;
      latencyMs: number;
      failure: FailureKind;
      /** e.g. `timeout after 5000 ms`, `HTTP 500: CUDA error`, `invalid JSON from /api/tags`. */
      error: string;
      deep: DeepOutcome | null;
    };
