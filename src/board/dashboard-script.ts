import { STATUS_ICONS } from './status-look.js';

/**
 * The dashboard's script (inlined in the page, allowed by its hash in the CSP). Plain browser
 * JavaScript, no build step: it loads the mesh, the nodes' recent checks and the last 5 minutes of
 * alerts, then follows `/api/events`. Every text from the server goes in through textContent. The node
 * actions (`dashboard-actions-script.ts`), node detail and statistics follow it in the same script
 * element.
 */
export const DASHBOARD_SCRIPT = `
'use strict';
var ALERT_WINDOW_MS = 5 * 60 * 1000;
var SPARK_POINTS = 40;
var rows = new Map();
var telemetry = new Map();
var alerts = [];
var STATUS_ICONS = ${JSON.stringify(STATUS_ICONS)};

function el(tag, attrs, text) {
  var node = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function svgEl(tag, attrs) {
  var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  Object.keys(attrs).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
  return node;
}
function ms(value) { return value === null || value === undefined ? '–' : Math.round(value) + ' ms'; }
function pct(value) { return value === null || value === undefined ? '–' : value + '%'; }
function gb(bytes) { return (bytes / 1073741824).toFixed(1) + ' GB'; }
function time(iso) { return new Date(iso).toLocaleTimeString(); }

function renderMesh(mesh) {
  var health = document.getElementById('health');
  document.getElementById('health-percent').textContent = mesh.healthPercent + '%';
  document.getElementById('health-count').textContent = '(' + mesh.healthy + '/' + mesh.total + ' healthy)';
  health.setAttribute('data-level', mesh.total === 0 || mesh.healthy === mesh.total ? 'ok' : mesh.healthy === 0 ? 'bad' : 'warn');
}

function createRow(node) {
  var tr = el('tr', { 'data-node': node.id });
  var cells = {
    name: el('td', { 'data-label': 'node' }),
    status: el('td', { 'data-label': 'status' }),
    latency: el('td', { 'data-label': 'latency', class: 'num' }),
    success: el('td', { 'data-label': 'success', class: 'num' }),
    uptime: el('td', { 'data-label': 'uptime', class: 'num' }),
    models: el('td', { 'data-label': 'models', class: 'models' }),
    error: el('td', { 'data-label': 'last error', class: 'error' }),
    action: el('td', {}),
  };
  Object.keys(cells).forEach(function (key) { tr.appendChild(cells[key]); });
  var row = { tr: tr, cells: cells, history: [], lastCheckAt: null, age: el('div', { class: 'age muted' }) };
  actionCell(row, node.id);
  rows.set(node.id, row);
  document.getElementById('nodes').appendChild(tr);
  return row;
}

function renderNode(node) {
  var row = rows.get(node.id) || createRow(node);
  var c = row.cells;
  row.tr.setAttribute('data-status', node.status);
  var open = el('button', { type: 'button', class: 'link node-name', 'data-detail': node.id }, node.name);
  open.addEventListener('click', function () { openDetail(node.id); });
  c.name.replaceChildren(open, el('div', { class: 'node-id muted' }, node.id));
  var status = el('span', { class: 'status' });
  status.appendChild(el('span', { class: 'status-icon', 'aria-hidden': 'true' }, STATUS_ICONS[node.status] || '?'));
  status.appendChild(el('span', { class: 'status-text' }, node.status));
  if (node.silenced) status.appendChild(el('span', { class: 'silenced' }, 'silenced'));
  c.status.replaceChildren(status, row.age);
  // Present only while a gateway process reports the node (SPEC: per-node in-flight on the dashboard).
  if (node.gateway) {
    c.status.appendChild(el('div', { class: 'gateway-load muted' },
      'gateway: ' + node.gateway.inFlight + ' in flight · ' + node.gateway.requestsPerMinute + '/min'));
  }
  if (row.lastCheckAt !== null && node.lastCheckAt !== row.lastCheckAt && node.latencyMs !== null) {
    row.history.push({ latencyMs: node.latencyMs, ok: node.consecutiveFailures === 0 });
    if (row.history.length > SPARK_POINTS) row.history.shift();
  }
  row.lastCheckAt = node.lastCheckAt;
  var latency = el('div', { class: 'latency' });
  latency.appendChild(el('span', {}, ms(node.latencyMs)));
  latency.appendChild(sparkline(row.history));
  c.latency.replaceChildren(latency);
  c.success.textContent = pct(node.successRate);
  c.uptime.textContent = pct(node.uptimeScore);
  row.node = node;
  renderAge(row);
  renderActions(row);
  renderModels(row);
  c.error.textContent = node.lastError || '';
  if (node.id === detailId) renderDetailNode();
}

function renderModels(row) {
  var node = row.node;
  var loaded = node.loadedModels.map(function (m) { return m.name + ' (' + gb(m.sizeVram) + ')'; });
  row.cells.models.replaceChildren.apply(row.cells.models, [
    el('div', {}, (node.models === null ? '–' : node.models) + ' models'),
    el('div', { class: 'muted' }, loaded.length ? 'loaded: ' + loaded.join(', ') : 'none loaded'),
  ].concat(gpuLines(telemetry.get(node.id))));
}

function gpuLines(t) {
  if (!t) return [];
  if (t.error) return [el('div', { class: 'gpu error' }, 'GPU: ' + t.error)];
  return t.gpus.map(function (g) {
    var parts = [g.name || 'unknown GPU'];
    if (g.memoryUsedBytes !== null && g.memoryTotalBytes !== null) parts.push(gb(g.memoryUsedBytes) + ' / ' + gb(g.memoryTotalBytes));
    if (g.utilizationPercent !== null) parts.push(g.utilizationPercent + '%');
    if (g.temperatureC !== null) parts.push(g.temperatureC + ' °C');
    if (g.powerDrawW !== null) parts.push(Math.round(g.powerDrawW) + (g.powerLimitW !== null ? ' / ' + Math.round(g.powerLimitW) : '') + ' W');
    return el('div', { class: 'gpu', 'data-gpu': g.index }, 'GPU ' + g.index + ': ' + parts.join(' · '));
  });
}

function renderTelemetry(event) {
  telemetry.set(event.nodeId, event.telemetry);
  var row = rows.get(event.nodeId);
  if (row && row.node) renderModels(row);
}

function sparkline(points) {
  var width = 110, height = 26;
  var svg = svgEl('svg', { class: 'spark', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'recent checks' });
  if (points.length === 0) return svg;
  var max = Math.max.apply(null, points.map(function (p) { return p.latencyMs; }).concat([1]));
  var step = points.length > 1 ? width / (SPARK_POINTS - 1) : 0;
  var offset = width - step * (points.length - 1);
  var coords = points.map(function (p, i) {
    return [offset + i * step, height - 2 - (p.latencyMs / max) * (height - 4)];
  });
  svg.appendChild(svgEl('polyline', { points: coords.map(function (xy) { return xy[0].toFixed(1) + ',' + xy[1].toFixed(1); }).join(' ') }));
  points.forEach(function (p, i) {
    if (!p.ok) svg.appendChild(svgEl('circle', { cx: coords[i][0].toFixed(1), cy: height - 3, r: 2 }));
  });
  return svg;
}

function loadHistory(id) {
  return fetch('api/nodes/' + encodeURIComponent(id)).then(function (r) { return r.ok ? r.json() : null; }).then(function (node) {
    var row = rows.get(id);
    if (!node || !row) return;
    row.history = node.history.slice(0, SPARK_POINTS).reverse().map(function (h) { return { latencyMs: h.latencyMs, ok: h.ok }; });
    row.lastCheckAt = node.lastCheckAt;
    renderNode(node);
  }).catch(function () {});
}

function renderAlerts() {
  var cutoff = Date.now() - ALERT_WINDOW_MS;
  alerts = alerts.filter(function (a) { return Date.parse(a.at) >= cutoff; });
  var list = document.getElementById('alerts');
  if (alerts.length === 0) { list.replaceChildren(el('li', { class: 'empty' }, 'No alerts in the last 5 minutes.')); return; }
  list.replaceChildren.apply(list, alerts.map(function (a) {
    var li = el('li', { 'data-alert': a.id });
    li.appendChild(el('span', { class: 'muted' }, time(a.at)));
    li.appendChild(el('span', { class: 'sev', 'data-severity': a.severity }, a.severity));
    li.appendChild(el('span', {}, a.title || a.kind));
    return li;
  }));
}

function addAlert(alert) {
  if (alerts.some(function (a) { return a.id === alert.id; })) return;
  alerts.unshift(alert);
  alerts.sort(function (a, b) { return Date.parse(b.at) - Date.parse(a.at); });
  renderAlerts();
}

function listen() {
  var live = document.getElementById('live');
  var source = new EventSource('api/events');
  source.addEventListener('open', function () { live.textContent = 'live'; live.setAttribute('data-state', 'live'); loadStats(); });
  source.addEventListener('error', function () { live.textContent = 'reconnecting'; live.setAttribute('data-state', 'down'); });
  source.addEventListener('mesh', function (e) { renderMesh(JSON.parse(e.data)); });
  source.addEventListener('node', function (e) { renderNode(JSON.parse(e.data)); });
  source.addEventListener('alert', function (e) { addAlert(JSON.parse(e.data)); });
  source.addEventListener('telemetry', function (e) { renderTelemetry(JSON.parse(e.data)); });
  source.addEventListener('report', function (e) { showReport(JSON.parse(e.data)); });
}

fetch('api/mesh').then(function (r) { return r.json(); }).then(function (mesh) {
  renderMesh(mesh);
  mesh.nodes.forEach(renderNode);
  mesh.nodes.forEach(function (node) { loadHistory(node.id); });
  listen();
});
fetch('api/alerts?since=5m').then(function (r) { return r.ok ? r.json() : []; }).then(function (list) {
  list.forEach(addAlert);
  renderAlerts();
}).catch(renderAlerts);
setInterval(renderAlerts, 10000);
`;
