/**
 * pino to stdout (pretty on a TTY), optionally also to a rotated file, with every configured
 * secret replaced by `***` wherever it appears in a line (guarantee 6, docs/guarantees.md). The secrets are read
 * on every line, so those a reload brings in are masked from the next line on.
 */
import { type Logger, pino } from 'pino';
import type { Severity } from '../mesh/types.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** Also write here, rotated daily and at 10 MB, 7 files kept. */
  file: string;
  /** The process's secrets (`Secrets` in `config/secrets.ts`), kept current by whoever owns them. */
  secrets: SecretMask;
  pretty: boolean;
  destination?: NodeJS.WritableStream;
}

const PINO_LEVEL: Record<Severity, 'info' | 'warn' | 'error' | 'fatal'> = {
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
};

/** Logs at the pino level that stands for an alert severity, with the severity as a field. */
export function logAtSeverity(logger: Logger, severity: Severity, fields: object, message: string): void {
  logger[PINO_LEVEL[severity]]({ severity, ...fields }, message);
}

/** Masks secrets in a finished JSON line, raw and JSON-escaped alike. */
export interface SecretMask {
  mask(text: string): string;
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: await consoleStream(options) }];
  if (options.file) {
    const { default: roll } = await import('pino-roll');
    const file = await roll({
      file: options.file,
      frequency: 'daily',
      size: '10m',
      mkdir: true,
      limit: { count: 7 },
    });
    streams.push({ level: 'trace', stream: file });
  }
  const { secrets } = options;
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      hooks: { streamWrite: (line) => secrets.mask(line) },
    },
    pino.multistream(streams),
  );
}

async function consoleStream(options: LoggerOptions): Promise<NodeJS.WritableStream> {
  const destination = options.destination ?? process.stdout;
  if (!options.pretty) return destination;
  const { default: pretty } = await import('pino-pretty');
  return pretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
