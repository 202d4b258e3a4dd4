/**
 * The error that ends a stream the node broke off after its first byte (SPEC: never retried), in
 * the stream's own format, so that the client's parser reads an error rather than a truncated
 * answer: NDJSON gets a last line `{"error":"..."}` (Ollama's own mid-stream error), server-sent
 * events a last `data: {"error":{...}}` event (as Ollama's OpenAI routes write one). A body in
 * any other format cannot carry one: the connection is cut instead. Pure.
 */

export type StreamFormat = 'ndjson' | 'sse' | 'other';

export function streamFormatOf(contentType: string | undefined): StreamFormat {
  if (contentType === undefined) return 'other';
  if (contentType.startsWith('application/x-ndjson')) return 'ndjson';
  if (contentType.startsWith('text/event-stream')) return 'sse';
  return 'other';
}

const NEWLINE = 0x0a;

/**
 * The bytes that end the stream with `message`, or null for a format that cannot carry it. `tail`
 * is the last chunk sent: a line or event cut in the middle is closed first, so that the error
 * stands on its own line.
 */
export function inBandError(format: StreamFormat, message: string, tail: Uint8Array | null): string | null {
  switch (format) {
    case 'ndjson':
      return `${endsWith(tail, 1) ? '' : '\n'}${JSON.stringify({ error: message })}\n`;
    case 'sse': {
      const event = JSON.stringify({ error: { message, type: 'api_error', param: null, code: null } });
      const opening = endsWith(tail, 2) ? '' : endsWith(tail, 1) ? '\n' : '\n\n';
      return `${opening}data: ${event}\n\n`;
    }
    case 'other':
      return null;
  }
}

/** Whether `tail` ends with `count` newlines (nothing sent yet counts as a clean end). */
function endsWith(tail: Uint8Array | null, count: number): boolean {
  if (tail === null || tail.length === 0) return true;
  if (tail.length < count) return false;
  for (let i = 1; i <= count; i++) if (tail[tail.length - i] !== NEWLINE) return false;
  return true;
}
