/**
 * A child's stdout and stderr, split into lines for the job log, within bounds: a chatty restart
 * script must not fill Redis. The last lines are kept apart for the error message.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Secrets } from '../../config/secrets.js';
import { oneLine } from './mask.js';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputLimits {
  /** Lines written to the log at most. Default 200. */
  lines: number;
  /** Bytes written to the log at most. Default 64 KiB. */
  bytes: number;
}

const DEFAULT_LIMITS: OutputLimits = { lines: 200, bytes: 64 * 1024 };
/** A line longer than this is cut (a progress bar without newlines, a binary blob). */
const MAX_LINE_CHARS = 4096;
const TAIL_LINES = 5;

interface StreamState {
  decoder: StringDecoder;
  pending: string;
  tail: string[];
}

export class OutputLines {
  private readonly streams: Record<OutputStream, StreamState> = {
    stdout: { decoder: new StringDecoder('utf8'), pending: '', tail: [] },
    stderr: { decoder: new StringDecoder('utf8'), pending: '', tail: [] },
  };
  private loggedLines = 0;
  private loggedBytes = 0;
  private droppedLines = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly secrets: Secrets,
    private readonly limits: OutputLimits = DEFAULT_LIMITS,
  ) {}

  write(stream: OutputStream, chunk: Buffer | string): void {
    const state = this.streams[stream];
    state.pending += typeof chunk === 'string' ? chunk : state.decoder.write(chunk);
    let newline = state.pending.indexOf('\n');
    while (newline !== -1) {
      this.line(stream, state.pending.slice(0, newline));
      state.pending = state.pending.slice(newline + 1);
      newline = state.pending.indexOf('\n');
    }
    if (state.pending.length > MAX_LINE_CHARS) {
      this.line(stream, state.pending);
      state.pending = '';
    }
  }

  /** Flushes unterminated last lines and says how much was left out. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const state = this.streams[stream];
      const rest = state.pending + state.decoder.end();
      state.pending = '';
      if (rest !== '') this.line(stream, rest);
    }
    if (this.droppedLines > 0) {
      this.log(
        `… ${this.droppedLines} more lines of output not kept (at most ${this.limits.lines} lines, ${Math.round(this.limits.bytes / 1024)} KiB)`,
      );
    }
  }

  /** The last few lines of stderr (else of stdout), masked, on one line; '' when there was none. */
  tail(): string {
    const lines = this.streams.stderr.tail.length ? this.streams.stderr.tail : this.streams.stdout.tail;
    return oneLine(lines.join(' | '), this.secrets);
  }

  private line(stream: OutputStream, raw: string): void {
    const text = raw.replace(/\r$/, '');
    const cut = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
    const state = this.streams[stream];
    if (cut.trim() !== '') {
      state.tail.push(cut);
      if (state.tail.length > TAIL_LINES) state.tail.shift();
    }
    const entry = this.secrets.mask(`${stream}: ${cut}`);
    const size = Buffer.byteLength(entry);
    if (this.loggedLines >= this.limits.lines || this.loggedBytes + size > this.limits.bytes) {
      this.droppedLines++;
      return;
    }
    this.loggedLines++;
    this.loggedBytes += size;
    this.log(entry);
  }
}
