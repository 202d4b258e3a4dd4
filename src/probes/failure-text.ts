/**
 * The one-line error messages a check fails with. They end up in `lastError`, alerts and the
 * CLI, so each says what happened in words an operator can act on.
 */
const TRANSPORT_MESSAGES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed, will retry)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  // Limits of the monitoring process, not faults of the node: say so, or a fleet looks down.
  EMFILE: 'gpu-mesh ran out of file descriptors (EMFILE): raise its ulimit -n',
  ENFILE: 'the system ran out of file descriptors (ENFILE)',
  EADDRNOTAVAIL: 'gpu-mesh ran out of local ports (EADDRNOTAVAIL)',
};

/** A transport error (connect, TLS, socket) as one line. */
export function describeTransportError(code: string | null, message: string): string {
  const known = code === null ? undefined : TRANSPORT_MESSAGES[code];
  if (known !== undefined) return known;
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code?.startsWith('ERR_SSL')) {
    return `TLS error: ${oneLine(message)}`;
  }
  return `connection error: ${oneLine(message)}${code === null ? '' : ` (${code})`}`;
}

export function forbiddenMessage(path: string): string {
  return `HTTP 403 from ${path}: Ollama refused the request (Host/Origin not allowed: check OLLAMA_HOST / OLLAMA_ORIGINS or the proxy)`;
}

/**
 * A non-2xx answer as one line: Ollama's `{"error": "..."}` when it sent one, else the start of
 * the body (an HTML error page reads as its title).
 */
export function describeHttpError(status: number, contentType: string, body: string, path: string): string {
  const detail = errorDetail(contentType, body);
  return detail === '' ? `HTTP ${status} from ${path} (empty body)` : `HTTP ${status}: ${detail}`;
}

function errorDetail(contentType: string, body: string): string {
  if (body.trim() === '') return '';
  const ollamaError = ollamaErrorOf(body);
  if (ollamaError !== null) return oneLine(ollamaError);
  if (looksLikeHtml(contentType, body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
    return title === undefined || title.trim() === '' ? 'an HTML page' : `${oneLine(title)} (an HTML page)`;
  }
  return oneLine(body);
}

/** The `error` string of Ollama's error body `{"error": "..."}`, or null for any other body. */
function ollamaErrorOf(body: string): string | null {
  if (!body.includes('"error"')) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    const error =
      typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : null;
    return typeof error === 'string' ? error : null;
  } catch {
    return null;
  }
}

/** Whether a body is an HTML page (a proxy's error page, a captive portal) rather than JSON. */
export function looksLikeHtml(contentType: string, body: string): boolean {
  if (contentType.includes('text/html')) return true;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code > 32) return code === 60; // '<'
  }
  return false;
}

const MAX_DETAIL = 200;

/** Collapses whitespace (newlines included) and cuts the text to about 200 characters. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}…` : flat;
}

const MIB = 1024 * 1024;

/** `1 MiB`, `64 KiB`, `1000 bytes`. */
export function formatByteLimit(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
