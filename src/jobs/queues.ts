/** Queue names as Bull Board shows them (docs/http-api.md "Queues"); their Redis keys live under the prefix. */
export const QUEUE_NAMES = {
  healthCheck: 'health-check',
  keepalive: 'keepalive',
  recovery: 'recovery',
  stats: 'stats',
  alerts: 'alerts',
  notify: 'notify',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export function agentQueueName(nodeId: string): string {
  return `agent-${nodeId}`;
}

/** BullMQ job ids may not contain `:` nor be all digits. */
export function safeJobId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replaceAll(':', '-')).join('-');
}
