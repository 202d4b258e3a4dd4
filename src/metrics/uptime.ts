/**
 * Mesh uptime per node over the last 24 h and 7 d, from the stored stats reports (docs/http-api.md
 * `GET /api/uptime`): a period counts the reports whose window ended within it (after `now − period`,
 * at `now` at the latest), and a node's uptime is its checks passed over its checks run, summed over
 * those reports, as a % with 2 decimals; null when the period holds no check of it. Pure.
 */
import type { Report } from './report.js';

export const UPTIME_PERIODS = { h24: 86_400_000, d7: 7 * 86_400_000 } as const;

export interface NodeUptime {
  id: string;
  name: string;
  /** % of the node's checks that passed in the last 24 h; null without checks. */
  h24: number | null;
  /** The same over the last 7 d. */
  d7: number | null;
}

/** The uptime of each of `nodes` (in their order) from `reports`, as of `now`. */
export function meshUptime(
  reports: readonly Report[],
  nodes: readonly { id: string; name: string }[],
  now: number,
): NodeUptime[] {
  const periods = Object.entries(UPTIME_PERIODS) as [keyof typeof UPTIME_PERIODS, number][];
  const sums = new Map<string, Record<keyof typeof UPTIME_PERIODS, { checks: number; successes: number }>>(
    nodes.map((node) => [node.id, { h24: { checks: 0, successes: 0 }, d7: { checks: 0, successes: 0 } }]),
  );
  for (const report of reports) {
    const end = Date.parse(report.at);
    if (!(end <= now)) continue;
    for (const entry of report.nodes) {
      const sum = sums.get(entry.id);
      if (!sum) continue;
      for (const [period, ms] of periods) {
        if (end <= now - ms) continue;
        sum[period].checks += entry.checks;
        sum[period].successes += entry.successes;
      }
    }
  }
  const percent = ({ checks, successes }: { checks: number; successes: number }) =>
    checks === 0 ? null : Math.round((10_000 * successes) / checks) / 100;
  return nodes.map((node) => {
    const sum = sums.get(node.id);
    return {
      id: node.id,
      name: node.name,
      h24: sum ? percent(sum.h24) : null,
      d7: sum ? percent(sum.d7) : null,
    };
  });
}
