/**
 * The inference gateway (SPEC "Inference gateway"), measured against going to the node directly:
 * - added latency of a small non-streamed generation at concurrency 1 and 32: A/B interleaved
 *   (each client alternates direct and through the gateway, to the same node, in the same run);
 * - the gateway process's CPU per request, and per streamed chunk (a chunk: one token line, the
 *   node writing each in its own packet, 1 ms apart);
 * - failover: streamed generations at 200 req/s over 3 nodes, one node's process SIGKILLed in
 *   the middle: client-visible errors before the first byte (goal: 0), streams cut mid-answer
 *   (each must end with an in-band error line), requests that failed over;
 * - a cold load longer than `headerTimeout.warm` on a model no node has loaded: not aborted.
 * Every node is a simulator process of its own (so that one can be killed); the mesh is one
 * `scheduler,worker` process checking every second; each gateway is a process of its own.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivateRedis } from '../src/runtime/private-redis.js';
import { startMesh, startSimulatorProcess } from './fleet.js';
import { control, poolFor, type StreamResult, streamGenerate, timedGenerate } from './gateway-client.js';
import { percentile, processCpuSplit } from './measure.js';

// Above the throughput fleet (21000-23000), below detection (24001) and alert latency (26001).
const FIRST_PORT = 23201;
const NODES = 3;
const GATEWAY_PORTS = [23301, 23302];

export interface LatencyRun {
  concurrency: number;
  pairs: number;
  directP50Ms: number;
  directP99Ms: number;
  gatewayP50Ms: number;
  gatewayP99Ms: number;
  addedP50Ms: number;
  addedP99Ms: number;
  /** User + system CPU of the gateway process per request through it. */
  cpuUsPerRequest: number;
  /** Of which user (JavaScript, the gateway's own work); system is mostly loopback TCP. */
  userUsPerRequest: number;
}

export interface FailoverRun {
  seconds: number;
  requests: number;
  ok: number;
  /** Requests that failed before their first byte, as the client saw them (goal: 0). */
  errorsBeforeFirstByte: number;
  /** Streams the killed node was in the middle of: ended by an in-band error line. */
  inBandErrors: number;
  /** The first in-band error line, as the client read it. */
  inBandExample: string | null;
  /** Streams that broke without an in-band error (goal: 0). */
  brokenStreams: number;
  /** Requests answered after more than one attempt. */
  failedOver: number;
}

export interface GatewayBenchResult {
  latency: LatencyRun[];
  streaming: { streams: number; chunks: number; cpuUsPerChunk: number; userUsPerChunk: number };
  failover: FailoverRun;
  coldLoad: { loadMs: number; warmTimeoutMs: number; status: number; attempts: number; tookMs: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runGatewayBench(smoke: boolean): Promise<GatewayBenchResult> {
  const redis = await startPrivateRedis();
  const children: ChildProcess[] = [];
  try {
    const simulators: ChildProcess[] = [];
    const nodePorts: number[] = [];
    for (let i = 0; i < NODES; i++) {
      const port = FIRST_PORT + 2 * i;
      simulators.push(await startSimulatorProcess(1, port));
      nodePorts.push(port);
    }
    children.push(...simulators);
    const nodeUrl = (i: number) => `http://127.0.0.1:${nodePorts[i]}`;
    const controlUrl = (i: number) => `http://127.0.0.1:${(nodePorts[i] ?? 0) - 1}`;
    const dir = mkdtempSync(join(tmpdir(), 'gpu-mesh-bench-gateway-'));
    const config = (nodes: number, gatewayPort: number, warm: string) => {
      const path = join(dir, `mesh-${gatewayPort}-${nodes}.yaml`);
      const lines = [
        `redis: { url: "${redis.url}", prefix: gwbench }`,
        'checks: { interval: 1s, timeout: 1s, retryInterval: 500ms }',
        'keepalive: { watch: false }',
        'log: { level: warn }',
        `gateway: { port: ${gatewayPort}, headerTimeout: { warm: ${warm}, cold: 30s } }`,
        'nodes:',
        ...nodePorts
          .slice(0, nodes)
          .map((port, i) => `  - { id: n${i + 1}, url: "http://127.0.0.1:${port}" }`),
      ];
      writeFileSync(path, lines.join('\n'));
      return path;
    };
    const mesh = startMesh(config(NODES, 0, '30s'), 'scheduler,worker');
    children.push(mesh);
    // The latency gateway routes to n1 only, so that both paths reach the same node.
    const latencyGateway = startMesh(config(1, GATEWAY_PORTS[0] ?? 0, '30s'), 'gateway');
    children.push(latencyGateway);
    const gatewayUrl = `http://127.0.0.1:${GATEWAY_PORTS[0]}`;
    await waitReady(gatewayUrl, 1);

    const direct = poolFor(nodeUrl(0));
    const through = poolFor(gatewayUrl);
    const gatewayCpu = () => processCpuSplit(latencyGateway.pid ?? 0);
    // Warm-up: the JIT compiles the request path (a cold one costs several times the CPU).
    await interleaved(direct, through, 8, smoke ? 3000 : 10_000, gatewayCpu);
    const latency = [
      await interleaved(direct, through, 1, smoke ? 1000 : 10_000, gatewayCpu),
      await interleaved(direct, through, 32, smoke ? 4000 : 40_000, gatewayCpu),
    ];
    const streaming = await streamCost(
      through,
      controlUrl(0),
      smoke ? 32 : 128,
      smoke ? 200 : 500,
      gatewayCpu,
      latency,
    );
    await Promise.all([direct.close(), through.close()]);

    const failoverGateway = startMesh(config(NODES, GATEWAY_PORTS[1] ?? 0, '2s'), 'gateway');
    children.push(failoverGateway);
    const failoverUrl = `http://127.0.0.1:${GATEWAY_PORTS[1]}`;
    await waitReady(failoverUrl, NODES);
    const failover = await killUnderLoad(failoverUrl, controlUrl, simulators[1], smoke ? 6 : 20);
    const coldLoad = await coldLoadBeyondWarm(failoverUrl, controlUrl);
    return { latency, streaming, failover, coldLoad };
  } finally {
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(running.map((child) => new Promise((done) => child.once('exit', done))));
    await redis.stop();
  }
}

async function waitReady(url: string, nodes: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/readyz`);
      if (((await response.json()) as { nodes: number }).nodes === nodes) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway ${url} never routed to ${nodes} nodes`);
    await sleep(100);
  }
}

/** `pairs` requests each way; every client alternates which path goes first. */
async function interleaved(
  direct: ReturnType<typeof poolFor>,
  through: ReturnType<typeof poolFor>,
  concurrency: number,
  pairs: number,
  gatewayCpu: () => Cpu,
): Promise<LatencyRun> {
  const directMs: number[] = [];
  const gatewayMs: number[] = [];
  let next = 0;
  const cpuBefore = gatewayCpu();
  const client = async () => {
    while (next < pairs) {
      const i = next++;
      if (i % 2 === 0) {
        directMs.push(await timedGenerate(direct));
        gatewayMs.push(await timedGenerate(through));
      } else {
        gatewayMs.push(await timedGenerate(through));
        directMs.push(await timedGenerate(direct));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const cpu = cpuSince(cpuBefore, gatewayCpu());
  directMs.sort((a, b) => a - b);
  gatewayMs.sort((a, b) => a - b);
  const p = (values: number[], q: number) => round3(percentile(values, q));
  return {
    concurrency,
    pairs,
    directP50Ms: p(directMs, 50),
    directP99Ms: p(directMs, 99),
    gatewayP50Ms: p(gatewayMs, 50),
    gatewayP99Ms: p(gatewayMs, 99),
    addedP50Ms: round3(percentile(gatewayMs, 50) - percentile(directMs, 50)),
    addedP99Ms: round3(percentile(gatewayMs, 99) - percentile(directMs, 99)),
    cpuUsPerRequest: Math.round((cpu.total * 1e6) / gatewayMs.length),
    userUsPerRequest: Math.round((cpu.user * 1e6) / gatewayMs.length),
  };
}

/** CPU per streamed chunk: `streams` generations of `tokens` tokens, 1 ms apart, 32 at a time. */
async function streamCost(
  through: ReturnType<typeof poolFor>,
  controlUrl: string,
  streams: number,
  tokens: number,
  gatewayCpu: () => Cpu,
  latency: LatencyRun[],
): Promise<GatewayBenchResult['streaming']> {
  await control(controlUrl, '/nodes/sim-1/stream', { tokens, chunkDelayMs: 1 });
  const cpuBefore = gatewayCpu();
  let chunks = 0;
  let started = 0;
  const client = async () => {
    while (started < streams) {
      started += 1;
      const result = await streamGenerate(through);
      if (result.error !== null) throw new Error(`stream failed: ${result.error}`);
      chunks += result.lines;
    }
  };
  await Promise.all(Array.from({ length: 32 }, client));
  const cpu = cpuSince(cpuBefore, gatewayCpu());
  await control(controlUrl, '/nodes/sim-1/stream', { tokens: 2, chunkDelayMs: 0 });
  // The requests' own cost (measured above at c=32) is not the chunks'.
  const request = latency.at(-1);
  return {
    streams,
    chunks,
    cpuUsPerChunk: round3((cpu.total * 1e6 - (request?.cpuUsPerRequest ?? 0) * streams) / chunks),
    userUsPerChunk: round3((cpu.user * 1e6 - (request?.userUsPerRequest ?? 0) * streams) / chunks),
  };
}

/** 200 streamed generations a second; one node's simulator process SIGKILLed a third of the way in. */
async function killUnderLoad(
  gatewayUrl: string,
  controlUrl: (i: number) => string,
  victim: ChildProcess | undefined,
  seconds: number,
): Promise<FailoverRun> {
  for (let i = 0; i < NODES; i++)
    await control(controlUrl(i), '/nodes/sim-1/stream', { tokens: 20, chunkDelayMs: 10 });
  const pool = poolFor(gatewayUrl);
  const pending: Promise<StreamResult>[] = [];
  const started = performance.now();
  let killed = false;
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    const due = started + i * 5;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (!killed && performance.now() - started > (seconds * 1000) / 3) {
      victim?.kill('SIGKILL');
      killed = true;
    }
    pending.push(streamGenerate(pool));
  }
  const results = await Promise.all(pending);
  await pool.close();
  return {
    seconds,
    requests: results.length,
    ok: results.filter((r) => r.status === 200 && r.error === null && r.inBandError === null).length,
    errorsBeforeFirstByte: results.filter((r) => !r.started || r.status !== 200).length,
    inBandErrors: results.filter((r) => r.status === 200 && r.inBandError !== null).length,
    brokenStreams: results.filter((r) => r.status === 200 && r.error !== null && r.inBandError === null)
      .length,
    failedOver: results.filter((r) => r.attempts > 1).length,
    inBandExample: results.find((r) => r.inBandError !== null)?.inBandError ?? null,
  };
}

/** A model no node has loaded, a load of 3 s against `headerTimeout.warm` 2 s. */
async function coldLoadBeyondWarm(
  gatewayUrl: string,
  controlUrl: (i: number) => string,
): Promise<GatewayBenchResult['coldLoad']> {
  const loadMs = 3000;
  for (const i of [0, 2])
    await control(controlUrl(i), '/nodes/sim-1/stream', { tokens: 2, chunkDelayMs: 0, loadDelayMs: loadMs });
  const started = performance.now();
  const response = await fetch(`${gatewayUrl}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model: 'mistral', prompt: 'hi', stream: false }),
  });
  await response.arrayBuffer();
  return {
    loadMs,
    warmTimeoutMs: 2000,
    status: response.status,
    attempts: Number(response.headers.get('x-gpu-mesh-attempts')),
    tookMs: Math.round(performance.now() - started),
  };
}

type Cpu = { user: number; system: number };

function cpuSince(before: Cpu, after: Cpu): { total: number; user: number } {
  const user = after.user - before.user;
  return { total: user + after.system - before.system, user };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function printGatewayBench(result: GatewayBenchResult): void {
  console.log('\ngateway: a small non-streamed generation, A/B interleaved against the node directly');
  console.log(
    '| concurrency | pairs | direct p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms | gateway CPU µs/request (user) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const run of result.latency) {
    console.log(
      `| ${run.concurrency} | ${run.pairs} | ${run.directP50Ms} / ${run.directP99Ms} | ${run.gatewayP50Ms} / ${run.gatewayP99Ms} | ${run.addedP50Ms} / ${run.addedP99Ms} | ${run.cpuUsPerRequest} (${run.userUsPerRequest}) |`,
    );
  }
  const { streaming, failover, coldLoad } = result;
  console.log(
    `streaming: ${streaming.streams} streams, ${streaming.chunks} chunks, gateway CPU ${streaming.cpuUsPerChunk} µs per chunk (user ${streaming.userUsPerChunk})`,
  );
  console.log(
    `failover (${failover.seconds} s at 200 req/s, one node SIGKILLed): ${failover.requests} requests, ${failover.ok} ok, ${failover.errorsBeforeFirstByte} errors before the first byte, ${failover.inBandErrors} ended mid-stream with an in-band error, ${failover.brokenStreams} broken without one, ${failover.failedOver} failed over; in-band: ${failover.inBandExample}`,
  );
  console.log(
    `cold load of ${coldLoad.loadMs} ms past headerTimeout.warm ${coldLoad.warmTimeoutMs} ms: HTTP ${coldLoad.status} after ${coldLoad.tookMs} ms in ${coldLoad.attempts} attempt(s)`,
  );
  console.log(JSON.stringify({ bench: 'gateway', ...result }));
}
