/**
 * A mistake in the configuration the user can fix. Its message is one line,
 * `config: <where>: <what is wrong>`, printed as is by the CLI (exit 2), never with a stack.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /** @param where a key path (`nodes[1].url`), a file, or a file and line (`mesh.yaml line 3`). */
  constructor(where: string, problem: string, options?: ErrorOptions) {
    super(`config: ${where}: ${problem}`, options);
  }
}
