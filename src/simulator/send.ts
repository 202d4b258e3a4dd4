/** Writing a simulated node's answers with the headers Ollama's Go server (gin) sends. */
import type http from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';
export const NDJSON_TYPE = 'application/x-ndjson';

export function send(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, JSON_TYPE, JSON.stringify({ error: message }));
}
