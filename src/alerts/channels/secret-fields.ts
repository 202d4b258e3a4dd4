/**
 * How a channel says which of its settings are secret. One declaration per field gives both the
 * values the process masks in every log, error and answer, and what `config check` prints in their
 * place, so a secret cannot be listed without being masked there, nor the other way round.
 */

import { assertNever } from '../../mesh/types.js';
import { headerSecrets, MASK, safeUrl, urlCredentials } from '../../values/redaction.js';

/**
 * - `whole`: the value is a secret (a webhook URL, a routing key, a token); printed `***`.
 * - `userinfo`: a URL holding user:password (`smtp://user:pass@host`), a secret whole; printed with
 *   the password as `***`.
 * - `path`: a URL whose path and query are the secret (an ntfy topic), a secret whole; printed as
 *   its origin and `/***`.
 * - `credentials`: a URL public but for a user:password it may hold; those are secret, and printed `***`.
 * - `values`: a map (headers) whose every value is a secret, and the credential of `Bearer <token>`
 *   alone; each value printed `***`.
 */
export type SecretKind = 'whole' | 'userinfo' | 'path' | 'credentials' | 'values';

type TextSecretKind = Exclude<SecretKind, 'values'>;

/** Per settings key, how it is secret: text keys take a text kind, maps of text `values`. */
export type SecretFields<Settings> = {
  readonly [Key in keyof Settings]?: Settings[Key] extends string
    ? TextSecretKind
    : Settings[Key] extends Readonly<Record<string, string>>
      ? 'values'
      : never;
};

/** The raw secrets of `settings` by `fields` (empty values included; callers drop them). */
export function secretsOf<Settings extends object>(
  settings: Settings,
  fields: SecretFields<Settings>,
): string[] {
  return declared(fields).flatMap(([key, kind]) => {
    const value: unknown = settings[key];
    if (kind === 'values') return headerSecrets(value as Record<string, string>);
    return kind === 'credentials' ? urlCredentials(value as string) : [value as string];
  });
}

/** `settings` as `config check` prints them: every secret field masked by its kind. */
export function maskedSettings<Settings extends object>(
  settings: Settings,
  fields: SecretFields<Settings>,
): Settings {
  const masked = { ...settings };
  for (const [key, kind] of declared(fields)) {
    masked[key] = maskField(settings[key], kind) as Settings[typeof key];
  }
  return masked;
}

function maskField(value: unknown, kind: SecretKind): unknown {
  switch (kind) {
    case 'whole':
      return value === '' ? '' : MASK;
    case 'userinfo':
    case 'credentials':
      return safeUrl(value as string, { userinfo: 'mask' });
    case 'path':
      return safeUrl(value as string, { userinfo: 'mask', path: 'mask' });
    case 'values':
      return Object.fromEntries(Object.keys(value as Record<string, string>).map((name) => [name, MASK]));
    default:
      return assertNever(kind);
  }
}

function declared<Settings>(fields: SecretFields<Settings>): [keyof Settings, SecretKind][] {
  return (Object.keys(fields) as (keyof Settings)[]).flatMap((key) => {
    const kind = fields[key] as SecretKind | undefined;
    return kind === undefined ? [] : [[key, kind] as [keyof Settings, SecretKind]];
  });
}
