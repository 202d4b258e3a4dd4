/** Bull Board at `/board` (behind the app's auth): every queue, with retry, promote and clean. */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type express from 'express';
import { Router } from 'express';
import type { MeshQueues } from './queues.js';
import { BULL_BOARD_CSP } from './security.js';

export const BOARD_PATH = '/board';

export function bullBoardRouter(queues: MeshQueues): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const board = createBullBoard({
    queues: queues.list().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'gpu-mesh' } },
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
