/**
 * The dashboard's node detail (inlined after the main script, one CSP hash for all): opened from a
 * node's name, it draws the node's last 24 h from `GET /api/nodes/:id/timeline` — a status cell
 * per window, latency over time (a hand-drawn SVG), incidents with links to Bull Board — and the
 * node's models, GPU telemetry and gateway traffic from the live view.
 */
export const DETAIL_SCRIPT = `
var DETAIL_REFRESH_MS = 15000;
var detailId = null;

function openDetail(id) {
  detailId = id;
  var panel = document.getElementById('detail');
  panel.hidden = false;
  panel.setAttribute('data-node', id);
  loadDetail();
  panel.scrollIntoView({ block: 'nearest' });
  document.getElementById('detail-title').focus();
}

/** Closes the panel and puts the keyboard focus back on the name that opened it. */
function closeDetail() {
  var id = detailId;
  detailId = null;
  document.getElementById('detail').hidden = true;
  var opener = id === null ? null : document.querySelector('button[data-detail="' + id + '"]');
  if (opener) opener.focus();
}

function loadDetail() {
  var id = detailId;
  if (id === null) return;
  fetch('api/nodes/' + encodeURIComponent(id) + '/timeline?window=24h').then(function (r) { return r.ok ? r.json() : null; }).then(function (t) {
    if (!t || id !== detailId) return;
    document.getElementById('detail-timeline').replaceChildren(timelineStrip(t));
    document.getElementById('detail-latency').replaceChildren(latencyChart(t.checks));
    document.getElementById('detail-incidents').replaceChildren(incidentList(t.incidents));
  }).catch(function () {});
  renderDetailNode();
}

function renderDetailNode() {
  var row = detailId === null ? null : rows.get(detailId);
  if (!row || !row.node) return;
  var node = row.node;
  document.getElementById('detail-title').textContent = node.name + ' (' + node.id + ')';
  var facts = [el('div', {}, (node.models === null ? '–' : node.models) + ' models installed')];
  node.loadedModels.forEach(function (m) { facts.push(el('div', { class: 'loaded-model' }, m.name + ': ' + gb(m.sizeVram) + ' VRAM')); });
  if (node.loadedModels.length === 0) facts.push(el('div', { class: 'muted' }, 'none loaded'));
  facts = facts.concat(gpuLines(telemetry.get(node.id)));
  if (node.gateway) facts.push(el('div', { class: 'gateway-load' }, 'gateway: ' + node.gateway.inFlight + ' in flight · ' + node.gateway.requestsPerMinute + '/min'));
  document.getElementById('detail-facts').replaceChildren.apply(document.getElementById('detail-facts'), facts);
}

function cellLevel(cell) {
  if (cell.checks === 0) return 'none';
  if (cell.passed === cell.checks) return 'ok';
  return cell.passed / cell.checks >= 0.9 ? 'warn' : 'bad';
}

/** The strip, and what its colours say in words: how many windows had failures. */
function timelineStrip(t) {
  var levels = t.cells.map(cellLevel);
  var checked = levels.filter(function (level) { return level !== 'none'; }).length;
  var failing = levels.filter(function (level) { return level === 'warn' || level === 'bad'; }).length;
  var summary = checked === 0 ? 'No checks in the last 24 h.'
    : checked + ' of ' + levels.length + ' windows had checks; ' + (failing === 0 ? 'none' : failing) + ' with failures.';
  var strip = el('div', { class: 'timeline', role: 'img', 'aria-label': 'status, last 24 h: ' + summary });
  t.cells.forEach(function (cell, i) {
    var title = time(cell.from) + ': ' + (cell.checks === 0 ? 'no checks' : cell.passed + '/' + cell.checks + ' passed');
    strip.appendChild(el('span', { class: 'cell', 'data-level': levels[i], title: title }));
  });
  var box = el('div', {});
  box.appendChild(strip);
  box.appendChild(el('p', { class: 'muted timeline-summary' }, summary));
  return box;
}

function latencyChart(checks) {
  var width = 600, height = 120, pad = 4;
  var svg = svgEl('svg', { class: 'latency-chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'latency over time' });
  if (checks.length === 0) return el('p', { class: 'muted' }, 'No checks in the window.');
  var t0 = Date.parse(checks[0].at), t1 = Math.max(t0 + 1, Date.parse(checks[checks.length - 1].at));
  var max = Math.max.apply(null, checks.map(function (c) { return c.latencyMs; }).concat([1]));
  var xy = checks.map(function (c) {
    return [pad + (Date.parse(c.at) - t0) / (t1 - t0) * (width - 2 * pad), height - 16 - (c.latencyMs / max) * (height - 28)];
  });
  svg.appendChild(svgEl('polyline', { points: xy.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' ') }));
  checks.forEach(function (c, i) { if (!c.ok) svg.appendChild(svgEl('circle', { cx: xy[i][0].toFixed(1), cy: height - 6, r: 2.5 })); });
  var label = svgEl('text', { x: pad, y: 10 });
  label.textContent = 'max ' + ms(max) + ' · ' + checks.length + ' checks since ' + time(checks[0].at);
  svg.appendChild(label);
  return svg;
}

function duration(msValue) {
  if (msValue === null) return '–';
  var s = Math.round(msValue / 1000);
  return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h';
}

function incidentList(incidents) {
  if (incidents.length === 0) return el('p', { class: 'muted empty' }, 'No incidents in the last 24 h.');
  var table = el('table', { class: 'incidents' });
  var head = el('tr', {});
  ['start', 'end', 'duration', 'alerts', 'recoveries', ''].forEach(function (h) { head.appendChild(el('th', {}, h)); });
  table.appendChild(head);
  incidents.forEach(function (i) {
    var tr = el('tr', { 'data-incident': i.id });
    tr.appendChild(el('td', {}, new Date(i.start).toLocaleString()));
    tr.appendChild(el('td', {}, i.ongoing ? 'ongoing' : i.end ? new Date(i.end).toLocaleString() : '–'));
    tr.appendChild(el('td', { class: 'num' }, duration(i.durationMs)));
    tr.appendChild(el('td', { class: 'num' }, i.alerts));
    tr.appendChild(el('td', { class: 'num' }, i.recoveryAttempts));
    var jobs = el('td', {});
    jobs.appendChild(el('a', { href: 'board/queue/recovery/' + encodeURIComponent(i.recoveryJobId) }, 'recovery job'));
    tr.appendChild(jobs);
    table.appendChild(tr);
  });
  return table;
}

document.getElementById('detail-close').addEventListener('click', closeDetail);
document.getElementById('detail').addEventListener('keydown', function (e) {
  if (e.key === 'Escape') closeDetail();
});
setInterval(loadDetail, DETAIL_REFRESH_MS);
`;
