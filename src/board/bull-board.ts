/**
 * Bull Board at `/board` (behind the app's auth): every queue, with retry, promote and clean, and
 * nothing else that changes a queue (guarantee 7, docs/guarantees.md).
 *
 * Bull Board's own guards do not fit: `readOnlyMode` also takes retry away, and `allowRetries:
 * false` only hides buttons. So every queue is writable as far as Bull Board knows, and its
 * `before` hook, which runs once Bull Board has picked the route a request goes to, lets through
 * reads and the changes listed below and refuses every other one with 403: pause and resume (one
 * queue or all), add, update-data, delay and priority, obliterate, empty, concurrency and rate
 * limits, job schedulers, and any route a later Bull Board adds.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type express from 'express';
import { Router } from 'express';
import type { MeshQueues } from './queues.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from './request-redis.js';
import { BULL_BOARD_CSP } from './security.js';

export const BOARD_PATH = '/board';

type BoardHooks = NonNullable<NonNullable<Parameters<typeof createBullBoard>[0]['options']>['handlerHooks']>;
type BoardHookContext = Parameters<NonNullable<BoardHooks['before']>>[0];

/** The changes a person may make from the board, as Bull Board names its routes. */
const ALLOWED_CHANGES = new Set([
  'put /api/queues/:queueName/retry/:queueStatus',
  'put /api/queues/:queueName/:jobId/retry',
  'put /api/queues/:queueName/promote',
  'put /api/queues/:queueName/:jobId/promote',
  'put /api/queues/:queueName/clean/:queueStatus',
  'put /api/queues/:queueName/:jobId/clean',
]);

/** What "clean all" may clear: the finished jobs and the delayed ones, as Bull Board's UI offers. */
const CLEANABLE_STATUSES = new Set(['completed', 'failed', 'delayed']);

/** Why a request to Bull Board's API is refused, or null when it may go on. */
export function boardRefusal(
  method: string,
  route: string,
  params: Record<string, unknown> = {},
): string | null {
  const verb = method.toLowerCase();
  if (verb === 'get' || verb === 'head') return null;
  if (!ALLOWED_CHANGES.has(`${verb} ${route}`)) {
    return `gpu-mesh allows only retry, promote and clean from Bull Board (refused: ${verb.toUpperCase()} ${route})`;
  }
  if (route.endsWith('/clean/:queueStatus') && !CLEANABLE_STATUSES.has(String(params.queueStatus))) {
    return `gpu-mesh cleans only ${[...CLEANABLE_STATUSES].join(', ')} jobs from Bull Board`;
  }
  return null;
}

const guard: BoardHooks = {
  before: ({ method, route, request }: BoardHookContext) => {
    const message = boardRefusal(method, route, request.params);
    return message === null ? { allow: true } : { allow: false, status: 403, message };
  },
};

type BoardErrorHandler = Parameters<ExpressAdapter['setErrorHandler']>[0];

// Bull Board's type lists only the statuses its own handlers use; the adapter sends any.
const UNAVAILABLE_ANSWER = {
  status: 503,
  body: REDIS_UNAVAILABLE,
} as unknown as ReturnType<BoardErrorHandler>;

/** Bull Board's Express adapter, answering 503 `redis unavailable` as the rest of the server does. */
class MeshBoardAdapter extends ExpressAdapter {
  override setErrorHandler(handler: BoardErrorHandler): this {
    return super.setErrorHandler((error) =>
      isRedisUnavailable(error) ? UNAVAILABLE_ANSWER : handler(error),
    );
  }
}

export function bullBoardRouter(queues: MeshQueues): Router {
  const serverAdapter = new MeshBoardAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const board = createBullBoard({
    queues: queues.list().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'gpu-mesh' }, handlerHooks: guard },
  });
  const router = Router();
  router.use((_req, res, next) => {
    const changes = queues.sync();
    for (const queue of changes.added) board.addQueue(new BullMQAdapter(queue));
    for (const name of changes.removed) board.removeQueue(name);
    res.set('Content-Security-Policy', BULL_BOARD_CSP);
    next();
  });
  const boardApp: express.Express = serverAdapter.getRouter();
  boardApp.disable('x-powered-by');
  router.use(boardApp);
  return router;
}
