/** `gpu-mesh report [--json]`: the latest stats report; exit 3 when there is none yet. */

import type { Report } from '../metrics/report.js';
import { ReportStore } from '../metrics/report-store.js';
import { connectForRequests } from '../runtime/redis.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';

const NONE_YET = 3;

export interface ReportOptions extends GlobalOptions {
  json?: boolean;
}

export async function runReport(options: ReportOptions): Promise<number> {
  const { config } = await loadCliConfig(options);
  const redis = connectForRequests(config.redis.url);
  redis.on('error', () => {});
  try {
    const report = await new ReportStore(redis, config.redis.prefix).latest().catch((error: Error) => {
      throw new UserError(`report: Redis unreachable: ${error.message}`, NONE_YET);
    });
    if (!report) {
      process.stderr.write('gpu-mesh: report: no stats report yet (one is made every stats.interval)\n');
      return NONE_YET;
    }
    process.stdout.write(`${options.json ? JSON.stringify(report) : formatReport(report)}\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}

export function formatReport(report: Report): string {
  const minutes = report.windowMs / 60_000;
  const window = minutes >= 1 ? `${Number(minutes.toFixed(1))} min` : `${report.windowMs} ms`;
  const title = `stats for the ${window} up to ${report.at} · mesh ${report.healthPercent}% (${report.healthy}/${report.total} healthy)`;
  const header = [
    'NODE',
    'STATUS',
    'CHECKS',
    'OK',
    'SUCCESS',
    'UPTIME',
    'AVG',
    'P50',
    'P95',
    'MAX',
    'MODELS',
  ];
  const rows = report.nodes.map((node) => [
    node.id,
    node.status,
    String(node.checks),
    String(node.successes),
    percent(node.successRate),
    percent(node.uptimeScore),
    ms(node.latencyMs.avg),
    ms(node.latencyMs.p50),
    ms(node.latencyMs.p95),
    ms(node.latencyMs.max),
    node.models === null ? '-' : String(node.models),
  ]);
  return [title, ...alignColumns([header, ...rows])].join('\n');
}

function percent(value: number | null): string {
  return value === null ? '-' : `${value}%`;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value} ms`;
}

function alignColumns(table: string[][]): string[] {
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  return table.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
