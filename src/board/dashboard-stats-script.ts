/**
 * The dashboard's statistics (inlined after the main script, one CSP hash for all): the latest stats
 * report as a table — per node its checks, success rate, uptime score and latency in the report's
 * window — with each node's mesh uptime over 24 h and 7 d from `GET /api/uptime`. Loaded with the
 * page and whenever the event stream (re)opens; a `report` event redraws it at once.
 */
export const STATS_SCRIPT = `
var lastReport = null;
var uptimes = new Map();

function minutes(msValue) {
  return msValue < 1000 ? msValue + ' ms' : msValue % 60000 === 0 ? msValue / 60000 + ' min' : Math.round(msValue / 1000) + ' s';
}

function renderStats() {
  var report = lastReport;
  var caption = document.getElementById('stats-at');
  var body = document.getElementById('stats');
  if (!report) {
    caption.textContent = 'No report yet.';
    body.replaceChildren();
    return;
  }
  caption.textContent = 'Report of ' + minutes(report.windowMs) + ' up to ' + new Date(report.at).toLocaleString() + ' · mesh ' + report.healthPercent + '% (' + report.healthy + '/' + report.total + ' healthy)';
  body.replaceChildren.apply(body, report.nodes.map(function (n) {
    var u = uptimes.get(n.id) || { h24: null, d7: null };
    var tr = el('tr', { 'data-stats-node': n.id });
    [['node', n.name], ['checks', n.checks], ['success', pct(n.successRate)], ['uptime score', pct(n.uptimeScore)],
      ['avg', ms(n.latencyMs.avg)], ['p50', ms(n.latencyMs.p50)], ['p95', ms(n.latencyMs.p95)], ['max', ms(n.latencyMs.max)],
      ['uptime 24 h', pct(u.h24)], ['uptime 7 d', pct(u.d7)]].forEach(function (cell, i) {
      tr.appendChild(el('td', { 'data-label': cell[0], class: i === 0 ? 'node-name' : 'num' }, cell[1]));
    });
    return tr;
  }));
}

function showReport(report) {
  lastReport = report;
  renderStats();
  fetch('api/uptime').then(function (r) { return r.ok ? r.json() : null; }).then(function (u) {
    if (!u) return;
    uptimes = new Map(u.nodes.map(function (n) { return [n.id, n]; }));
    renderStats();
  }).catch(function () {});
}

function loadStats() {
  fetch('api/reports/latest').then(function (r) { return r.ok ? r.json() : null; }).then(function (report) {
    if (report) showReport(report); else renderStats();
  }).catch(function () {});
}
`;
