import { describe, expect, it } from 'vitest';
import { parseEndpoint } from '../../src/probes/endpoint.js';
import { RECONNECT_BASE_MS, RECONNECT_CAP_MS, reconnectDelay } from '../../src/watch/backoff.js';
import { headRequest, MAX_ANSWER_BYTES, parseHeadAnswer } from '../../src/watch/head.js';
import { TimingWheel, type WheelEntry } from '../../src/watch/wheel.js';

const entry = (): WheelEntry => ({ due: 0, slot: -1 });

describe('reconnectDelay', () => {
  it('draws the first retry from within the base window', () => {
    expect(reconnectDelay(0, 0)).toBe(0);
    expect(reconnectDelay(0, 0.999)).toBeLessThan(RECONNECT_BASE_MS);
  });

  it('doubles the window with each failed attempt', () => {
    expect(reconnectDelay(1, 0.5)).toBe(RECONNECT_BASE_MS);
    expect(reconnectDelay(3, 0.5)).toBe(4 * RECONNECT_BASE_MS);
  });

  it('never waits past the cap, however many attempts failed', () => {
    expect(reconnectDelay(50, 0.999)).toBeLessThan(RECONNECT_CAP_MS);
    expect(reconnectDelay(5000, 0.5)).toBe(RECONNECT_CAP_MS / 2);
  });
});

describe('TimingWheel', () => {
  it('hands an entry back at its due tick, never before', () => {
    const wheel = new TimingWheel(100, 0, 8);
    const a = entry();
    wheel.schedule(a, 250);
    expect(wheel.advance(200)).toEqual([]);
    expect(wheel.advance(299)).toEqual([]);
    expect(wheel.advance(300)).toEqual([a]);
    expect(a.slot).toBe(-1);
    expect(wheel.advance(1000)).toEqual([]);
  });

  it('keeps an entry more than a revolution away until its own revolution', () => {
    const wheel = new TimingWheel(100, 0, 8);
    const far = entry();
    wheel.schedule(far, 2050); // 2.5 revolutions of 800 ms
    for (let now = 100; now < 2100; now += 100) expect(wheel.advance(now)).toEqual([]);
    expect(wheel.advance(2100)).toEqual([far]);
  });

  it('visits every slot once when ticks were missed for longer than a revolution', () => {
    const wheel = new TimingWheel(100, 0, 8);
    const entries = [entry(), entry(), entry()];
    for (const [i, e] of entries.entries()) wheel.schedule(e, 100 + i * 300);
    expect(new Set(wheel.advance(5000))).toEqual(new Set(entries));
  });

  it('moves a rescheduled entry and forgets a cancelled one', () => {
    const wheel = new TimingWheel(100, 0, 8);
    const moved = entry();
    const cancelled = entry();
    wheel.schedule(moved, 100);
    wheel.schedule(moved, 500);
    wheel.schedule(cancelled, 100);
    wheel.cancel(cancelled);
    expect(wheel.advance(400)).toEqual([]);
    expect(wheel.advance(500)).toEqual([moved]);
  });

  it('puts an entry already due on the next tick', () => {
    const wheel = new TimingWheel(100, 1000, 8);
    const late = entry();
    wheel.schedule(late, 10);
    expect(wheel.advance(1100)).toEqual([late]);
  });
});

describe('headRequest', () => {
  it('asks for the base path with the Host a proxy routes by', () => {
    expect(headRequest(parseEndpoint('http://10.0.0.5:11434'))).toBe(
      'HEAD / HTTP/1.1\r\nHost: 10.0.0.5:11434\r\nUser-Agent: gpu-mesh-watch\r\n\r\n',
    );
    expect(headRequest(parseEndpoint('https://u:p@gpu.example/ollama/'))).toBe(
      'HEAD /ollama/ HTTP/1.1\r\nHost: gpu.example\r\nUser-Agent: gpu-mesh-watch\r\nAuthorization: Basic dTpw\r\n\r\n',
    );
  });

  it('brackets an IPv6 host', () => {
    expect(headRequest(parseEndpoint('http://[::1]:8080'))).toContain('Host: [::1]:8080\r\n');
  });
});

describe('parseHeadAnswer', () => {
  it('reads the status of a keep-alive answer', () => {
    const answer = parseHeadAnswer('HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n');
    expect(answer).toEqual({ kind: 'answer', status: 200, keepAlive: true, idleTimeoutMs: null, rest: '' });
  });

  it('waits for the end of the headers', () => {
    expect(parseHeadAnswer('HTTP/1.1 200 OK\r\nDate: x')).toEqual({ kind: 'incomplete' });
  });

  it('notices a server that closes after answering, and one that announces its idle timeout', () => {
    expect(parseHeadAnswer('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n')).toMatchObject({
      keepAlive: false,
    });
    expect(parseHeadAnswer('HTTP/1.0 200 OK\r\n\r\n')).toMatchObject({ keepAlive: false });
    expect(
      parseHeadAnswer('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n'),
    ).toMatchObject({ keepAlive: true, idleTimeoutMs: 5000 });
  });

  it('skips an interim 1xx answer', () => {
    expect(parseHeadAnswer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\n\r\n')).toMatchObject({
      status: 503,
    });
  });

  it('refuses what is not HTTP, and headers that never end', () => {
    expect(parseHeadAnswer('SSH-2.0-OpenSSH_9.6\r\n\r\n')).toEqual({
      kind: 'invalid',
      why: 'not an HTTP answer',
    });
    expect(parseHeadAnswer(`HTTP/1.1 200 OK\r\n${'x'.repeat(MAX_ANSWER_BYTES + 1)}`)).toMatchObject({
      kind: 'invalid',
    });
  });
});
