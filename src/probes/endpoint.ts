/** A node's base URL, parsed once per check into what node:http needs and shared by its requests. */
export interface Endpoint {
  secure: boolean;
  hostname: string;
  port: number;
  /** A path prefix ('' or '/ollama') for a node behind a reverse proxy. */
  basePath: string;
  /** `user:password` from the URL (a proxy's Basic auth), or null. */
  auth: string | null;
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
