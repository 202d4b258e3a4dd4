/**
 * What the gateway itself answers, in the API the client speaks: Ollama's `{"error": "..."}` on
 * `/api/*`, OpenAI's `{"error": {"message", "type", "param", "code"}}` on `/v1/*` (as Ollama's own
 * OpenAI routes answer errors, docs/openai.md), so each client's SDK reads the message.
 */
import type http from 'node:http';

export type ApiFamily = 'ollama' | 'openai';

const JSON_TYPE = 'application/json; charset=utf-8';

export function familyOf(path: string): ApiFamily {
  return path.startsWith('/v1/') ? 'openai' : 'ollama';
}

function openAiType(status: number): string {
  if (status === 400 || status === 413) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

/** The error body for `status` and `message` in `family`'s form. */
export function errorJson(family: ApiFamily, status: number, message: string): string {
  if (family === 'ollama') return JSON.stringify({ error: message });
  return JSON.stringify({ error: { message, type: openAiType(status), param: null, code: null } });
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: string,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendError(
  res: http.ServerResponse,
  family: ApiFamily,
  status: number,
  message: string,
  headers: http.OutgoingHttpHeaders = {},
): void {
  sendJson(res, status, errorJson(family, status, message), headers);
}
