/**
 * A proxied request's body: read whole (the model inside picks the node), at most `maxBody`
 * bytes, and parsed once; the bytes go to the node as they came, never re-serialized.
 */
import type http from 'node:http';

export type BodyOutcome =
  | { kind: 'ok'; bytes: Buffer; json: Record<string, unknown> }
  | { kind: 'too_large' }
  | { kind: 'invalid'; message: string }
  /** The client went away while sending. */
  | { kind: 'gone' };

export function readJsonBody(req: http.IncomingMessage, maxBody: number): Promise<BodyOutcome> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBody) return Promise.resolve({ kind: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBody) {
        req.pause();
        settle({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      settle(parse(bytes));
    });
    req.on('error', () => settle({ kind: 'gone' }));
    req.on('close', () => settle({ kind: 'gone' }));
  });
}

function parse(bytes: Buffer): BodyOutcome {
  if (bytes.length === 0) return { kind: 'invalid', message: 'missing request body' };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { kind: 'invalid', message: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', message: 'invalid request body: expected a JSON object' };
  }
  return { kind: 'ok', bytes, json: value as Record<string, unknown> };
}
