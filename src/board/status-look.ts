/**
 * How a node's status looks wherever it is shown (dashboard, status page, badges): a colour, an icon
 * and the word, so that it never rests on colour alone (WCAG 1.4.1) — the icon's shape and the word
 * say it to the colour-blind, and the word to a screen reader (the icon is hidden from it).
 */
import type { NodeStatus } from '../mesh/types.js';

/** A node's status as people see it: a disabled node is not checked, so it has none of its own. */
export type ShownStatus = NodeStatus | 'disabled';

export const STATUS_LOOK: Readonly<Record<ShownStatus, { colour: string; icon: string }>> = {
  healthy: { colour: '#22c55e', icon: '✓' },
  degraded: { colour: '#f59e0b', icon: '!' },
  unhealthy: { colour: '#ef4444', icon: '✕' },
  recovering: { colour: '#3b82f6', icon: '↻' },
  unknown: { colour: '#6b7280', icon: '?' },
  disabled: { colour: '#6b7280', icon: '–' },
};

/** Status -> icon, for the dashboard's script. */
export const STATUS_ICONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(STATUS_LOOK).map(([status, look]) => [status, look.icon]),
);

/**
 * The colour variables and the status icon both pages draw: a round badge with the icon in it,
 * coloured by the `data-status` of the element around it.
 */
export const STATUS_STYLE = `
:root { ${Object.entries(STATUS_LOOK)
  .map(([status, look]) => `--${status}: ${look.colour};`)
  .join(' ')} }
.status { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.status-icon { display: inline-grid; place-items: center; width: 16px; height: 16px; border-radius: 50%;
  flex: none; background: var(--unknown); color: #0b0f14; font-size: 11px; font-weight: 700; line-height: 1; }
${Object.keys(STATUS_LOOK)
  .map((status) => `[data-status="${status}"] .status-icon { background: var(--${status}); }`)
  .join('\n')}
`;
