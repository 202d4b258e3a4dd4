/**
 * The bodies of Ollama's inference routes as a simulated node writes them: NDJSON lines for
 * `/api/generate` and `/api/chat` (docs/api.md), server-sent events ending in `data: [DONE]` for
 * the OpenAI routes (docs/openai.md), and the embedding answers.
 */

export type InferenceRoute =
  | 'generate'
  | 'chat'
  | 'embed'
  | 'embeddings'
  | 'openai_chat'
  | 'openai_completion'
  | 'openai_embeddings';

export const INFERENCE_PATHS: Readonly<Record<string, InferenceRoute>> = {
  '/api/generate': 'generate',
  '/api/chat': 'chat',
  '/api/embed': 'embed',
  '/api/embeddings': 'embeddings',
  '/v1/chat/completions': 'openai_chat',
  '/v1/completions': 'openai_completion',
  '/v1/embeddings': 'openai_embeddings',
};

export function isOpenAi(route: InferenceRoute): boolean {
  return route.startsWith('openai_');
}

const EMBEDDING = [0.010071029, -0.0017594862, 0.05007221, 0.04692972];

function now(): string {
  return new Date().toISOString();
}

export function stats(evalCount: number) {
  return {
    total_duration: 48_213_542,
    load_duration: 10_234_123,
    prompt_eval_count: 26,
    prompt_eval_duration: 13_000_000,
    eval_count: evalCount,
    eval_duration: evalCount * 12_000_000,
  };
}

/** One streamed chunk carrying `token`, in the route's format (a whole NDJSON line or SSE event). */
export function tokenChunk(route: InferenceRoute, model: string, token: string): string {
  switch (route) {
    case 'chat':
      return `${JSON.stringify({ model, created_at: now(), message: { role: 'assistant', content: token }, done: false })}\n`;
    case 'openai_chat':
      return sse(chatChunk(model, { role: 'assistant', content: token }, null));
    case 'openai_completion':
      return sse(completionChunk(model, token, null));
    default:
      return `${JSON.stringify({ model, created_at: now(), response: token, done: false })}\n`;
  }
}

/** The stream's last chunk(s): the statistics line, or the finishing event and `[DONE]`. */
export function finalChunk(route: InferenceRoute, model: string, doneReason: string, count: number): string {
  switch (route) {
    case 'chat':
      return `${JSON.stringify({ ...chatDone(model, '', doneReason), ...stats(count) })}\n`;
    case 'openai_chat':
      return `${sse(chatChunk(model, { role: 'assistant', content: '' }, doneReason))}data: [DONE]\n\n`;
    case 'openai_completion':
      return `${sse(completionChunk(model, '', doneReason))}data: [DONE]\n\n`;
    default:
      return `${JSON.stringify({ ...generateDone(model, '', doneReason), context: [1, 2, 3], ...stats(count) })}\n`;
  }
}

/** A whole answer in one JSON object (`stream: false`). */
export function wholeAnswer(
  route: InferenceRoute,
  model: string,
  text: string,
  doneReason: string,
  count: number,
) {
  const usage = { prompt_tokens: 26, completion_tokens: count, total_tokens: 26 + count };
  switch (route) {
    case 'chat':
      return { ...chatDone(model, text, doneReason), ...stats(count) };
    case 'openai_chat':
      return {
        ...openAiHead('chatcmpl-1', 'chat.completion', model),
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: doneReason }],
        usage,
      };
    case 'openai_completion':
      return {
        ...openAiHead('cmpl-1', 'text_completion', model),
        choices: [{ text, index: 0, finish_reason: doneReason }],
        usage,
      };
    default:
      return { ...generateDone(model, text, doneReason), context: [1, 2, 3], ...stats(count) };
  }
}

/** The answer of an embedding route for `inputs` texts. */
export function embeddingAnswer(route: InferenceRoute, model: string, inputs: number) {
  switch (route) {
    case 'embeddings':
      return { embedding: EMBEDDING };
    case 'openai_embeddings':
      return {
        object: 'list',
        data: Array.from({ length: inputs }, (_, index) => ({
          object: 'embedding',
          embedding: EMBEDDING,
          index,
        })),
        model,
        usage: { prompt_tokens: 4 * inputs, total_tokens: 4 * inputs },
      };
    default:
      return {
        model,
        embeddings: Array.from({ length: inputs }, () => EMBEDDING),
        total_duration: 14_143_917,
        load_duration: 1_019_500,
        prompt_eval_count: 4 * inputs,
      };
  }
}

/** The answer to a load (empty prompt) or an unload (`keep_alive: 0`). */
export function loadAnswer(route: InferenceRoute, model: string, doneReason: 'load' | 'unload') {
  return route === 'chat' ? chatDone(model, '', doneReason) : generateDone(model, '', doneReason);
}

/** An error body as the route's API writes it (OpenAI's routes wrap it: docs/openai.md). */
export function errorBody(route: InferenceRoute, status: number, message: string): string {
  if (!isOpenAi(route)) return JSON.stringify({ error: message });
  const type = status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  return JSON.stringify({ error: { message, type, param: null, code: null } });
}

function generateDone(model: string, response: string, doneReason: string) {
  return { model, created_at: now(), response, done: true, done_reason: doneReason };
}

function chatDone(model: string, content: string, doneReason: string) {
  return {
    model,
    created_at: now(),
    message: { role: 'assistant', content },
    done: true,
    done_reason: doneReason,
  };
}

function openAiHead(id: string, object: string, model: string) {
  return { id, object, created: Math.floor(Date.now() / 1000), model, system_fingerprint: 'fp_ollama' };
}

function chatChunk(model: string, delta: { role: string; content: string }, finishReason: string | null) {
  return {
    ...openAiHead('chatcmpl-1', 'chat.completion.chunk', model),
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

function completionChunk(model: string, text: string, finishReason: string | null) {
  return {
    ...openAiHead('cmpl-1', 'text_completion', model),
    choices: [{ text, index: 0, finish_reason: finishReason }],
  };
}

function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}
