/**
 * SPEC Guarantee 9 over HTTP: with Redis frozen (SIGSTOP: connections stay open, nothing answers)
 * or gone (killed: connections refused), every route answers within 2 s, and everything answers
 * again once Redis is back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, redisAnswers } from '../../src/runtime/private-redis.js';
import { waitFor } from '../helpers/wait.js';
import { AGENT_NODE, type BoardMesh, startBoardMesh } from './support.js';

/** A `redis-server` of this test's own, which it freezes, thaws, kills and starts again. */
class DisposableRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<DisposableRedis> {
    const redis = new DisposableRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(() => redisAnswers(this.url, 300), `redis-server on port ${this.port}`);
  }

  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }
}

/** Every route of SPEC "HTTP" that reads or writes Redis, and what it answers while Redis is away. */
const DATA_ROUTES: [method: string, path: string, body?: object][] = [
  ['GET', '/api/mesh'],
  ['GET', '/api/nodes/sim-1'],
  ['POST', '/api/nodes/sim-1/check'],
  ['POST', `/api/nodes/${AGENT_NODE}/recover`],
  ['POST', '/api/nodes/sim-1/silence', { for: '1h' }],
  ['DELETE', '/api/nodes/sim-1/silence'],
  ['GET', '/api/alerts'],
  ['GET', '/api/reports/latest'],
  ['GET', '/api/events'],
  ['GET', '/metrics'],
  ['GET', '/board/api/queues'],
  ['PUT', '/board/api/queues/recovery/retry/failed'],
];

const SPEC_LIMIT_MS = 2000;

interface Answer {
  route: string;
  status: number;
  body: unknown;
  ms: number;
}

async function ask(mesh: BoardMesh, method: string, path: string, body?: object): Promise<Answer> {
  const started = performance.now();
  const response = await mesh.get(path, {
    method,
    signal: AbortSignal.timeout(10_000),
    ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: compared as text
  }
  return { route: `${method} ${path}`, status: response.status, body: parsed, ms };
}

/** All routes at once, as a dashboard, a scraper and a person would. */
async function askEverything(mesh: BoardMesh): Promise<Answer[]> {
  return Promise.all([
    ask(mesh, 'GET', '/healthz'),
    ask(mesh, 'GET', '/readyz'),
    ...DATA_ROUTES.map(([method, path, body]) => ask(mesh, method, path, body)),
  ]);
}

function expectUnavailableInTime(answers: Answer[]): void {
  const [healthz, readyz, ...data] = answers;
  expect(healthz).toMatchObject({ status: 200, body: { status: 'ok' } });
  expect(readyz).toMatchObject({ status: 503, body: { error: 'redis unavailable' } });
  for (const answer of data) {
    expect({ route: answer.route, status: answer.status, body: answer.body }).toEqual({
      route: answer.route,
      status: 503,
      body: { error: 'redis unavailable' },
    });
  }
  for (const answer of answers) expect(answer.ms, answer.route).toBeLessThan(SPEC_LIMIT_MS);
}

/** Redis is back: every read answers 200 (the actions need a worker, which this server-only mesh lacks). */
async function expectAnsweringAgain(mesh: BoardMesh): Promise<void> {
  await waitFor(async () => (await ask(mesh, 'GET', '/readyz')).status === 200, 'ready again', 10_000);
  for (const path of ['/api/mesh', '/api/nodes/sim-1', '/api/alerts', '/metrics', '/board/api/queues']) {
    expect((await ask(mesh, 'GET', path)).status, path).toBe(200);
  }
  const silence = await ask(mesh, 'POST', '/api/nodes/sim-1/silence', { for: '1h' });
  expect(silence.status).toBe(200);
  expect((await ask(mesh, 'DELETE', '/api/nodes/sim-1/silence')).status).toBe(200);
  const events = await mesh.get('/api/events', { signal: AbortSignal.timeout(5000) });
  expect(events.status).toBe(200);
  await events.body?.cancel();
}

describe('the server while Redis is unreachable', () => {
  let redis: DisposableRedis;
  let mesh: BoardMesh;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    mesh = await startBoardMesh({ redisUrl: redis.url, roles: ['server'], withAgentNode: true });
    expect((await ask(mesh, 'GET', '/api/mesh')).status).toBe(200);
  });
  afterAll(async () => {
    redis?.thaw();
    await mesh?.stop();
    await redis?.kill();
  });

  it('answers every route within 2 s while Redis is frozen, and 200 again once it thaws', async () => {
    redis.freeze();
    try {
      expectUnavailableInTime(await askEverything(mesh));
    } finally {
      redis.thaw();
    }
    await expectAnsweringAgain(mesh);
  });

  it('answers every route within 2 s while Redis refuses connections, and 200 again once it is back', async () => {
    await redis.kill();
    expectUnavailableInTime(await askEverything(mesh));
    await redis.restart();
    await expectAnsweringAgain(mesh);
  });
});
