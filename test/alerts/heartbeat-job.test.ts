import { afterEach, describe, expect, it } from 'vitest';
import { heartbeatJob } from '../../src/jobs/heartbeat.js';
import { NodeStore } from '../../src/mesh/store.js';
import { syncAlertSchedules } from '../../src/workers/alerting.js';
import { waitFor } from '../helpers/wait.js';
import {
  type AlertingOnly,
  type HttpReceiver,
  startAlertingOnly,
  startHttpReceiver,
  TEST_TUNING,
} from './support.js';

let receiver: HttpReceiver | undefined;
let t: AlertingOnly | undefined;

afterEach(async () => {
  await t?.stop();
  await receiver?.close();
  t = undefined;
  receiver = undefined;
});

describe('the heartbeat', () => {
  it('pings its URL while checks happen, and stops once they stop', async () => {
    receiver = await startHttpReceiver();
    const url = `${receiver.origin}/ping/heartbeat-token-XYZ`;
    t = await startAlertingOnly(`heartbeat: { url: "${url}", interval: 200ms }`, TEST_TUNING);
    const store = new NodeStore(t.redis, t.prefix);
    const checkedAt = async (lastCheckAt: number) =>
      store.update('gpu-1', (state) => ({
        state: { ...state, status: 'healthy', lastCheckAt },
        transitions: [],
        extra: null,
      }));
    await checkedAt(Date.now());
    await syncAlertSchedules(t.redis, t.prefix, t.config);

    await waitFor(() => receiver!.requests.length >= 2, 'two heartbeats');
    expect(receiver.requests[0]).toMatchObject({ method: 'GET', url: '/ping/heartbeat-token-XYZ' });

    await checkedAt(Date.now() - 3_600_000);
    const skipped = async () => {
      const done = await t!.alertQueue.getJobs(['completed']);
      return done.filter((job) => job.name === heartbeatJob.name && job.returnvalue?.pinged === false).length;
    };
    await waitFor(async () => (await skipped()) >= 1, 'a heartbeat that is not sent');
    const pings = receiver.requests.length;
    await waitFor(async () => (await skipped()) >= 3, 'two more heartbeats not sent');
    expect(receiver.requests.length).toBe(pings);
    expect(t.logs.filter((line) => line.includes('heartbeat-token-XYZ'))).toEqual([]);
  });
});
