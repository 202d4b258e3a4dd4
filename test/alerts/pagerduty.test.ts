import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWithinDeadline } from '../../src/alerts/channels/deadline.js';
import {
  createPagerDutyChannel,
  pagerdutyEvent,
  pagerdutySeverity,
} from '../../src/alerts/channels/pagerduty.js';
import type { LoopbackHttpServer } from './helpers.js';
import {
  closedPort,
  errorChainText,
  makeAlert,
  makeContext,
  startHttpServer,
  timedRejection,
} from './helpers.js';
import { json, type PagerDutyPayload, type ServiceSink, startPagerDutySink } from './service-sinks.js';

const ROUTING_KEY = 'R0UTINGKEY0000000000000000000abc';
const never = new AbortController().signal;

let sink: ServiceSink | undefined;
let server: LoopbackHttpServer | undefined;
afterEach(async () => {
  await sink?.close();
  await server?.close();
  sink = undefined;
  server = undefined;
});

function channel(url: string, routingKey = ROUTING_KEY, timeout = 1_000) {
  return createPagerDutyChannel({ minSeverity: 'CRITICAL', routingKey, url, timeout });
}

const critical = makeAlert({
  severity: 'CRITICAL',
  kind: 'down_too_long',
  id: 'local:1767225600000:down_too_long',
});
const recovered = makeAlert({ severity: 'INFO', kind: 'recovered', id: 'local:1767225600000:recovered' });

describe('the PagerDuty channel', () => {
  it('triggers an Events API v2 alert keyed by the incident id, as PagerDuty documents it, and takes its 202', async () => {
    sink = await startPagerDutySink(ROUTING_KEY);

    await channel(`${sink.origin}/v2/enqueue`).send(critical, makeContext(), never);

    expect(sink.problems).toEqual([]);
    expect(sink.accepted).toHaveLength(1);
    const event = json<PagerDutyPayload>(sink.requests[0]);
    expect(event).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'local:1767225600000',
      payload: {
        summary: '[gpu-mesh] CRITICAL down_too_long: Local Ollama (local)',
        source: 'local',
        severity: 'critical',
        timestamp: critical.at,
        component: 'ollama',
        class: 'down_too_long',
        custom_details: { message: critical.message, Incident: 'local:1767225600000' },
      },
      client: 'gpu-mesh',
      client_url: 'http://127.0.0.1:3000/',
      links: [
        { href: 'http://127.0.0.1:3000/', text: 'Dashboard' },
        { href: 'http://127.0.0.1:3000/board', text: 'Bull Board' },
      ],
    });
  });

  it('resolves the same dedup_key on recovered, with no payload', async () => {
    sink = await startPagerDutySink(ROUTING_KEY);
    const pagerduty = channel(`${sink.origin}/v2/enqueue`);

    await pagerduty.send(critical, makeContext(), never);
    await pagerduty.send(recovered, makeContext({ nodeStatus: 'healthy' }), never);

    expect(sink.problems).toEqual([]);
    const [trigger, resolve] = sink.requests.map((request) => json<PagerDutyPayload>(request));
    expect(resolve).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger?.dedup_key,
    });
  });

  it('keys an alert outside an incident (a soft signal) by its own id, and a mesh-wide one by its source `gpu-mesh`', () => {
    const soft = makeAlert({
      id: 'local:gpu_fallback:llama3:1767225600000',
      kind: 'gpu_fallback',
      severity: 'WARNING',
      incidentId: null,
    });
    expect(pagerdutyEvent(soft, makeContext(), ROUTING_KEY)).toMatchObject({
      dedup_key: soft.id,
      payload: { severity: 'warning' },
    });
    const mesh = makeAlert({
      id: 'mesh:1767225600000:mesh_down',
      kind: 'mesh_down',
      severity: 'CRITICAL',
      nodeId: null,
      incidentId: 'mesh:1767225600000',
    });
    const event = pagerdutyEvent(mesh, makeContext({ nodeName: null }), ROUTING_KEY);
    expect(event).toMatchObject({ dedup_key: 'mesh:1767225600000', payload: { source: 'gpu-mesh' } });
    expect(event.event_action === 'trigger' && event.payload.component).toBeUndefined();
  });

  it.each([
    ['INFO', 'info'],
    ['WARNING', 'warning'],
    ['ERROR', 'error'],
    ['CRITICAL', 'critical'],
  ] as const)('sends a %s alert with severity %s', (severity, expected) => {
    expect(pagerdutySeverity(severity)).toBe(expected);
  });

  it.each([429, 500, 503])('rejects an answer %i so that the notify job retries it', async (status) => {
    sink = await startPagerDutySink(ROUTING_KEY);
    sink.status = status;

    const { error } = await timedRejection(() =>
      channel(`${sink!.origin}/v2/enqueue`).send(critical, makeContext(), never),
    );

    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect(error.message).toMatch(new RegExp(`^pagerduty: HTTP ${status}: `));
  });

  it('fails a refused event (400) for good, quoting PagerDuty without the routing key', async () => {
    sink = await startPagerDutySink('the-key-pagerduty-knows');

    const { error } = await timedRejection(() =>
      channel(`${sink!.origin}/v2/enqueue`).send(critical, makeContext(), never),
    );

    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toMatch(/^pagerduty: HTTP 400: .*Event object is invalid.*a retry cannot help/);
    expect(error.message).toContain('bad routing_key ***');
    expect(errorChainText(error)).not.toContain(ROUTING_KEY);
  });

  it('rejects within its timeout when PagerDuty never answers', async () => {
    server = await startHttpServer(() => undefined);
    const { error, ms } = await timedRejection(() =>
      deliverWithinDeadline(
        channel(`${server!.origin}/v2/enqueue`, ROUTING_KEY, 200),
        critical,
        makeContext(),
        never,
      ),
    );
    expect(ms).toBeLessThan(1_500);
    expect(error.message).toBe(
      'pagerduty: timed out after 200 ms (alerts.channels.pagerduty.timeout), delivery abandoned',
    );
  });

  it('keeps the routing key and URL credentials out of the error when PagerDuty cannot be reached', async () => {
    const url = `http://relay:relay-pw-31@127.0.0.1:${await closedPort()}/v2/enqueue`;
    const { error } = await timedRejection(() => channel(url).send(critical, makeContext(), never));
    expect(error.message).toMatch(/^pagerduty: request failed/);
    expect(errorChainText(error)).not.toContain(ROUTING_KEY);
    expect(errorChainText(error)).not.toContain('relay-pw-31');
  });
});
