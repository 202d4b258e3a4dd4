/**
 * `/api/events` reads the mesh at once when the store publishes a routing change (a node's status
 * or models), not only on its once-a-second poll: a status shorter than the poll still reaches
 * the dashboard. Here the poll is an hour apart, so only the push can deliver the change.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/board/event-hub.js';
import { routingChannel } from '../../src/mesh/routing.js';
import type { MeshView, NodeView } from '../../src/mesh/view.js';
import { connectTestRedis, uniquePrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, type EventStream, openEvents } from './support.js';

function meshWith(status: NodeView['status']): MeshView {
  const node = { id: 'n1', name: 'n1', status } as NodeView;
  return {
    healthPercent: status === 'healthy' ? 100 : 0,
    healthy: status === 'healthy' ? 1 : 0,
    total: 1,
    nodes: [node],
  };
}

describe('/api/events on a routing change', () => {
  const prefix = uniquePrefix();
  const publisher = connectTestRedis();
  let status: NodeView['status'] = 'healthy';
  let hub: EventHub;
  let server: Server;
  let events: EventStream;

  beforeAll(async () => {
    hub = new EventHub({
      read: async () => ({ mesh: meshWith(status), telemetry: new Map() }),
      subscriber: connectTestRedis,
      channel: `${prefix}:events`,
      routingChannel: routingChannel(prefix),
      logger: pino({ level: 'silent' }),
      pollMs: 3_600_000,
    });
    const app = express();
    app.get('/api/events', (_req, res) => void hub.add(res));
    server = app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    events = await openEvents({
      get: (path: string, init?: RequestInit) => fetch(url + path, init),
    } as BoardMesh);
    await events.next(({ event, data }) => event === 'node' && (data as NodeView).status === 'healthy');
  });
  afterAll(async () => {
    events?.close();
    await hub?.close();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    publisher.disconnect();
  });

  it('sends the node as it is now, each time a change is published', async () => {
    for (const next of ['degraded', 'unhealthy', 'recovering', 'healthy'] as const) {
      status = next;
      const mark = events.mark();
      // The subscription may still be on its way: publish until the hub has heard one.
      await waitFor(
        async () => (await publisher.publish(routingChannel(prefix), JSON.stringify({ id: 'n1' }))) > 0,
        'the hub to hear a routing change',
      );
      const { data } = await events.next(({ event }) => event === 'node', { after: mark });
      expect((data as NodeView).status).toBe(next);
    }
  });
});
