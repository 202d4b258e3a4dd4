import * as z from 'zod';

/*
 * What a mesh.yaml field accepts as written, for the fields whose zod schema parses text into another
 * type (a duration, a number from `${VAR}`, ...): JSON Schema cannot see through a transform, so the
 * schema's fields register here and `meshJsonSchema()` describes them from this (src/config/json-schema.ts).
 */
export type InputKind =
  /** A number, or the text of one (the number's own limits apply to the number only). */
  | { kind: 'number' }
  | { kind: 'flag' }
  | { kind: 'duration'; zeroMeansOff: boolean }
  | { kind: 'size' }
  | { kind: 'url'; schemes: readonly string[]; optional: boolean }
  | { kind: 'redis-url' }
  /** A node's `recovery:` whose `kind` may be left out (then it is `none`). */
  | { kind: 'recovery' };

export const inputKinds = z.registry<InputKind>();

/** Registers `schema` as `kind` and returns it. */
export function withInputKind<S extends z.ZodType>(schema: S, kind: InputKind): S {
  inputKinds.add(schema, kind);
  return schema;
}
