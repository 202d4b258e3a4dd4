/**
 * The live dashboard at `/`: one self-contained page (inline CSS and JS, no build step), allowed to
 * run its own inline code only, by hash, and to talk to this server only.
 */
import { Router } from 'express';
import { BOARD_PATH } from './bull-board.js';
import { cspHash } from './csp-hash.js';
import { ACTIONS_SCRIPT } from './dashboard-actions-script.js';
import { DETAIL_SCRIPT } from './dashboard-detail-script.js';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { STATS_SCRIPT } from './dashboard-stats-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';

/** The main script, then the actions, node detail and statistics it calls (one script element, one hash). */
const SCRIPT = DASHBOARD_SCRIPT + ACTIONS_SCRIPT + DETAIL_SCRIPT + STATS_SCRIPT;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>gpu-mesh</title>
<link rel="icon" href="data:,">
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header>
  <h1>gpu-mesh</h1>
  <div class="health" id="health" data-level="ok"><strong id="health-percent">–</strong><span class="muted" id="health-count"></span></div>
  <span class="live" id="live" data-state="down" role="status">connecting</span>
  <span class="spacer"></span>
  <a href="${BOARD_PATH.slice(1)}/">Bull Board</a>
  <a href="metrics">metrics</a>
</header>
<main>
  <section>
    <h2>Nodes</h2>
    <table>
      <thead><tr><th>node</th><th>status</th><th>latency</th><th>success</th><th>uptime</th><th>models</th><th>last error</th><th>actions</th></tr></thead>
      <tbody id="nodes"></tbody>
    </table>
  </section>
  <section id="detail" class="detail" hidden>
    <div class="detail-head"><h2 id="detail-title" tabindex="-1"></h2><span class="spacer"></span><a href="board/queue/recovery">recovery queue</a><button type="button" id="detail-close" aria-label="close the node detail">close</button></div>
    <h3>Status, last 24 h</h3><div id="detail-timeline"></div>
    <h3>Latency</h3><div id="detail-latency"></div>
    <h3>Incidents</h3><div id="detail-incidents"></div>
    <h3>Models and GPUs</h3><div id="detail-facts" class="models"></div>
  </section>
  <section>
    <h2>Statistics</h2>
    <p class="muted stats-at" id="stats-at">Loading…</p>
    <table class="stats">
      <thead><tr><th>node</th><th>checks</th><th>success</th><th>uptime score</th><th>avg</th><th>p50</th><th>p95</th><th>max</th><th>uptime 24 h</th><th>uptime 7 d</th></tr></thead>
      <tbody id="stats"></tbody>
    </table>
  </section>
  <section>
    <h2>Alerts, last 5 minutes</h2>
    <ul class="alerts" id="alerts"><li class="empty">Loading…</li></ul>
  </section>
</main>
<dialog id="action-dialog" aria-labelledby="action-title">
  <h3 id="action-title"></h3>
  <p id="action-text" class="muted"></p>
  <div id="silence-fields" class="fields">
    <label>for <input id="silence-for" value="1h" size="8" autocomplete="off"></label>
    <label>reason <input id="silence-reason" size="32" autocomplete="off"></label>
  </div>
  <p id="action-error" class="error" role="alert"></p>
  <div class="dialog-buttons"><button type="button" id="action-cancel">cancel</button><button type="button" id="action-confirm" class="primary">confirm</button></div>
</dialog>
<script>${SCRIPT}</script>
</body>
</html>
`;

const CSP = [
  "default-src 'none'",
  `script-src ${cspHash(SCRIPT)}`,
  `style-src ${cspHash(DASHBOARD_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function dashboardRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.set({ 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' }).type('html').send(PAGE);
  });
  return router;
}
