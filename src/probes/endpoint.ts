/** A node's base URL, parsed into what node:http needs and shared by its requests. */
export interface Endpoint {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** A path prefix ('' or '/ollama') for a node behind a reverse proxy. */
  readonly basePath: string;
  /** `user:password` from the URL (a proxy's Basic auth), or null. */
  readonly auth: string | null;
}

/** @throws Error when `url` is not an http(s) URL. */
export function parseEndpoint(url: string): Endpoint {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  if (!secure && parsed.protocol !== 'http:') throw new Error(`not an http(s) URL: ${url}`);
  const basePath = parsed.pathname.endsWith('/') ? parsed.pathname.slice(0, -1) : parsed.pathname;
  const auth =
    parsed.username === ''
      ? null
      : `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  return {
    secure,
    // URL keeps IPv6 literals in brackets; node:http wants them bare.
    hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
    port: parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port),
    basePath,
    auth,
  };
}

/** Past this many different URLs the memo starts over (a config only has so many nodes). */
const REMEMBERED_URLS = 100_000;
const parsed = new Map<string, Endpoint>();

/** `parseEndpoint`, remembered: each node's URL is parsed once rather than on every check. */
export function endpointOf(url: string): Endpoint {
  let endpoint = parsed.get(url);
  if (endpoint === undefined) {
    endpoint = parseEndpoint(url);
    if (parsed.size >= REMEMBERED_URLS) parsed.clear();
    parsed.set(url, endpoint);
  }
  return endpoint;
}
