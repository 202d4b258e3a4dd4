/**
 * Discord, PagerDuty, Teams and ntfy through the real alerting path (routing, `alerts` and `notify`
 * jobs on Redis), each against a stand-in that checks its documented payload: delivered once at
 * its minSeverity, told of an incident's end when it was told of the incident, retried on a
 * failing answer then left failed, its share of the notify worker, and no secret in any log line.
 */
import { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyJobId } from '../../src/alerts/routing.js';
import type { Alert } from '../../src/alerts/types.js';
import type { Severity } from '../../src/mesh/types.js';
import { waitFor } from '../helpers/wait.js';
import { makeAlert, startHttpServer } from './helpers.js';
import {
  json,
  type PagerDutyPayload,
  type ServiceSink,
  startDiscordSink,
  startNtfySink,
  startPagerDutySink,
  startTeamsSink,
} from './service-sinks.js';
import {
  type AlertingOnly,
  channelsYaml,
  startAlertingOnly,
  startReceivers,
  TEST_TUNING,
} from './support.js';

const DISCORD_TOKEN = 'discordTokenSecret-42abc';
const PAGERDUTY_KEY = 'pdRoutingKeySecret00000000000ab1';
const TEAMS_SIG = 'teamsSigSecret-77xyz';
const NTFY_TOPIC = 'gpu-alerts-topic-9q';
const NTFY_TOKEN = 'tk_ntfyTokenSecret00000000';

const SERVICES = ['discord', 'pagerduty', 'teams', 'ntfy'] as const;
type Service = (typeof SERVICES)[number];

interface Sinks extends Record<Service, ServiceSink> {
  /** The `channels:` entries, each at SPEC's default minSeverity. */
  entries: string[];
  /** Every secret those entries hold. */
  secrets: string[];
  close(): Promise<void>;
}

async function startSinks(): Promise<Sinks> {
  const [discord, pagerduty, teams, ntfy] = await Promise.all([
    startDiscordSink(),
    startPagerDutySink(PAGERDUTY_KEY),
    startTeamsSink(),
    startNtfySink(NTFY_TOPIC, NTFY_TOKEN),
  ]);
  const discordUrl = `${discord.origin}/api/webhooks/1234567890/${DISCORD_TOKEN}`;
  const teamsUrl = `${teams.origin}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${TEAMS_SIG}`;
  const ntfyUrl = `${ntfy.origin}/${NTFY_TOPIC}`;
  return {
    discord,
    pagerduty,
    teams,
    ntfy,
    entries: [
      `    discord: { webhookUrl: "${discordUrl}" }`,
      `    pagerduty: { routingKey: "${PAGERDUTY_KEY}", url: "${pagerduty.origin}/v2/enqueue" }`,
      `    teams: { webhookUrl: "${teamsUrl}" }`,
      `    ntfy: { url: "${ntfyUrl}", token: "${NTFY_TOKEN}" }`,
    ],
    secrets: [DISCORD_TOKEN, discordUrl, PAGERDUTY_KEY, TEAMS_SIG, teamsUrl, NTFY_TOPIC, ntfyUrl, NTFY_TOKEN],
    close: async () => {
      await Promise.all([discord.close(), pagerduty.close(), teams.close(), ntfy.close()]);
    },
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
let t: AlertingOnly | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(delivery = TEST_TUNING.delivery): Promise<Sinks> {
  const sinks = await startSinks();
  cleanups.push(() => sinks.close());
  t = await startAlertingOnly(['alerts:', '  channels:', ...sinks.entries].join('\n'), {
    ...TEST_TUNING,
    delivery,
  });
  return sinks;
}

const T0 = Date.now();
function alert(kind: Alert['kind'], severity: Severity, incident: number, n = 0): Alert {
  const incidentId = `gpu-1:${T0 + incident}`;
  return makeAlert({
    id: `${incidentId}:${kind}${n > 0 ? `:${n}` : ''}`,
    at: new Date(T0 + incident + n).toISOString(),
    kind,
    severity,
    nodeId: 'gpu-1',
    incidentId,
    title: `GPU one (gpu-1): ${kind}`,
  });
}

async function jobState(alertId: string, channel: Service): Promise<string | undefined> {
  const job = await Job.fromId(t!.notifyQueue, notifyJobId(alertId, channel));
  return job?.getState();
}

async function waitForJobs(
  alerts: readonly Alert[],
  channels: readonly Service[],
  state: string,
): Promise<void> {
  await waitFor(
    async () => {
      for (const one of alerts) {
        for (const channel of channels) if ((await jobState(one.id, channel)) !== state) return false;
      }
      return true;
    },
    `the deliveries of ${alerts.map((one) => one.kind).join(', ')} to be ${state}`,
  );
}

function expectNoSecretLogged(sinks: Sinks): void {
  expect(t!.logs.length).toBeGreaterThan(0);
  for (const secret of sinks.secrets) expect(t!.logs.filter((line) => line.includes(secret))).toEqual([]);
}

describe('the Discord, PagerDuty, Teams and ntfy channels', () => {
  it('get each alert once, at their default minSeverity, in the shape each service documents', async () => {
    const sinks = await start();
    const degraded = alert('degraded', 'WARNING', 0);
    const unhealthy = alert('unhealthy', 'ERROR', 0);
    const critical = alert('down_too_long', 'CRITICAL', 0);

    await t!.alerting.raise([degraded, unhealthy, critical]);
    expect(await t!.outcomeOf(degraded)).toEqual({ delivered: true, channels: ['log', 'ntfy'] });
    expect(await t!.outcomeOf(unhealthy)).toEqual({ delivered: true, channels: ['log', 'ntfy'] });
    expect(await t!.outcomeOf(critical)).toEqual({
      delivered: true,
      channels: ['log', 'discord', 'pagerduty', 'teams', 'ntfy'],
    });
    await waitForJobs([critical], SERVICES, 'completed');
    await waitForJobs([degraded, unhealthy], ['ntfy'], 'completed');

    for (const service of SERVICES) expect(sinks[service].problems).toEqual([]);
    expect(sinks.discord.requests).toHaveLength(1);
    expect(sinks.teams.requests).toHaveLength(1);
    expect(sinks.pagerduty.requests).toHaveLength(1);
    expect(sinks.ntfy.requests.map((request) => request.headers.priority)).toEqual(
      expect.arrayContaining(['3', '4', '5']),
    );
    expect(sinks.ntfy.requests).toHaveLength(3);
    expectNoSecretLogged(sinks);
  });

  it("send an incident's recovered to every channel told of it, PagerDuty resolving the key it triggered", async () => {
    const sinks = await start();
    const critical = alert('down_too_long', 'CRITICAL', 0);
    const recovered = alert('recovered', 'INFO', 0);
    const warningOnly = alert('degraded', 'WARNING', 1);
    const warningRecovered = alert('recovered', 'INFO', 1);

    await t!.alerting.raise([critical, warningOnly]);
    await t!.outcomeOf(critical);
    await t!.outcomeOf(warningOnly);
    await t!.alerting.raise([recovered, warningRecovered]);
    expect(await t!.outcomeOf(recovered)).toEqual({
      delivered: true,
      channels: ['log', 'discord', 'pagerduty', 'teams', 'ntfy'],
    });
    expect(await t!.outcomeOf(warningRecovered)).toEqual({ delivered: true, channels: ['log', 'ntfy'] });
    await waitForJobs([critical, recovered], SERVICES, 'completed');
    await waitForJobs([warningOnly, warningRecovered], ['ntfy'], 'completed');

    for (const service of SERVICES) expect(sinks[service].problems).toEqual([]);
    const events = sinks.pagerduty.requests.map((request) => json<PagerDutyPayload>(request));
    expect(events.map((event) => [event.event_action, event.dedup_key])).toEqual([
      ['trigger', critical.incidentId],
      ['resolve', critical.incidentId],
    ]);
    expect(sinks.discord.requests).toHaveLength(2);
    expect(sinks.teams.requests).toHaveLength(2);
    expect(sinks.ntfy.requests).toHaveLength(4);
  });

  it('retry a failing answer with backoff, then leave the delivery failed in Bull Board', async () => {
    const sinks = await start({ attempts: 2, backoffMs: 50 });
    for (const service of SERVICES) sinks[service].status = 503;
    const critical = alert('down_too_long', 'CRITICAL', 0);

    await t!.alerting.raise([critical]);
    await waitForJobs([critical], SERVICES, 'failed');

    for (const service of SERVICES) {
      expect(sinks[service].requests).toHaveLength(2);
      const job = await Job.fromId(t!.notifyQueue, notifyJobId(critical.id, service));
      expect(job?.attemptsMade).toBe(2);
      expect(job?.failedReason).toMatch(new RegExp(`^${service}: HTTP 503`));
      expect(
        t!.logs.some((line) =>
          line.includes(`notify ${service} down_too_long gpu-1: failed for good after 2 tries`),
        ),
      ).toBe(true);
    }
    expectNoSecretLogged(sinks);
  });

  it('fail a PagerDuty event that PagerDuty refuses (400) at once, and log its answer without the key', async () => {
    const sinks = await start({ attempts: 5, backoffMs: 50 });
    sinks.pagerduty.status = 400;
    const critical = alert('down_too_long', 'CRITICAL', 0);

    await t!.alerting.raise([critical]);
    await waitForJobs([critical], ['pagerduty'], 'failed');
    await waitForJobs([critical], ['discord', 'teams', 'ntfy'], 'completed');

    expect(sinks.pagerduty.requests).toHaveLength(1);
    const job = await Job.fromId(t!.notifyQueue, notifyJobId(critical.id, 'pagerduty'));
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^pagerduty: HTTP 400: .*Event object is invalid/);
    expectNoSecretLogged(sinks);
  });
});

describe("the notify worker's places", () => {
  it('are shared among all seven configured channels: a hanging Discord holds two of sixteen', async () => {
    const receivers = await startReceivers();
    const sinks = await startSinks();
    cleanups.push(
      () => receivers.close(),
      () => sinks.close(),
    );
    const held: Array<() => void> = [];
    // A Discord that takes requests and never answers them, until the test ends.
    const silent = await startHttpServer((_request, response) => held.push(() => response.end()));
    cleanups.push(async () => {
      for (const release of held) release();
      await silent.close();
    });
    const entries = sinks.entries.map((entry) =>
      entry.startsWith('    discord:')
        ? `    discord: { webhookUrl: "${silent.origin}/api/webhooks/1/x", timeout: 20s }`
        : entry,
    );
    const yaml = [channelsYaml(receivers), ...entries].join('\n');
    t = await startAlertingOnly(yaml, TEST_TUNING);
    const criticals = [1, 2, 3, 4, 5].map((n) => alert('down_too_long', 'CRITICAL', 0, n));

    await t.alerting.raise(criticals);
    await waitFor(async () => {
      const delayed = await t!.notifyQueue.getJobs(['delayed']);
      return delayed.filter((job) => job?.data?.channel === 'discord').length >= 3 && held.length === 2;
    }, 'two Discord deliveries hanging and three postponed');

    expect(held).toHaveLength(2);
    await waitForJobs(criticals, ['pagerduty', 'teams', 'ntfy'], 'completed');
    expect(held).toHaveLength(2);
  });
});
