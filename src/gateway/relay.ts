/**
 * A node's answer, relayed to the client as it comes: each chunk written as it arrives (the node
 * is paused while the client's socket is full), never buffered whole. A node that dies or goes
 * quiet for `idleTimeout` after the first byte ends the client's stream with an error in the
 * stream's own format (`stream-errors.ts`) and the connection closes; nothing is retried.
 */
import type http from 'node:http';
import type { Dispatcher } from 'undici';
import { describeStreamFailure } from './failures.js';
import type { Outcome } from './metrics.js';
import { inBandError, streamFormatOf } from './stream-errors.js';

export interface RelayOptions {
  nodeId: string;
  idleTimeoutMs: number;
  clientGone(): boolean;
}

export function relay(
  response: Dispatcher.ResponseData,
  res: http.ServerResponse,
  options: RelayOptions,
): Promise<Outcome> {
  const { body } = response;
  const status = response.statusCode;
  return new Promise((resolve) => {
    let tail: Buffer | null = null;
    const resume = (): void => {
      body.resume();
    };
    body.on('data', (chunk: Buffer) => {
      tail = chunk;
      if (!res.write(chunk)) {
        body.pause();
        res.once('drain', resume);
      }
    });
    body.on('end', () => {
      res.end();
      resolve(status >= 500 ? 'upstream_error' : status >= 400 ? 'client_error' : 'ok');
    });
    body.on('error', (error) => {
      if (options.clientGone()) {
        resolve('aborted');
        return;
      }
      const message = `node ${options.nodeId} failed mid-answer: ${describeStreamFailure(error, options.idleTimeoutMs)}`;
      const ending = inBandError(streamFormatOf(header(response, 'content-type')), message, tail);
      if (ending === null) res.destroy();
      else res.end(ending, () => res.socket?.end());
      resolve('upstream_error');
    });
  });
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
