/**
 * The watch's one request, `HEAD /` (Ollama answers "Ollama is running" headers), written by hand
 * on a raw socket, and the parsing of its answer. An answer to HEAD has no body, so the headers
 * are the whole answer. Pure.
 */
import type { Endpoint } from '../probes/endpoint.js';

/** Headers longer than this are not an Ollama (or proxy) answer to HEAD. */
export const MAX_ANSWER_BYTES = 16 * 1024;

export type HeadAnswer =
  | {
      kind: 'answer';
      status: number;
      /** Whether the server keeps the connection open after this answer. */
      keepAlive: boolean;
      /** The server's own idle timeout (`Keep-Alive: timeout=N`), or null when it does not say. */
      idleTimeoutMs: number | null;
      /** Characters after the answer (a pipelined or unsolicited answer). */
      rest: string;
    }
  | { kind: 'incomplete' }
  | { kind: 'invalid'; why: string };

export function headRequest(endpoint: Endpoint): string {
  const host = endpoint.hostname.includes(':') ? `[${endpoint.hostname}]` : endpoint.hostname;
  const defaultPort = endpoint.secure ? 443 : 80;
  const lines = [
    `HEAD ${endpoint.basePath}/ HTTP/1.1`,
    `Host: ${endpoint.port === defaultPort ? host : `${host}:${endpoint.port}`}`,
    'User-Agent: gpu-mesh-watch',
  ];
  if (endpoint.auth !== null)
    lines.push(`Authorization: Basic ${Buffer.from(endpoint.auth).toString('base64')}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})/;

/** Parses the first answer in `text` (latin1), skipping interim 1xx answers. */
export function parseHeadAnswer(text: string): HeadAnswer {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\r\n\r\n', start);
    if (end === -1) {
      return text.length - start > MAX_ANSWER_BYTES
        ? { kind: 'invalid', why: 'answer headers too large' }
        : { kind: 'incomplete' };
    }
    const head = text.slice(start, end);
    const match = STATUS_LINE.exec(head);
    if (!match) return { kind: 'invalid', why: 'not an HTTP answer' };
    const status = Number(match[2]);
    start = end + 4;
    if (status >= 100 && status < 200) continue;
    const headers = head.toLowerCase();
    const connection = headerValue(headers, 'connection');
    const keepAlive = match[1] === '1' ? connection !== 'close' : connection === 'keep-alive';
    const timeout = /(?:^|[\s,])timeout=(\d+)/.exec(headerValue(headers, 'keep-alive') ?? '');
    return {
      kind: 'answer',
      status,
      keepAlive,
      idleTimeoutMs: timeout ? Number(timeout[1]) * 1000 : null,
      rest: text.slice(start),
    };
  }
}

/** A header's value in lower-cased headers, or null. */
function headerValue(headers: string, name: string): string | null {
  const at = headers.indexOf(`\r\n${name}:`);
  if (at === -1) return null;
  const from = at + name.length + 3;
  const to = headers.indexOf('\r\n', from);
  return headers.slice(from, to === -1 ? undefined : to).trim();
}
