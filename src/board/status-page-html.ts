/**
 * The public status page's HTML: one list of nodes, each its name, status (icon and word) and 24 h
 * uptime. No script: the page reloads itself every 30 s, and its one inline stylesheet is allowed
 * by its hash. Pure; every text from the mesh is escaped.
 */
import { cspHash } from './csp-hash.js';
import { escapeMarkup } from './markup.js';
import { type ShownStatus, STATUS_LOOK, STATUS_STYLE } from './status-look.js';

export interface PublicNode {
  id: string;
  name: string;
  status: ShownStatus;
  /** % of checks passed over the last 24 h; null without checks. */
  uptime24h: number | null;
}

const REFRESH_S = 30;

const STYLE = `${STATUS_STYLE}
* { box-sizing: border-box; }
body { margin: 0; background: #0f141a; color: #e6edf3; color-scheme: dark;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 720px; margin: 0 auto; padding: 24px 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.summary { margin: 0 0 16px; font-size: 17px; }
ul { list-style: none; margin: 0; padding: 0; background: #171e27; border-radius: 8px; }
li { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; padding: 12px 14px; border-bottom: 1px solid #263140; }
li:last-child { border-bottom: 0; }
.name { flex: 1 1 12em; font-weight: 600; overflow-wrap: anywhere; }
.uptime { color: #8b98a8; font-variant-numeric: tabular-nums; }
.updated { color: #8b98a8; font-size: 13px; margin-top: 14px; }
`;

/** The page's policy: its own stylesheet and empty icon, nothing else — no script, no request, no frame. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(STYLE)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function uptimeText(uptime: number | null): string {
  return uptime === null ? 'no data' : `${uptime}%`;
}

function nodeItem(node: PublicNode): string {
  const look = STATUS_LOOK[node.status];
  return [
    `<li data-status="${node.status}">`,
    `<span class="name">${escapeMarkup(node.name)}</span>`,
    `<span class="status"><span class="status-icon" aria-hidden="true">${look.icon}</span><span class="status-text">${node.status}</span></span>`,
    `<span class="uptime">${uptimeText(node.uptime24h)} over 24 h</span>`,
    '</li>',
  ].join('');
}

export function statusPageHtml(nodes: readonly PublicNode[], at: Date): string {
  const counted = nodes.filter((node) => node.status !== 'disabled');
  const healthy = counted.filter((node) => node.status === 'healthy').length;
  const items = nodes.length === 0 ? '<li>No nodes.</li>' : nodes.map(nodeItem).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_S}">
<title>Status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Status</h1>
<p class="summary">${healthy} of ${counted.length} nodes healthy</p>
<ul class="nodes">
${items}
</ul>
<p class="updated">Updated <time datetime="${at.toISOString()}">${at.toISOString().slice(0, 19).replace('T', ' ')} UTC</time>; this page refreshes every ${REFRESH_S} s.</p>
</main>
</body>
</html>
`;
}
