/**
 * `/api/events` is bounded: at most 100 listeners at once (503 beyond), and a listener that does
 * not read what it is sent is dropped instead of growing the server's memory.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsChannel } from '../../src/board/event-hub.js';
import { connectTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { type BoardMesh, basicAuth, type EventStream, openEvents, startBoardMesh } from './support.js';

/** A listener on a bare socket: it reads only what the test tells it to. */
interface RawListener {
  socket: Socket;
  /** Everything received while reading. */
  received(): string;
  closed: Promise<void>;
}

function listen(mesh: BoardMesh): Promise<RawListener> {
  const { hostname, port } = new URL(mesh.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `GET /api/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: ${basicAuth()}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      resolve({ socket, received: () => text, closed });
    });
  });
}

describe('/api/events limits', () => {
  let mesh: BoardMesh;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    mesh = await startBoardMesh({ roles: ['server'] });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('answers 503 past 100 listeners, and takes a new one once one leaves', async () => {
    const listeners = await Promise.all(Array.from({ length: 100 }, () => listen(mesh)));
    sockets.push(...listeners.map((listener) => listener.socket));
    await waitFor(
      () => listeners.every((listener) => listener.received().startsWith('HTTP/1.1 200')),
      '100 listeners streaming',
    );

    const refused = await mesh.get('/api/events');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ error: 'too many event streams (at most 100 at once)' });

    listeners[0]?.socket.destroy();
    await waitFor(async () => {
      const response = await mesh.get('/api/events', { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return response.status === 200;
    }, 'a place for a new listener');
  });

  describe('a listener that stops reading', () => {
    let healthy: EventStream;

    afterEach(() => healthy?.close());

    it('is dropped once its unsent output passes 1 MiB, while others go on', async () => {
      // The listeners of the test before are gone once the server has seen their sockets close.
      healthy = await waitFor(() => openEvents(mesh).catch(() => null), 'a place to listen');
      const slow = await listen(mesh);
      sockets.push(slow.socket);
      await waitFor(() => slow.received().includes('event: mesh'), 'the slow listener to start');
      slow.socket.pause();

      // Alerts of 256 KiB each, until the server gives up on the slow listener: the kernel's socket
      // buffers take several MiB first.
      const redis = connectTestRedis();
      const message = 'm'.repeat(256 * 1024);
      const dropped = () => mesh.logs.some((line) => line.includes('dropped a listener'));
      try {
        for (let n = 0; n < 400 && !dropped(); n += 1) {
          const alert = { id: `big-${n}`, kind: 'degraded', message };
          await redis.publish(eventsChannel(mesh.prefix), JSON.stringify({ type: 'alert', alert }));
        }
        await waitFor(dropped, 'the slow listener to be dropped');
        slow.socket.resume();
        await slow.closed;

        const alert = { id: 'after-the-drop', kind: 'degraded', message: 'small' };
        await redis.publish(eventsChannel(mesh.prefix), JSON.stringify({ type: 'alert', alert }));
        await healthy.next(
          ({ event, data }) => event === 'alert' && (data as { id: string }).id === 'after-the-drop',
          { timeoutMs: 20_000 },
        );
      } finally {
        redis.disconnect();
      }
    });
  });
});
