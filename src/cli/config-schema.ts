/** `gpu-mesh config schema`: the JSON Schema of mesh.yaml (docs/mesh.schema.json), for editors and CI. */
import { meshJsonSchema } from '../config/json-schema.js';

/** The text the command prints; docs/mesh.schema.json is this text. */
export function meshJsonSchemaText(): string {
  return `${JSON.stringify(meshJsonSchema(), null, 2)}\n`;
}

export async function runConfigSchema(): Promise<number> {
  process.stdout.write(meshJsonSchemaText());
  return 0;
}
