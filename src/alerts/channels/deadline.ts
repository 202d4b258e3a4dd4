/**
 * A slow channel is a failing channel (guarantee 8, docs/guarantees.md): every delivery ends by the channel's
 * `timeout`, counted from the first connection attempt to the last byte of the answer. SMTP
 * servers and HTTP receivers that keep a connection alive by trickling bytes defeat idle timeouts
 * (nodemailer's, undici's); only a total deadline bounds them.
 */

import { formatDuration } from '../message-text.js';
import type { Alert } from '../types.js';
import type { AlertChannel, AlertContext } from './plugin.js';

/**
 * Delivers `alert` through `channel` within `channel.timeout`. The channel gets one signal that
 * aborts at the deadline or when `signal` does (shutdown), and must end its connection on it;
 * should it not, the delivery is abandoned at the deadline all the same, so a job never waits
 * longer. Past the deadline it throws one line naming the channel, the deadline and its setting.
 */
export async function deliverWithinDeadline(
  channel: AlertChannel,
  alert: Alert,
  context: AlertContext,
  signal: AbortSignal,
): Promise<void> {
  const deadline = AbortSignal.timeout(channel.timeout);
  const either = AbortSignal.any([signal, deadline]);
  let stop = (): void => {};
  const abandoned = new Promise<never>((_, reject) => {
    stop = () => reject(either.reason);
    either.addEventListener('abort', stop, { once: true });
  });
  try {
    if (either.aborted) throw either.reason;
    await Promise.race([channel.send(alert, context, either), abandoned]);
  } catch (error) {
    if (!deadline.aborted) throw error;
    throw new Error(
      `${channel.name}: timed out after ${formatDuration(channel.timeout)} ` +
        `(alerts.channels.${channel.name}.timeout), delivery abandoned`,
      { cause: error },
    );
  } finally {
    either.removeEventListener('abort', stop);
  }
}
