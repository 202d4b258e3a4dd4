/** `gpu-mesh status`: the exit code and the human table, pure functions of the mesh view. */
import type { MeshView, NodeView } from '../mesh/view.js';

export const STATUS_EXIT = { healthy: 0, attention: 1, unhealthy: 2, unreadable: 3 } as const;

/** 0 all healthy · 1 some degraded/unknown/recovering · 2 some unhealthy. Disabled nodes don't count. */
export function statusExitCode(mesh: MeshView, enabledIds: ReadonlySet<string>): number {
  let code: number = STATUS_EXIT.healthy;
  for (const node of mesh.nodes) {
    if (!enabledIds.has(node.id)) continue;
    if (node.status === 'unhealthy') return STATUS_EXIT.unhealthy;
    if (node.status !== 'healthy') code = STATUS_EXIT.attention;
  }
  return code;
}

export function formatAge(fromIso: string | null, now: number): string {
  if (fromIso === null) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

function percent(value: number | null): string {
  return value === null ? '-' : `${value}%`;
}

function row(node: NodeView, enabled: boolean, now: number): string[] {
  const status = `${enabled ? node.status : 'disabled'}${node.silenced ? ' (silenced)' : ''}`;
  return [
    node.id,
    status,
    node.latencyMs === null ? '-' : `${Math.round(node.latencyMs)} ms`,
    percent(node.successRate),
    percent(node.uptimeScore),
    node.models === null ? '-' : `${node.models} (${node.loadedModels.length} loaded)`,
    formatAge(node.lastCheckAt, now),
    node.lastError ?? '',
  ];
}

export function formatStatusTable(mesh: MeshView, enabledIds: ReadonlySet<string>, now: number): string {
  const header = ['NODE', 'STATUS', 'LATENCY', 'SUCCESS', 'UPTIME', 'MODELS', 'LAST CHECK', 'ERROR'];
  const rows = [header, ...mesh.nodes.map((node) => row(node, enabledIds.has(node.id), now))];
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  const lines = rows.map((cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return [`mesh ${mesh.healthPercent}% healthy (${mesh.healthy}/${mesh.total})`, '', ...lines].join('\n');
}
