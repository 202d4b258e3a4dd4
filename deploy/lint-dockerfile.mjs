#!/usr/bin/env node
// The Dockerfile check CI runs where hadolint cannot be installed (it is in neither Debian's archive
// nor npm). It enforces the hadolint rules that matter for this image, by their hadolint ids, plus
// this project's own (marked GM), and checks that every COPY source exists and survives .dockerignore,
// since no image can be built here. Not enforced: DL3008 (pin apt versions — the base image is pinned
// to a Debian release, whose security updates we want).
//   node deploy/lint-dockerfile.mjs [Dockerfile]      exit 0 clean · 1 problems (one per line)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const file = resolve(process.argv[2] ?? 'Dockerfile');
const root = dirname(file);
const problems = [];
const problem = (line, id, text) => problems.push(`${file}:${line}: ${id} ${text}`);

/** Instructions with their first line number, continuation lines joined, comments dropped. */
function instructions(text) {
  const result = [];
  let current = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (current === null && (line === '' || line.startsWith('#'))) return;
    if (current !== null && line.startsWith('#')) return;
    const body = line.endsWith('\\') ? line.slice(0, -1) : line;
    if (current === null) {
      const match = /^(\w+)\s*(.*)$/.exec(body);
      current = { line: index + 1, keyword: (match?.[1] ?? '').toUpperCase(), args: match?.[2] ?? '' };
    } else {
      current.args += ` ${body}`;
    }
    if (!line.endsWith('\\')) {
      current.args = current.args.trim();
      result.push(current);
      current = null;
    }
  });
  return result;
}

const all = instructions(readFileSync(file, 'utf8'));
const args = new Map();
for (const { keyword, args: text } of all) {
  if (keyword !== 'ARG') continue;
  const [name, value] = text.split('=');
  if (name && value !== undefined) args.set(name.trim(), value.trim());
}
const expand = (text) => text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '');

// Stages.
const froms = all.filter((i) => i.keyword === 'FROM');
const stages = [];
for (const instruction of all) {
  if (instruction.keyword === 'FROM') stages.push({ from: instruction, body: [] });
  else stages.at(-1)?.body.push(instruction);
}
const final = stages.at(-1);
if (froms.length < 2) problem(1, 'GM1', 'not multi-stage: build with dev dependencies, run with production ones');
for (const from of froms) {
  const image = expand(from.args.split(/\s+/)[0] ?? '');
  const stageNames = stages.map((s) => s.from.args.split(/\s+as\s+/i)[1]).filter(Boolean);
  if (stageNames.includes(image)) continue;
  if (!image.includes(':') && !image.includes('@')) problem(from.line, 'DL3006', `image "${image}" has no tag`);
  if (image.endsWith(':latest')) problem(from.line, 'DL3007', `image "${image}" uses latest`);
}
if (final) {
  const image = expand(final.from.args.split(/\s+/)[0] ?? '');
  if (!/^node:22[.\w-]*slim/.test(image)) problem(final.from.line, 'GM2', `runtime image ${image} is not node:22 slim`);
  const users = final.body.filter((i) => i.keyword === 'USER');
  const lastUser = users.at(-1);
  if (!lastUser) problem(final.from.line, 'DL3002', 'the runtime stage never leaves root (no USER)');
  else if (/^(root|0)(:|$)/.test(lastUser.args)) problem(lastUser.line, 'DL3002', 'the last USER is root');
  const healthcheck = final.body.find((i) => i.keyword === 'HEALTHCHECK');
  if (!healthcheck) problem(final.from.line, 'GM3', 'no HEALTHCHECK');
  else if (!healthcheck.args.includes('/healthz')) problem(healthcheck.line, 'GM3', 'HEALTHCHECK does not ask /healthz');
  const entrypoint = final.body.find((i) => i.keyword === 'ENTRYPOINT');
  if (!entrypoint || !/tini/.test(entrypoint.args))
    problem(entrypoint?.line ?? final.from.line, 'GM4', 'ENTRYPOINT does not start tini (signals, zombie reaping)');
  const runs = final.body.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  if (!runs.some((run) => /npm ci\b.*--omit=dev/.test(run)))
    problem(final.from.line, 'GM5', 'the runtime stage does not install production dependencies only (npm ci --omit=dev)');
  if (runs.some((run) => /npm (install|i)\b/.test(run))) problem(final.from.line, 'GM5', 'npm install in the runtime stage: use npm ci');
}

// Instruction rules.
for (const { line, keyword, args: text } of all) {
  if (keyword === 'ADD' && !/^(--\S+\s+)*(https?:|git@)/.test(text)) problem(line, 'DL3020', 'use COPY for local files');
  if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !text.startsWith('['))
    problem(line, 'DL3025', `${keyword} in shell form: signals would go to /bin/sh, not gpu-mesh`);
  if (keyword === 'WORKDIR' && !expand(text).startsWith('/')) problem(line, 'DL3000', 'WORKDIR is not absolute');
  if (keyword === 'MAINTAINER') problem(line, 'DL4000', 'MAINTAINER is deprecated');
  if (keyword !== 'RUN') continue;
  if (/(^|[;&|]\s*)sudo\s/.test(text)) problem(line, 'DL3004', 'sudo in RUN');
  if (/(^|[;&|]\s*)apt\s/.test(text)) problem(line, 'DL3027', 'apt in RUN: use apt-get');
  if (/apt-get\s+(-\S+\s+)*install/.test(text)) {
    if (!/--no-install-recommends/.test(text)) problem(line, 'DL3015', 'apt-get install without --no-install-recommends');
    if (!/(^|\s)-y\b|--yes|--assume-yes/.test(text)) problem(line, 'DL3014', 'apt-get install without -y');
    if (!/rm -rf \/var\/lib\/apt\/lists/.test(text)) problem(line, 'DL3009', 'apt lists not deleted in the same RUN');
  }
  if (/apt-get\s+(-\S+\s+)*upgrade/.test(text)) problem(line, 'DL3005', 'apt-get upgrade in RUN');
}

// COPY sources must exist and pass .dockerignore (a whitelist: `*` then `!path` lines).
const ignore = existsSync(join(root, '.dockerignore'))
  ? readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  : null;
if (ignore === null) problem(1, 'GM6', 'no .dockerignore: the whole folder (node_modules, .env) goes to the daemon');
else {
  const allowed = (path) => {
    let included = true;
    for (const rule of ignore) {
      const negate = rule.startsWith('!');
      const pattern = (negate ? rule.slice(1) : rule).replace(/\/$/, '');
      const matches = pattern === '*' || path === pattern || path.startsWith(`${pattern}/`);
      if (matches) included = negate;
    }
    return included;
  };
  for (const secret of ['.env', 'node_modules', 'dist', '.git'])
    if (allowed(secret)) problem(1, 'GM6', `.dockerignore lets ${secret} into the build context`);
  for (const { line, keyword, args: text } of all) {
    if (keyword !== 'COPY' || /--from=/.test(text)) continue;
    const words = text.startsWith('[') ? JSON.parse(text) : text.split(/\s+/).filter((w) => !w.startsWith('--'));
    for (const source of words.slice(0, -1)) {
      const path = source.replace(/^\.\//, '').replace(/\/$/, '');
      if (!existsSync(join(root, path))) problem(line, 'GM7', `COPY source ${source} does not exist`);
      else if (!allowed(path)) problem(line, 'GM7', `COPY source ${source} is excluded by .dockerignore`);
    }
  }
}

if (problems.length > 0) {
  for (const line of problems) console.error(line);
  process.exit(1);
}
console.log(`${file}: clean (${all.length} instructions, ${froms.length} stages; hadolint rules DL3000 DL3002 DL3004 DL3005 DL3006 DL3007 DL3009 DL3014 DL3015 DL3020 DL3025 DL3027 DL4000 + GM1-GM7)`);
