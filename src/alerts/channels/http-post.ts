/**
 * One POST to a chat or paging service, for the channels that speak HTTP (Discord, PagerDuty,
 * Teams, ntfy): no redirect followed (a POST must not turn into a GET), the answer's first bytes
 * kept for the error, and every error one line that names the channel and never a secret.
 */
import { deliveryError, safeMessage } from './errors.js';

export interface PostRequest {
  /** The channel's name, which starts every error. */
  channel: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** What no error may quote: the URL, keys, tokens. */
  secrets: readonly string[];
}

export interface PostAnswer {
  status: number;
  ok: boolean;
  /** The first `ANSWER_CHARS` of the answer's body, for the error (services say why there). */
  text: string;
}

/** Services explain a refusal in a line or two; the rest of an answer is not read. */
const ANSWER_BYTES = 4096;
const ANSWER_CHARS = 200;

/** POSTs the request under `signal`; throws on a transport error, returns any HTTP answer. */
export async function post(request: PostRequest, signal: AbortSignal): Promise<PostAnswer> {
  const { channel, secrets } = request;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw deliveryError(`${channel}: request failed: ${safeMessage(error, secrets)}`, error, secrets);
  }
  const text = await firstBytes(response).catch(() => '');
  return { status: response.status, ok: response.ok, text: oneLine(text).slice(0, ANSWER_CHARS) };
}

/** `<channel>: HTTP <status>: <what the service said>`, secrets masked. */
export function answerError(request: Pick<PostRequest, 'channel' | 'secrets'>, answer: PostAnswer): string {
  const said = safeMessage(answer.text, request.secrets);
  return `${request.channel}: HTTP ${answer.status}${said === '' ? '' : `: ${said}`}`;
}

/** Reads at most `ANSWER_BYTES` of the body, then releases the connection. */
async function firstBytes(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, ANSWER_BYTES));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
