/** `gpu-mesh alerts [--since 1h] [--json]`: the alerts of the last `--since`, newest first. */
import { AlertHistory } from '../alerts/history.js';
import type { Alert } from '../alerts/types.js';
import { sinceInput } from '../mesh/input.js';
import { connectForRequests } from '../runtime/redis.js';
import { parseArguments } from './arguments.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { UserError } from './errors.js';

const REDIS_UNREACHABLE = 3;

export interface AlertsOptions extends GlobalOptions {
  /** A duration: `30m`, `1h`, `7d`. Default 1h. */
  since?: string;
  json?: boolean;
}

export async function runAlerts(options: AlertsOptions): Promise<number> {
  const sinceMs = parseArguments(sinceInput, options.since ?? '1h', {}, '--since');
  const { config } = await loadCliConfig(options);
  const redis = connectForRequests(config.redis.url);
  redis.on('error', () => {});
  try {
    const alerts = await new AlertHistory(redis, config.redis.prefix).list(sinceMs).catch((error: Error) => {
      throw new UserError(`alerts: Redis unreachable: ${error.message}`, REDIS_UNREACHABLE);
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(alerts)}\n` : formatAlerts(alerts, options.since ?? '1h'),
    );
    return 0;
  } finally {
    redis.disconnect();
  }
}

/** One line per alert: time, severity, kind, node (or mesh), title. */
export function formatAlerts(alerts: readonly Alert[], since: string): string {
  if (alerts.length === 0) return `no alerts in the last ${since}\n`;
  const rows = alerts.map((alert) => [
    alert.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    alert.severity,
    alert.kind,
    alert.nodeId ?? 'mesh',
    alert.title,
  ]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
