/**
 * Why an attempt failed, in words for logs and error answers, and whether it fails over. Before the
 * first byte every failure of the node fails over (SPEC: refused or reset, a header timeout, a 5xx,
 * 503 "server busy"); a 4xx is the client's and goes back as it is. Pure.
 */

/** undici's code for a request aborted through its signal (the client went away). */
const ABORTED = 'UND_ERR_ABORTED';

export function isAbort(error: unknown): boolean {
  return (error as { code?: unknown }).code === ABORTED || (error as Error).name === 'AbortError';
}

/** A 5xx (Ollama's 503 "server busy" among them) is the node's failure; anything below is an answer. */
export function failsOver(status: number): boolean {
  return status >= 500;
}

/** What went wrong with a node before it answered, e.g. `connection refused`, `no response headers within 30 s`. */
export function describeFailure(error: unknown, headerTimeoutMs: number): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within ${seconds(headerTimeoutMs)}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return (error as Error).message || String(error);
  }
}

/** What broke a stream after its first byte. */
export function describeStreamFailure(error: unknown, idleTimeoutMs: number): string {
  if ((error as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT') {
    return `sent nothing for ${seconds(idleTimeoutMs)} (gateway.idleTimeout)`;
  }
  return describeFailure(error, 0);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
