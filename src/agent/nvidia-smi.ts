/**
 * GPU telemetry from `nvidia-smi`: what the agent asks, and a pure parser of what it prints.
 *
 * The agent asks for eight fields as `csv,noheader,nounits`, so a row reads
 * `0, NVIDIA H200, 143771, 32362, 100, 52, 627.40, 700.00` and columns are taken in query order.
 * The parser also reads nvidia-smi's other CSV form — with a header (`memory.used [MiB]`) and units
 * (`32362 MiB`), any number and order of fields — mapping columns by header name, as captures and
 * hand-run commands print it. Fields nvidia-smi cannot read (`[N/A]`, `N/A`, `[Not Supported]`,
 * any other `[...]`) are null. Memory is converted from MiB to bytes, the unit of `sizeVram`.
 */
import { execFile } from 'node:child_process';

export const NVIDIA_SMI_FIELDS = [
  'index',
  'name',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
  'power.limit',
] as const;
type Field = (typeof NVIDIA_SMI_FIELDS)[number];

export const NVIDIA_SMI_ARGS = [
  `--query-gpu=${NVIDIA_SMI_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
];

/** One GPU as the agent reports it. Null: nvidia-smi could not read the field on this GPU. */
export interface GpuTelemetry {
  index: number;
  name: string | null;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  /** 0–100. */
  utilizationPercent: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}

const MIB = 1024 * 1024;

/** Every GPU row of nvidia-smi's CSV output; lines it cannot read are skipped. */
export function parseNvidiaSmiCsv(text: string): GpuTelemetry[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const first = lines[0];
  if (first === undefined) return [];
  const header = splitCsvLine(first).map((column) => column.replace(/\s*\[[^\]]*\]$/, ''));
  const hasHeader = header.some((column) => (NVIDIA_SMI_FIELDS as readonly string[]).includes(column));
  const columns = hasHeader ? header : [...NVIDIA_SMI_FIELDS];
  const rows = hasHeader ? lines.slice(1) : lines;
  const gpus: GpuTelemetry[] = [];
  for (const [position, line] of rows.entries()) {
    const values = splitCsvLine(line);
    if (values.length !== columns.length) continue;
    const field = (name: Field): string | undefined => {
      const at = columns.indexOf(name);
      return at === -1 ? undefined : values[at];
    };
    gpus.push({
      index: numberOrNull(field('index')) ?? position,
      name: textOrNull(field('name')),
      memoryTotalBytes: mibToBytes(numberOrNull(field('memory.total'))),
      memoryUsedBytes: mibToBytes(numberOrNull(field('memory.used'))),
      utilizationPercent: numberOrNull(field('utilization.gpu')),
      temperatureC: numberOrNull(field('temperature.gpu')),
      powerDrawW: numberOrNull(field('power.draw')),
      powerLimitW: numberOrNull(field('power.limit')),
    });
  }
  return gpus;
}

/** nvidia-smi does not quote: fields are separated by `, ` and never contain a comma. */
function splitCsvLine(line: string): string[] {
  return line.split(',').map((field) => field.trim());
}

function isUnavailable(value: string): boolean {
  return value === '' || value === 'N/A' || /^\[.*\]$/.test(value);
}

function textOrNull(value: string | undefined): string | null {
  return value === undefined || isUnavailable(value) ? null : value;
}

/** `32362`, `32362 MiB`, `627.40 W`, `100 %` -> the number; anything else -> null. */
function numberOrNull(value: string | undefined): number | null {
  if (value === undefined || isUnavailable(value)) return null;
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*[A-Za-z%]+)?$/.exec(value);
  return match?.[1] === undefined ? null : Number(match[1]);
}

function mibToBytes(mib: number | null): number | null {
  return mib === null ? null : Math.round(mib * MIB);
}

/** What one run of nvidia-smi gave. */
export type NvidiaSmiReading =
  | { kind: 'gpus'; gpus: GpuTelemetry[] }
  /** Not on PATH: this host reports no telemetry, and that is not an error. */
  | { kind: 'missing' }
  /** It ran and failed (driver not loaded, GPU fallen off the bus): worth reporting. */
  | { kind: 'failed'; error: string };

export interface NvidiaSmiOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs `nvidia-smi NVIDIA_SMI_ARGS` (execFile, no shell) and parses its output. */
export function readNvidiaSmi(options: NvidiaSmiOptions): Promise<NvidiaSmiReading> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      NVIDIA_SMI_ARGS,
      {
        timeout: options.timeoutMs,
        env: options.env ?? process.env,
        signal: options.signal,
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ kind: 'missing' });
        if (error) return resolve({ kind: 'failed', error: failureText(error, stdout, stderr) });
        const gpus = parseNvidiaSmiCsv(stdout);
        if (gpus.length === 0 && stdout.trim() !== '') {
          return resolve({
            kind: 'failed',
            error: `nvidia-smi printed no GPU row we could read: ${firstLine(stdout)}`,
          });
        }
        resolve({ kind: 'gpus', gpus });
      },
    );
  });
}

function failureText(
  error: Error & { killed?: boolean; code?: unknown },
  stdout: string,
  stderr: string,
): string {
  if (error.killed) return 'nvidia-smi did not answer in time';
  // nvidia-smi prints its own errors ("NVIDIA-SMI has failed because ...") on stdout.
  const said = firstLine(stderr) || firstLine(stdout);
  const code = typeof error.code === 'number' ? `exited ${error.code}` : error.message;
  return said ? `nvidia-smi ${code}: ${said}` : `nvidia-smi ${code}`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line.trim().slice(0, 300);
}
