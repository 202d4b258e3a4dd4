import { describe, expect, it } from 'vitest';
import type { ChannelName } from '../../src/alerts/channels/types.js';
import { alertJobId, notifyJobId, type RoutableChannel, routeAlert } from '../../src/alerts/routing.js';
import { SEVERITIES, type Severity, severityRank } from '../../src/mesh/types.js';
import { makeAlert } from './helpers.js';

const none = new Set<ChannelName>();

function channel(name: ChannelName, minSeverity: Severity): RoutableChannel {
  return { name, minSeverity };
}

/** The default configuration: log INFO, email and slack CRITICAL, webhook ERROR. */
const defaults: RoutableChannel[] = [
  channel('log', 'INFO'),
  channel('email', 'CRITICAL'),
  channel('slack', 'CRITICAL'),
  channel('webhook', 'ERROR'),
];

describe('routeAlert', () => {
  const table = SEVERITIES.flatMap((severity) =>
    SEVERITIES.map((minSeverity) => ({
      severity,
      minSeverity,
      expected: severityRank(severity) >= severityRank(minSeverity),
    })),
  );

  it.each(table)(
    'sends a $severity alert to a channel with minSeverity $minSeverity: $expected',
    ({ severity, minSeverity, expected }) => {
      const alert = makeAlert({ severity });
      const routed = routeAlert(alert, [channel('webhook', minSeverity)], none, false);
      expect(routed).toEqual(expected ? ['webhook'] : []);
    },
  );

  it('sends an ERROR to log and webhook only under the default configuration', () => {
    expect(routeAlert(makeAlert({ severity: 'ERROR' }), defaults, none, false)).toEqual(['log', 'webhook']);
  });

  it('sends a CRITICAL to every channel, in the order the channels are listed', () => {
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'recovery_failed' });
    expect(routeAlert(alert, defaults, none, false)).toEqual(['log', 'email', 'slack', 'webhook']);
  });

  it('sends recovered to every channel that any alert of the incident was routed to', () => {
    const recovered = makeAlert({ severity: 'INFO', kind: 'recovered' });
    const incident = new Set<ChannelName>(['log', 'email', 'webhook']);
    expect(routeAlert(recovered, defaults, incident, false)).toEqual(['log', 'email', 'webhook']);
  });

  it('sends recovered only by severity when the incident reached no other channel', () => {
    const recovered = makeAlert({ severity: 'INFO', kind: 'recovered' });
    expect(routeAlert(recovered, defaults, new Set<ChannelName>(['log']), false)).toEqual(['log']);
  });

  it('does not extend incident channels to alerts other than recovered', () => {
    const started = makeAlert({ severity: 'INFO', kind: 'recovery_started' });
    const incident = new Set<ChannelName>(['log', 'email', 'slack']);
    expect(routeAlert(started, defaults, incident, false)).toEqual(['log']);
  });

  it('ignores incident channels that are not configured any more', () => {
    const recovered = makeAlert({ severity: 'INFO', kind: 'recovered' });
    const configured = [channel('log', 'INFO'), channel('webhook', 'ERROR')];
    const incident = new Set<ChannelName>(['slack', 'webhook']);
    expect(routeAlert(recovered, configured, incident, false)).toEqual(['log', 'webhook']);
  });

  it('sends a silenced node alerts to the log only, even a CRITICAL', () => {
    const alert = makeAlert({ severity: 'CRITICAL', kind: 'down_too_long' });
    expect(routeAlert(alert, defaults, none, true)).toEqual(['log']);
  });

  it('sends a silenced node recovered to the log only, whatever the incident reached', () => {
    const recovered = makeAlert({ severity: 'INFO', kind: 'recovered' });
    const incident = new Set<ChannelName>(['log', 'email', 'slack', 'webhook']);
    expect(routeAlert(recovered, defaults, incident, true)).toEqual(['log']);
  });

  it('lists a channel once even if it is configured twice', () => {
    const twice = [channel('log', 'INFO'), channel('log', 'INFO')];
    expect(routeAlert(makeAlert(), twice, none, false)).toEqual(['log']);
  });
});

describe('alertJobId and notifyJobId', () => {
  it('replace every colon of an alert id with a dash', () => {
    const alert = makeAlert({ id: 'local:1767225600000:unhealthy' });
    expect(alertJobId(alert)).toBe('alert-local-1767225600000-unhealthy');
    expect(notifyJobId(alert.id, 'email')).toBe('notify-local-1767225600000-unhealthy-email');
  });

  it('never build an all-digit id, even from an all-digit alert id', () => {
    expect(alertJobId({ id: '1767225600000' })).not.toMatch(/^\d+$/);
    expect(notifyJobId('1767225600000', 'log')).not.toMatch(/^\d+$/);
  });

  it('give the same id for the same alert and channel, and different ids per channel', () => {
    const ids = (['log', 'email', 'slack', 'webhook'] as const).map((name) => notifyJobId('a:1', name));
    expect(new Set(ids).size).toBe(4);
    expect(notifyJobId('a:1', 'slack')).toBe(notifyJobId('a:1', 'slack'));
    for (const id of ids) expect(id).not.toContain(':');
  });
});
