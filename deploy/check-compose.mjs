#!/usr/bin/env node
// This project's rules for docker-compose.yml, checked on the model a compose parser printed
// (`docker-compose config` on stdin), so anchors, merges and ${VAR} are already resolved:
//   - redis: AOF on, noeviction, a healthcheck, a named volume
//   - gpu-mesh: built here, waits for a healthy redis, restart unless-stopped, publishes no port, so
//     `--scale gpu-mesh=3` cannot clash; exactly one service publishes the dashboard's port 3000
//   - every published port binds 127.0.0.1 (nothing is exposed beyond this machine by default)
//   - every variable .env.example offers reaches the gpu-mesh containers, and every ${VAR} the
//     compose mesh.yaml reads is given to them
//   - no service falls back to a password written in this file (GPU_MESH_PASSWORD_FILE instead)
//   - every published host port is a ${VAR:-default} (a second stack on one host sets other ports)
//   - profile observability: prometheus and grafana only there (a bare `up` starts neither), mounting
//     deploy/prometheus and deploy/grafana; prometheus waits for prometheus-auth to have run
//   docker-compose config | node deploy/check-compose.mjs
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const model = parse(readFileSync(0, 'utf8'));
const services = model?.services ?? {};
const problems = [];
const expect = (ok, text) => {
  if (!ok) problems.push(text);
};

const words = (command) => (Array.isArray(command) ? command : String(command ?? '').split(/\s+/)).join(' ');
/** Published ports as {host_ip, published, target}, from the long syntax or `[ip:]published:target[/proto]`. */
const publishedPorts = (service) =>
  (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { ...port, target: String(port.target) };
    const parts = String(port).replace(/\/\w+$/, '').split(':');
    if (parts.length === 1) return { target: parts[0] };
    return { host_ip: parts.length > 2 ? parts[0] : undefined, published: parts.at(-2), target: parts.at(-1) };
  });

const redis = services.redis;
expect(redis, 'no redis service');
if (redis) {
  expect(/--appendonly yes/.test(words(redis.command)), 'redis: AOF is off (--appendonly yes)');
  expect(/--maxmemory-policy noeviction/.test(words(redis.command)), 'redis: not --maxmemory-policy noeviction (BullMQ needs it)');
  expect(redis.healthcheck?.test, 'redis: no healthcheck');
  const volume = (redis.volumes ?? []).find((v) => (typeof v === 'object' ? v.target : String(v).split(':')[1]) === '/data');
  const source = typeof volume === 'object' ? volume.source : String(volume ?? '').split(':')[0];
  expect(volume && model.volumes && source in model.volumes, 'redis: /data is not a named volume');
}

const mesh = services['gpu-mesh'];
expect(mesh, 'no gpu-mesh service');
if (mesh) {
  expect(mesh.build, 'gpu-mesh: not built from this repository (build:)');
  expect(mesh.depends_on?.redis?.condition === 'service_healthy', 'gpu-mesh: does not wait for a healthy redis');
  expect(mesh.restart === 'unless-stopped', 'gpu-mesh: restart is not unless-stopped');
  expect(publishedPorts(mesh).length === 0, 'gpu-mesh: publishes a port, so --scale gpu-mesh=3 would clash');
}

const publishing3000 = Object.entries(services).filter(([, s]) => publishedPorts(s).some((p) => String(p.target) === '3000'));
expect(publishing3000.length === 1, `services publishing port 3000: ${publishing3000.map(([n]) => n).join(', ') || 'none'} (want exactly one)`);
for (const [name, service] of Object.entries(services)) {
  for (const port of publishedPorts(service)) {
    expect(port.host_ip === '127.0.0.1', `${name}: port ${port.target} is published on ${port.host_ip ?? 'every address'}, not 127.0.0.1`);
  }
}

// No password printed in a public file may protect a real mesh: without GPU_MESH_PASSWORD, each
// gpu-mesh container uses the random one kept in GPU_MESH_PASSWORD_FILE (on a volume they share).
for (const [name, service] of Object.entries(services)) {
  const env = service.environment ?? {};
  if (!('GPU_MESH_PASSWORD' in env)) continue;
  expect(!env.GPU_MESH_PASSWORD, `${name}: GPU_MESH_PASSWORD defaults to a password written in docker-compose.yml`);
  expect(Boolean(env.GPU_MESH_PASSWORD_FILE), `${name}: no GPU_MESH_PASSWORD_FILE for the generated password`);
}

// Published host ports come from the environment (the parsed model has them resolved: read the text).
const composeLines = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8').split('\n');
for (const line of composeLines) {
  const port = /^\s*-\s*"?(127\.0\.0\.1:[^"]+)"?\s*$/.exec(line)?.[1];
  if (port) expect(/^127\.0\.0\.1:\$\{[A-Z0-9_]+:-\d+\}:\d+$/.test(port), `port ${port}: the host port is not a \${VAR:-default}`);
}

const inProfile = (service, name) => (service?.profiles ?? []).includes(name);
const mounts = (service, folder) =>
  (service?.volumes ?? []).some((v) => (typeof v === 'object' ? v.source : String(v).split(':')[0]) === resolve(root, folder));
const prometheus = services.prometheus;
const grafana = services.grafana;
expect(prometheus && grafana, 'no prometheus or grafana service (profile observability)');
for (const [name, service] of Object.entries({ prometheus, grafana, 'prometheus-auth': services['prometheus-auth'] })) {
  if (service) expect(inProfile(service, 'observability'), `${name}: not only in profile observability`);
}
if (prometheus) {
  expect(mounts(prometheus, 'deploy/prometheus'), 'prometheus: does not mount deploy/prometheus (prometheus.yml, rules.yml)');
  expect(
    prometheus.depends_on?.['prometheus-auth']?.condition === 'service_completed_successfully',
    'prometheus: does not wait for prometheus-auth (the scrape password) to complete',
  );
}
if (grafana) expect(mounts(grafana, 'deploy/grafana'), 'grafana: does not mount deploy/grafana (provisioning, gpu-mesh.json)');

const meshEnv = Object.keys(mesh?.environment ?? {});
const offered = readFileSync(resolve(root, '.env.example'), 'utf8')
  .split('\n')
  .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
  .filter(Boolean);
const composeText = readFileSync(resolve(root, 'docker-compose.yml'), 'utf8');
for (const variable of offered) {
  expect(meshEnv.includes(variable) || composeText.includes(`\${${variable}`), `.env.example offers ${variable}, which docker-compose.yml never uses`);
}
const meshYaml = readFileSync(resolve(root, 'deploy/compose/mesh.yaml'), 'utf8').replace(/#.*$/gm, '');
for (const [, variable] of meshYaml.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) {
  expect(meshEnv.includes(variable), `deploy/compose/mesh.yaml reads \${${variable}}, which the gpu-mesh service is not given`);
}

if (problems.length > 0) {
  for (const text of problems) console.error(`docker-compose.yml: ${text}`);
  process.exit(1);
}
console.log(
  `docker-compose.yml: project rules hold (${Object.keys(services).length} services; gpu-mesh scalable; port 3000 published once, on 127.0.0.1; host ports configurable; observability profile)`,
);
