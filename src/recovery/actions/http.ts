/**
 * The `http` action: one request to a restart hook or a cloud API; any 2xx means "restart issued"
 * (whether the node comes back is for the recovery job to verify). Redirects are not followed.
 *
 * Credentials in the URL become a Basic `authorization` header (fetch refuses them in the URL).
 * The URL (its credentials, path and query), the header values and the body are secrets: logs and
 * errors name the request as `METHOD origin/***` and mask all of them wherever they show up (an
 * API that echoes its request in an error page, say).
 */
import { deliveryError, safeMessage } from '../../alerts/channels/errors.js';
import { recoveryActionSecrets, Secrets, safeUrl } from '../../config/secrets.js';
import type { NodeConfig, RecoveryAction } from '../../config/types.js';
import { oneLine } from './mask.js';
import {
  type ActionContext,
  type ActionDeps,
  type ActionOutcome,
  type RecoveryActionRunner,
  recoveryOf,
  seconds,
} from './types.js';

/** Bytes of the answer kept for the log and errors. */
const BODY_PREVIEW_BYTES = 2048;

type HttpAction = Extract<RecoveryAction, { kind: 'http' }>;

interface PreparedRequest {
  url: string;
  /** `POST https://api.example.com/***`: no credentials, no path, no query. */
  label: string;
  init: RequestInit;
  secrets: Secrets;
}

export function createHttpAction(deps: Pick<ActionDeps, 'secrets'>): RecoveryActionRunner {
  return {
    kind: 'http',
    async run(node: NodeConfig, context: ActionContext): Promise<ActionOutcome> {
      const action = recoveryOf(node, 'http');
      const request = prepareRequest(action, deps.secrets ?? new Secrets());
      const { timeout } = action;
      const started = performance.now();
      context.log(`${request.label}: sending`);
      let response: Response;
      try {
        response = await fetch(request.url, {
          ...request.init,
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeout)]),
        });
      } catch (error) {
        const took = seconds(performance.now() - started);
        if (context.signal.aborted) throw new Error(`${request.label} aborted after ${took}`);
        if (isTimeout(error)) throw new Error(`${request.label} got no answer within ${seconds(timeout)}`);
        const secrets = request.secrets.values();
        throw deliveryError(
          `${request.label} failed: ${oneLine(safeMessage(error, secrets), request.secrets)}`,
          error,
          secrets,
        );
      }
      const took = seconds(performance.now() - started);
      const preview = oneLine(await readPreview(response), request.secrets);
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      context.log(
        request.secrets.mask(`${request.label}: ${status} in ${took}${preview ? `: ${preview}` : ''}`),
      );
      if (response.status < 200 || response.status > 299) {
        throw new Error(`${request.label} answered ${status} in ${took}${preview ? `: ${preview}` : ''}`);
      }
      return { summary: `${request.label} answered ${response.status} in ${took}: restart issued` };
    },
  };
}

function prepareRequest(action: HttpAction, configured: Secrets): PreparedRequest {
  const url = new URL(action.url);
  const headers = new Headers(action.headers);
  if (url.username !== '' || url.password !== '') {
    const user = safeDecode(url.username);
    const password = safeDecode(url.password);
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    if (!headers.has('authorization')) headers.set('authorization', `Basic ${basic}`);
    url.username = '';
    url.password = '';
  }
  const method = action.method.toUpperCase();
  const hasBody = action.body !== '' && method !== 'GET';
  if (hasBody && !headers.has('content-type') && looksLikeJson(action.body)) {
    headers.set('content-type', 'application/json');
  }
  return {
    url: url.href,
    label: `${method} ${safeUrl(action.url, { path: 'mask' })}`,
    init: { method, headers, body: hasBody ? action.body : undefined, redirect: 'manual' },
    secrets: configured.with(recoveryActionSecrets(action)),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function looksLikeJson(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

/** The first bytes of the answer; the rest is not read and the connection is released. */
async function readPreview(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < BODY_PREVIEW_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short is still an answer: the status is what counts.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, BODY_PREVIEW_BYTES).toString('utf8');
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}
