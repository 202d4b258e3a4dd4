import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TelemetrySnapshot, writeTelemetry } from '../../src/agent/telemetry.js';
import type { NodeView } from '../../src/mesh/view.js';
import { connectTestRedis } from '../helpers/redis.js';
import { type BoardMesh, type EventStream, openEvents, startBoardMesh } from './support.js';

describe('/api/events', () => {
  let mesh: BoardMesh;
  let events: EventStream;

  beforeAll(async () => {
    mesh = await startBoardMesh();
    events = await openEvents(mesh);
  });
  afterAll(async () => {
    events?.close();
    await mesh?.stop();
  });

  it('answers as a server-sent event stream', async () => {
    const response = await mesh.get('/api/events', { signal: AbortSignal.timeout(2000) });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toMatch(/no-cache/);
    await response.body?.cancel();
  });

  it('starts with the mesh and every node', async () => {
    await events.next(({ event }) => event === 'mesh');
    await events.next(({ event, data }) => event === 'node' && (data as NodeView).id === 'sim-1');
    await events.next(({ event, data }) => event === 'node' && (data as NodeView).id === 'sim-2');
  });

  it('sends a node event when a node dies', async () => {
    await events.next(({ event, data }) => event === 'node' && (data as NodeView).status === 'healthy');
    await mesh.simulator.setMode('sim-2', 'dead');
    const { data } = await events.next(
      ({ event, data }) =>
        event === 'node' && (data as NodeView).id === 'sim-2' && (data as NodeView).status === 'unhealthy',
    );
    expect((data as NodeView).lastError).toBe('connection refused');
    await events.next(({ event, data }) => event === 'mesh' && (data as { healthy: number }).healthy === 1);
  });

  it('sends the GPU telemetry an agent reports, and its disappearance', async () => {
    const snapshot: TelemetrySnapshot = {
      at: new Date().toISOString(),
      error: null,
      gpus: [
        {
          index: 0,
          name: 'NVIDIA H200',
          memoryTotalBytes: 150_754_820_096,
          memoryUsedBytes: 33_934_016_512,
          utilizationPercent: 100,
          temperatureC: 52,
          powerDrawW: 627.4,
          powerLimitW: 700,
        },
      ],
    };
    await events.next(
      ({ event, data }) => event === 'telemetry' && (data as { nodeId: string }).nodeId === 'sim-1',
    );
    const redis = connectTestRedis();
    try {
      await writeTelemetry(redis, mesh.prefix, 'sim-1', snapshot, 60_000);
      const { data } = await events.next(
        ({ event, data }) => event === 'telemetry' && (data as { telemetry: unknown }).telemetry !== null,
      );
      expect(data).toEqual({ nodeId: 'sim-1', telemetry: snapshot });
      const mark = events.mark();
      await redis.del(`${mesh.prefix}:telemetry:sim-1`);
      const gone = await events.next(({ event }) => event === 'telemetry', { after: mark });
      expect(gone.data).toEqual({ nodeId: 'sim-1', telemetry: null });
    } finally {
      redis.disconnect();
    }
  });

  it('relays the alerts published on the events channel', async () => {
    const alert = {
      id: 'relay-test',
      at: new Date().toISOString(),
      severity: 'ERROR',
      kind: 'unhealthy',
      nodeId: 'sim-2',
      incidentId: 'sim-2:1',
      title: 'sim-2 unhealthy',
      message: 'connection refused',
    };
    const redis = connectTestRedis();
    try {
      await redis.publish(`${mesh.prefix}:events`, 'not json');
      await redis.publish(`${mesh.prefix}:events`, JSON.stringify({ type: 'something-else' }));
      await redis.publish(`${mesh.prefix}:events`, JSON.stringify({ type: 'alert', alert }));
      const { data } = await events.next(
        ({ event, data }) => event === 'alert' && (data as { id: string }).id === alert.id,
      );
      expect(data).toEqual(alert);
    } finally {
      redis.disconnect();
    }
  });
});
