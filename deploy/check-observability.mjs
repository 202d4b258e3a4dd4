#!/usr/bin/env node
// Checks the Grafana dashboard and the Prometheus rules against what gpu-mesh exports (CI runs it from
// deploy/validate.sh, beside `promtool check rules`):
//   - deploy/grafana/gpu-mesh.json is JSON, has a uid, a title and unique panel ids; every panel but a
//     row has a datasource, a gridPos and at least one target; every target has a datasource and an
//     expr; every `$variable` a panel uses is defined in templating
//   - every gpu_mesh_* metric named in a target, a template variable or deploy/prometheus/rules.yml
//     exists: is one of the names src/metrics and src/gateway register (with _bucket, _sum, _count
//     allowed on histograms only)
//   - the grafana provisioning names the data source uid the dashboard defaults to
//   node deploy/check-observability.mjs          exit 0 clean · 1 problems (one per line)
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const problems = [];
const problem = (text) => problems.push(text);

// The metric names gpu-mesh registers: string literals 'gpu_mesh_…' in src/metrics and src/gateway.
const known = new Map(); // name -> type (histogram or other)
for (const folder of ['src/metrics', 'src/gateway']) {
  for (const file of readdirSync(join(root, folder), { recursive: true })) {
    if (!String(file).endsWith('.ts')) continue;
    const text = readFileSync(join(root, folder, String(file)), 'utf8');
    for (const match of text.matchAll(/['"`](gpu_mesh_[a-z0-9_]+)['"`]/g)) {
      const name = match[1];
      // A family's `type: 'histogram'` (src/metrics) or `new Histogram({ name` (src/gateway) near it.
      const around = text.slice(Math.max(0, match.index - 120), match.index + 400);
      const histogram =
        new RegExp(`name: '${name}',[^}]*?type: 'histogram'`, 's').test(around) ||
        new RegExp(`new Histogram\\(\\{\\s*name: '${name}'`).test(text) ||
        new RegExp(`histogramSamples\\('${name}'`).test(text);
      if (!known.has(name) || histogram)
        known.set(name, histogram ? 'histogram' : (known.get(name) ?? 'other'));
    }
  }
}
if (process.env.CHECK_OBSERVABILITY_DEBUG) console.log(known);
if (known.size < 10)
  problem(`found only ${known.size} metric names in src/metrics and src/gateway: the scan is broken`);

/** Problems with the gpu_mesh_* names one PromQL expression uses. */
function checkExpr(expr, where) {
  for (const [name] of expr.matchAll(/\bgpu_mesh_[a-z0-9_]+/g)) {
    if (known.has(name)) {
      // A histogram's own name has no samples: only name_bucket, _sum and _count do.
      if (known.get(name) === 'histogram')
        problem(`${where}: ${name} is a histogram; use ${name}_bucket, _sum or _count`);
      continue;
    }
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (base !== name && known.get(base) === 'histogram') continue;
    problem(`${where}: ${name} is not a metric gpu-mesh exports (src/metrics, src/gateway)`);
  }
}

// The dashboard.
const dashboardFile = 'deploy/grafana/gpu-mesh.json';
let dashboard;
try {
  dashboard = JSON.parse(readFileSync(join(root, dashboardFile), 'utf8'));
} catch (error) {
  problem(`${dashboardFile}: not JSON: ${error.message}`);
}
let panelCount = 0;
let targetCount = 0;
if (dashboard) {
  if (!dashboard.uid || !dashboard.title) problem(`${dashboardFile}: no uid or title`);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0)
    problem(`${dashboardFile}: no panels`);
  const variables = new Map((dashboard.templating?.list ?? []).map((variable) => [variable.name, variable]));
  const builtIn = new Set(['__rate_interval', '__interval', '__range', '__interval_ms', '__range_s']);
  const usesKnownVariables = (text, where) => {
    for (const [, a, b] of String(text).matchAll(/\$(?:\{(\w+)[^}]*\}|(\w+))/g)) {
      const name = a ?? b;
      if (!variables.has(name) && !builtIn.has(name))
        problem(`${where}: uses $${name}, which templating does not define`);
    }
  };
  const datasourceOk = (ds) =>
    ds && typeof ds === 'object' && ds.type === 'prometheus' && typeof ds.uid === 'string' && ds.uid !== '';
  for (const variable of variables.values()) {
    if (variable.type !== 'query') continue;
    const where = `${dashboardFile}: variable $${variable.name}`;
    if (!datasourceOk(variable.datasource)) problem(`${where}: no prometheus datasource`);
    else usesKnownVariables(variable.datasource.uid, where);
    checkExpr(
      typeof variable.query === 'object' ? variable.query.query : String(variable.query ?? ''),
      where,
    );
  }
  const ids = new Set();
  const all = (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  for (const panel of all) {
    const where = `${dashboardFile}: panel ${panel.id} "${panel.title}"`;
    if (ids.has(panel.id)) problem(`${where}: duplicate id`);
    ids.add(panel.id);
    const grid = panel.gridPos;
    if (!grid || ![grid.x, grid.y, grid.w, grid.h].every(Number.isInteger) || grid.x + grid.w > 24)
      problem(`${where}: bad gridPos`);
    if (panel.type === 'row') continue;
    panelCount++;
    if (!panel.title) problem(`${where}: no title`);
    if (!datasourceOk(panel.datasource)) problem(`${where}: no prometheus datasource`);
    else usesKnownVariables(panel.datasource.uid, where);
    if (!Array.isArray(panel.targets) || panel.targets.length === 0) problem(`${where}: no targets`);
    const refIds = new Set();
    for (const target of panel.targets ?? []) {
      targetCount++;
      const at = `${where} target ${target.refId}`;
      if (!target.refId || refIds.has(target.refId)) problem(`${at}: missing or duplicate refId`);
      refIds.add(target.refId);
      if (!datasourceOk(target.datasource)) problem(`${at}: no prometheus datasource`);
      if (typeof target.expr !== 'string' || !/\bgpu_mesh_/.test(target.expr))
        problem(`${at}: no expr on a gpu_mesh_ metric`);
      else {
        checkExpr(target.expr, at);
        usesKnownVariables(target.expr, at);
        if ((target.expr.match(/\(/g) ?? []).length !== (target.expr.match(/\)/g) ?? []).length)
          problem(`${at}: unbalanced parentheses`);
      }
    }
  }
  // Provisioning: the default data source exists under the uid a fresh import resolves to.
  const datasources = parse(
    readFileSync(join(root, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
  );
  const defaults = (datasources?.datasources ?? []).filter((ds) => ds.type === 'prometheus' && ds.isDefault);
  if (defaults.length !== 1)
    problem(
      'deploy/grafana/provisioning/datasources/prometheus.yml: want exactly one default prometheus data source',
    );
}

// The Prometheus rules.
const rulesFile = 'deploy/prometheus/rules.yml';
const rules = parse(readFileSync(join(root, rulesFile), 'utf8'));
let ruleCount = 0;
for (const group of rules?.groups ?? []) {
  for (const rule of group.rules ?? []) {
    ruleCount++;
    const where = `${rulesFile}: ${rule.alert ?? rule.record}`;
    checkExpr(String(rule.expr ?? ''), where);
    if (rule.alert && !['warning', 'error', 'critical'].includes(rule.labels?.severity))
      problem(`${where}: severity is not warning, error or critical`);
    if (rule.alert && !rule.annotations?.summary) problem(`${where}: no summary annotation`);
  }
}
if (ruleCount === 0) problem(`${rulesFile}: no rules`);

if (problems.length > 0) {
  for (const text of problems) console.error(text);
  process.exit(1);
}
console.log(
  `observability: ${panelCount} panels, ${targetCount} targets and ${ruleCount} rules use only the ${known.size} metric names gpu-mesh exports`,
);
