/**
 * The dashboard's stylesheet (inlined in the page, allowed by its hash in the CSP). Usable without
 * a mouse and on a phone: every control shows where the keyboard focus is, and below 760 px the
 * tables become cards, so the page never scrolls sideways (checked at 375 px by the browser test).
 */
import { STATUS_STYLE } from './status-look.js';

export const DASHBOARD_STYLE = `${STATUS_STYLE}
:root { color-scheme: dark; --bg: #0f141a; --panel: #171e27; --line: #263140; --text: #e6edf3;
  --muted: #8b98a8; --focus: #facc15; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 14px 18px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
.health { display: flex; align-items: baseline; gap: 8px; }
.health strong { font-size: 28px; font-variant-numeric: tabular-nums; }
.health[data-level="ok"] strong { color: var(--healthy); }
.health[data-level="warn"] strong { color: var(--degraded); }
.health[data-level="bad"] strong { color: var(--unhealthy); }
.muted { color: var(--muted); }
.spacer { flex: 1; }
a { color: #7cb7ff; }
.live { font-size: 12px; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--line); }
.live[data-state="live"] { color: var(--healthy); }
.live[data-state="down"] { color: var(--unhealthy); }
main { padding: 14px 18px; display: grid; gap: 18px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 8px; }
table { width: 100%; border-collapse: collapse; background: var(--panel); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 500; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.node-name { font-weight: 600; }
.node-id { font-size: 12px; }
tr[data-status="unhealthy"] .status-text { color: var(--unhealthy); }
tr[data-status="degraded"] .status-text { color: var(--degraded); }
.silenced { font-size: 11px; color: var(--muted); margin-left: 4px; }
.latency { display: flex; align-items: center; gap: 8px; }
svg.spark { width: 110px; height: 26px; flex: none; }
svg.spark polyline { fill: none; stroke: #7cb7ff; stroke-width: 1.5; }
svg.spark circle { fill: var(--unhealthy); }
.models { font-size: 12px; }
.gpu { color: #c4b5fd; }
.error { color: #fca5a5; font-size: 12px; max-width: 280px; overflow-wrap: anywhere; }
button { background: #243244; color: var(--text); border: 1px solid #34465c; border-radius: 6px;
  padding: 5px 10px; font: inherit; font-size: 12px; cursor: pointer; white-space: nowrap; }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
.actions { display: flex; flex-wrap: wrap; gap: 4px; }
.action-result { display: block; font-size: 11px; color: var(--muted); margin-top: 3px; max-width: 220px; overflow-wrap: anywhere; }
.age { font-size: 11px; margin-top: 2px; white-space: nowrap; }
button.primary { background: #1d4ed8; border-color: #2563eb; }
dialog { background: var(--panel); color: var(--text); border: 1px solid var(--line); border-radius: 8px; max-width: min(440px, 92vw); }
dialog::backdrop { background: rgba(0, 0, 0, .55); }
dialog h3 { margin: 0 0 6px; font-size: 16px; }
dialog .fields { display: grid; gap: 8px; margin: 10px 0; }
dialog input { background: var(--bg); color: var(--text); border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; font: inherit; margin-left: 6px; }
.dialog-buttons { display: flex; justify-content: flex-end; gap: 8px; }
button.link { background: none; border: 0; padding: 0; color: #7cb7ff; font-size: 14px; text-align: left; }
.detail { background: var(--panel); border-radius: 8px; padding: 12px 14px; }
.detail-head { display: flex; align-items: center; gap: 12px; }
.detail-head h2 { margin: 0; }
.detail h3 { font-size: 12px; color: var(--muted); font-weight: 500; margin: 12px 0 6px; }
.timeline { display: flex; gap: 2px; height: 22px; }
.timeline .cell { flex: 1; border-radius: 2px; background: var(--line); }
.timeline .cell[data-level="ok"] { background: var(--healthy); }
.timeline .cell[data-level="warn"] { background: var(--degraded); }
.timeline .cell[data-level="bad"] { background: var(--unhealthy); }
svg.latency-chart { width: 100%; max-width: 600px; height: 120px; display: block; }
svg.latency-chart polyline { fill: none; stroke: #7cb7ff; stroke-width: 1.5; }
svg.latency-chart circle { fill: var(--unhealthy); }
svg.latency-chart text { fill: var(--muted); font-size: 10px; }
table.incidents { font-size: 12px; }
ul.alerts { list-style: none; margin: 0; padding: 0; background: var(--panel); border-radius: 8px; }
ul.alerts li { padding: 8px 10px; border-bottom: 1px solid var(--line); display: flex; gap: 10px; flex-wrap: wrap; }
.sev { font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 4px; background: #334155; }
.sev[data-severity="WARNING"] { background: #78350f; }
.sev[data-severity="ERROR"] { background: #7f1d1d; }
.sev[data-severity="CRITICAL"] { background: #dc2626; }
.empty { padding: 10px; color: var(--muted); }
.stats-at { margin: 0 0 6px; font-size: 12px; }
@media (max-width: 760px) {
  header { padding: 12px; } main { padding: 12px; }
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border-bottom: 6px solid var(--bg); padding: 6px 0; }
  td { border: 0; padding: 4px 12px; }
  td[data-label]::before { content: attr(data-label); display: inline-block; min-width: 92px; color: var(--muted); font-size: 12px; }
  .error { max-width: none; }
}
`;
