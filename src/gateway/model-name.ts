/**
 * Model names as Ollama resolves them: a name without a tag means `:latest` (`llama3.2` is
 * `llama3.2:latest`), and a registry host's port (`host:5000/ns/model`) is not a tag. Pure.
 */
export function fullModelName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  return name.indexOf(':', lastSlash + 1) === -1 ? `${name}:latest` : name;
}
