/**
 * The one rule that keeps secrets out of logs, job logs, errors, alerts and API answers
 * (guarantee 6, docs/guarantees.md); which values of the config are secret is `secrets.ts`.
 *
 * Rule: a secret is masked as `***` wherever it appears in free text, in every form it may have
 * been written in — as is, JSON-escaped (a log line is JSON), percent-encoded and decoded. Longer
 * forms go first, so a secret containing another is masked whole. Secrets shorter than 3
 * characters are not masked in free text (they would blank out every word containing them).
 * A secret that is a whole URL also hides its user:password, path and query wherever they show up
 * alone. A URL is shown with `safeUrl`: without user:password, and for URLs whose path carries a
 * token (recovery, webhooks) without path and query either.
 *
 * This module depends on nothing of the config, so that the alert channels, whose modules declare
 * their own secrets (`alerts/channels/registry.ts`), can use it while `secrets.ts` reads them.
 */

export const MASK = '***';
const MIN_MASKED_LENGTH = 3;

/** One pattern matching every written form of every secret, longest first; null for none. */
export function maskingPattern(secrets: readonly string[]): RegExp | null {
  const forms = [...new Set(secrets.filter((secret) => secret !== '').flatMap(writtenForms))]
    .filter((form) => form.length >= MIN_MASKED_LENGTH)
    .sort((a, b) => b.length - a.length);
  return forms.length === 0 ? null : new RegExp(forms.map(escapeRegExp).join('|'), 'g');
}

/** A function that replaces every form of `secrets` in a text by `***` (the pattern is built once). */
export function masker(secrets: readonly string[]): (text: string) => string {
  const pattern = maskingPattern(secrets);
  return (text) => (pattern === null ? text : text.replace(pattern, MASK));
}

/** `text` with every form of `secrets` replaced by `***`, for a list at hand (a channel's own settings). */
export function maskText(text: string, secrets: readonly string[]): string {
  return masker(secrets)(text);
}

export interface UrlDisplay {
  /** `strip` (default): no user:password at all; `mask`: the password (else the user) as `***`. */
  userinfo?: 'strip' | 'mask';
  /** `mask`: the path and query as `/***` — for URLs whose path may carry a token. Default `show`. */
  path?: 'show' | 'mask';
}

/**
 * `url` fit to show anywhere: `http://user:pw@gpu-1:11434` -> `http://gpu-1:11434`;
 * with `path: 'mask'`, `https://hooks.example/T0/B0/tok?k=v` -> `https://hooks.example/***`.
 * Otherwise as written. Text that is not a URL is shown as `***` (it could be anything).
 */
export function safeUrl(url: string, display: UrlDisplay = {}): string {
  if (url === '') return '';
  const parsed = parseUrl(url);
  if (parsed === null) return MASK;
  const parts = URL_PARTS.exec(url);
  // As written, unless the parser reads the text differently (a backslash read as `/`): then normalized.
  if (parts === null || url.includes('\\')) return fromParsed(parsed, display);
  const [, scheme = '', userinfo, host = '', path = '', query = ''] = parts;
  const hidePath = display.path === 'mask' && hasTarget(path, query);
  return `${scheme}${shownUserinfo(userinfo, display)}${host}${hidePath ? `/${MASK}` : `${path}${query}`}`;
}

/** scheme, `user:pw@`, host:port, path, `?query` (the fragment is dropped). */
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?([^/?#]*)([^?#]*)(\?[^#]*)?/i;

function hasTarget(path: string, query: string): boolean {
  return (path !== '' && path !== '/') || query !== '';
}

function shownUserinfo(userinfo: string | undefined, display: UrlDisplay): string {
  if (userinfo === undefined || display.userinfo !== 'mask') return '';
  const colon = userinfo.indexOf(':');
  return colon < 0 ? `${MASK}@` : `${userinfo.slice(0, colon)}:${MASK}@`;
}

function fromParsed(url: URL, display: UrlDisplay): string {
  if (display.userinfo !== 'mask') {
    url.username = '';
    url.password = '';
  } else if (url.password !== '') {
    url.password = MASK;
  } else if (url.username !== '') {
    url.username = MASK;
  }
  if (display.path === 'mask' && hasTarget(url.pathname, url.search)) {
    url.pathname = `/${MASK}`;
    url.search = '';
  }
  url.hash = '';
  return url.href;
}

/** What of a URL's user:password may be written somewhere: the password (else the user, a token), `user:password`, the Basic value. */
export function urlCredentials(text: string): string[] {
  const url = parseUrl(text);
  if (url === null || (url.username === '' && url.password === '')) return [];
  const user = safeDecode(url.username);
  const password = safeDecode(url.password);
  if (password === '') return [url.username, user];
  return [
    url.password,
    password,
    `${url.username}:${url.password}`,
    `${user}:${password}`,
    Buffer.from(`${user}:${password}`).toString('base64'),
  ];
}

/**
 * Headers that describe the request rather than authorize it: their values (`application/json`)
 * are no secret, and masking them would blank out every log line that names a content type.
 */
const DESCRIPTIVE_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'content-language',
  'content-type',
  'user-agent',
]);

/** Each authorizing header's value, and the credential of `Bearer <token>` / `Basic <b64>` alone. */
export function headerSecrets(headers: Record<string, string>): string[] {
  const authorizing = Object.entries(headers).filter(
    ([name]) => !DESCRIPTIVE_HEADERS.has(name.toLowerCase()),
  );
  return authorizing.flatMap(([, value]) => {
    const credential = /^[A-Za-z-]+ +(\S+)$/.exec(value.trim())?.[1];
    return credential === undefined ? [value] : [value, credential];
  });
}

/**
 * A secret that is a whole URL: also its normalized form, credentials, path and query alone, and
 * each path segment and query value that looks like a token (8+ characters with a digit, or 16+)
 * rather than a word (`hooks`, `restart`, `true`) that would blank out every line naming it.
 */
function urlParts(secret: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(secret)) return [];
  const url = parseUrl(secret);
  if (url === null) return [];
  const parts = [url.href, ...urlCredentials(secret)];
  const target = `${url.pathname}${url.search}`;
  if (target !== '/' && target !== '') parts.push(target, url.pathname, url.search.slice(1));
  const pieces = [...url.pathname.split('/'), ...url.searchParams.values()];
  const tokens = pieces.filter((piece) => /^(?=.*\d).{8,}$|^.{16,}$/.test(piece));
  return [...parts, ...tokens].filter((part) => part !== '/' && part !== '');
}

/** Every form a secret may take once written: as is, decoded, percent-encoded, JSON-escaped (once, twice). */
function writtenForms(secret: string): string[] {
  const plain = [secret, safeDecode(secret), encodeURIComponent(secret), ...urlParts(secret)];
  return plain.flatMap((form) => {
    const escaped = jsonEscaped(form);
    return [form, escaped, jsonEscaped(escaped)];
  });
}

function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseUrl(text: string): URL | null {
  return URL.canParse(text) ? new URL(text) : null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
