/**
 * The prompt prefix of a request, for `affinity` (docs/gateway.md: the first `prefixChars` characters of the
 * system prompt and messages, or the prompt). Requests that share it land on the node whose
 * KV cache already holds it. Reads the fields of every proxied route's body; pure.
 */

/** The first `limit` characters of `system`, `messages`' contents, `prompt` and `input`, in that order. */
export function promptPrefix(body: Readonly<Record<string, unknown>>, limit: number): string {
  const parts: string[] = [];
  let length = 0;
  const add = (text: unknown): boolean => {
    if (typeof text !== 'string' || text === '') return length < limit;
    parts.push(text);
    length += text.length;
    return length < limit;
  };
  const addAll = (value: unknown): boolean => {
    if (!Array.isArray(value)) return add(value);
    for (const item of value) if (!add(item)) return false;
    return true;
  };
  if (!add(body.system)) return finish(parts, limit);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!addMessage(message, add)) return finish(parts, limit);
    }
  }
  if (!addAll(body.prompt)) return finish(parts, limit);
  addAll(body.input);
  return finish(parts, limit);
}

/** A message's text: `content` as a string, or the `text` of its parts (OpenAI's content array). */
function addMessage(message: unknown, add: (text: unknown) => boolean): boolean {
  if (typeof message !== 'object' || message === null) return true;
  const content = (message as { content?: unknown }).content;
  if (!Array.isArray(content)) return add(content);
  for (const part of content) {
    if (typeof part === 'object' && part !== null && !add((part as { text?: unknown }).text)) return false;
  }
  return true;
}

function finish(parts: readonly string[], limit: number): string {
  const text = parts.join('\n');
  return text.length > limit ? text.slice(0, limit) : text;
}
