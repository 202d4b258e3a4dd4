#!/usr/bin/env bash
# The compose demo for real: Docker, the image built from the Dockerfile, `docker-compose up`, and the
# demo's whole loop through the real containers. CI runs it after the test suites (.ci/run); a failure
# counts as a failed test there. Needs root on Debian (or a Docker engine it may use); no image
# registry: the base images are made here from Debian's archive and this machine's Node.
#
#   1. tools        docker.io, docker-compose, debootstrap: installed with apt-get when missing
#   2. dockerd      started if none answers, stopped again at the end (only the one it started)
#   3. base images  made locally under the names the Dockerfile and docker-compose.yml use, never
#                   pulled; kept in Docker between runs and rebuilt only when their recipe changes
#                   (a label holds a hash of it). An image of that name without the label is a real
#                   one (pulled by someone) and is used as it is.
#                     debian:bookworm-slim   debootstrap --variant=minbase bookworm -> docker import
#                                            (deploy/rehearsal/debian-slim.sh)
#                     node:22-bookworm-slim  that + this machine's node (package.json engines) and npm
#                     redis:7                that + Debian's redis-server 7.0, run as the official image
#                     axllent/mailpit:v1.27  node + deploy/rehearsal/mailpit.mjs (smtp-server from
#                                            node_modules): SMTP on 1025, mailpit's message API on 8025
#                     prom/prometheus:…      that + Debian's prometheus 2.42 (the observability profile)
#                   Grafana is in no Debian release: its service is not started here.
#   4. build        DOCKER_BUILDKIT=0 docker build -t gpu-mesh:local . (the legacy builder: BuildKit
#                   would fetch the `# syntax=` frontend from a registry); image size, no TypeScript
#   5. up           docker-compose up -d --no-build, as project gpu-mesh-rehearsal on free ports
#                   (GPU_MESH_PORT & co., so it runs beside a stack of yours), gpu-mesh scaled to 2,
#                   demo-chaos killing sim-2 30 s after start (then never again)
#   6. the loop     deploy/rehearsal/drive-demo.mjs: /healthz, /readyz, auth with the generated
#                   password (docker-compose exec dashboard cat /var/lib/gpu-mesh/password), the
#                   kill -> unhealthy e-mail -> http recovery -> recovered e-mail loop, Bull Board,
#                   /metrics, Prometheus' scrape and rules; then `gpu-mesh status` in the container, the
#                   image HEALTHCHECK (healthy), demo-chaos' log
#   7. stop         docker-compose stop: every container exits 0 on SIGTERM (tini -> gpu-mesh)
#   8. down -v      nothing of the project left
# Prints the time of each phase. Exit 0 when every check passed.
# Environment: REHEARSAL_PROJECT (gpu-mesh-rehearsal), REHEARSAL_FIRST_KILL_AFTER_S (30),
# REHEARSAL_REBUILD_BASE=1 (remake the stand-in images), REHEARSAL_KEEP=1 (leave the stack up),
# GPU_MESH_PORT / GPU_MESH_MAILPIT_PORT / GPU_MESH_SIMULATOR_PORT / GPU_MESH_PROMETHEUS_PORT (free
# ports by default).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

project=${REHEARSAL_PROJECT:-gpu-mesh-rehearsal}
label=org.gpu-mesh.rehearsal.stand-in
prometheus_image=prom/prometheus:v2.53.1
grafana_image=grafana/grafana:11.6.0
work=$(mktemp -d /tmp/gpu-mesh-rehearsal.XXXXXX)
: >"$work/empty.env"

passes=0
failures=0
stack_up=0
started_dockerd=
ok() { passes=$((passes + 1)); printf 'ok    %s\n' "$*"; }
bad() { failures=$((failures + 1)); printf 'FAIL  %s\n' "$*"; }
check() { local text=$1; shift; if "$@"; then ok "$text"; else bad "$text"; fi; }
die() { bad "$*"; exit 1; }

script_start=$(date +%s)
phase_name=
phase_start=$script_start
timings=()
phase() {
  local now
  now=$(date +%s)
  [ -n "$phase_name" ] && timings+=("$(printf '%-50s %4d s' "$phase_name" $((now - phase_start)))")
  phase_name=$1
  phase_start=$now
  [ -n "$1" ] && printf '\n=== %s\n' "$1"
}

compose=()
profile=()
C() { "${compose[@]}" -p "$project" --env-file "$work/empty.env" -f "$root/docker-compose.yml" "${profile[@]}" "$@"; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$stack_up" = 1 ] && [ "${REHEARSAL_KEEP:-0}" != 1 ]; then
    if [ "$failures" -gt 0 ] || [ "$status" != 0 ]; then
      echo "--- logs of the stack (last lines)"
      C logs --no-color --tail=40 2>&1 | tail -200
    fi
    echo "--- cleaning up: docker-compose down -v"
    C down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  if [ -n "$started_dockerd" ]; then
    echo "--- stopping the dockerd this script started (pid $started_dockerd)"
    kill -TERM "$started_dockerd" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$started_dockerd" 2>/dev/null && { echo "dockerd did not stop in 30 s: SIGKILL"; kill -KILL "$started_dockerd"; }
  fi
  rm -rf "$work"
  phase ""
  echo
  echo "--- timings"
  printf '%s\n' "${timings[@]}"
  printf '%-50s %4d s\n' "total" $(($(date +%s) - script_start))
  [ "$status" = 0 ] && [ "$failures" -gt 0 ] && status=1
  echo "rehearse-compose: ${passes} checks ok, ${failures} failing"
  exit "$status"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

# --- 1. tools ---------------------------------------------------------------------------------------
phase "tools (docker.io, docker-compose, debootstrap)"
apt_updated=0
apt_install() {
  [ "$(id -u)" = 0 ] || { echo "not root: cannot apt-get install $*" >&2; return 1; }
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  echo "installing $* (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$work/apt.log" 2>&1 || { tail -5 "$work/apt.log" >&2; return 1; }
}
missing=()
command -v docker >/dev/null || missing+=(docker.io)
if ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null; then missing+=(docker.io); fi
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then missing+=(docker-compose); fi
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  apt_install "${missing[@]}" || die "could not install ${missing[*]}"
fi
if command -v docker-compose >/dev/null; then compose=(docker-compose); else compose=(docker compose); fi
echo "using $(docker --version), $("${compose[@]}" version 2>/dev/null | head -1)"

# --- 2. dockerd -------------------------------------------------------------------------------------
phase "dockerd"
if docker info >/dev/null 2>&1; then
  echo "a Docker engine answers already: using it (and leaving it running)"
else
  [ "$(id -u)" = 0 ] || die "no Docker engine answers and, not being root, this script cannot start one"
  echo "starting dockerd (log: /var/log/gpu-mesh-rehearsal-dockerd.log)"
  dockerd >/var/log/gpu-mesh-rehearsal-dockerd.log 2>&1 &
  started_dockerd=$!
  for _ in $(seq 120); do docker info >/dev/null 2>&1 && break; kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -20 /var/log/gpu-mesh-rehearsal-dockerd.log; die "dockerd did not start"; }
fi
echo "engine: $(docker info --format '{{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}' 2>/dev/null)"
# A run killed before its cleanup leaves its stack: remove it first.
C down -v --remove-orphans >/dev/null 2>&1 || true

# --- 3. base images ---------------------------------------------------------------------------------
phase "base images (stand-ins, cached)"
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
# missing | real (present without our label: pulled, use it) | <the recipe hash it was made from>
image_state() {
  local value
  value=$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null) || { echo missing; return; }
  case "$value" in "" | "<no value>") echo real ;; *) echo "$value" ;; esac
}
# ensure_image NAME HASH MAKER: makes NAME with MAKER unless present (real, or made from HASH).
ensure_image() {
  local name=$1 hash=$2 maker=$3 state started previous
  state=$(image_state "$name")
  previous=$(image_id "$name")
  if [ "$state" = real ]; then echo "$name: present and not a stand-in, used as it is"; return 0; fi
  if [ "$state" = "$hash" ] && [ "${REHEARSAL_REBUILD_BASE:-0}" != 1 ]; then echo "$name: cached stand-in ($hash)"; return 0; fi
  echo "$name: making the stand-in ($([ "$state" = missing ] && echo "none yet" || echo "recipe changed"))"
  started=$(date +%s)
  "$maker" "$name" "$hash" || return 1
  [ -n "$previous" ] && [ "$previous" != "$(image_id "$name")" ] && docker rmi "$previous" >/dev/null 2>&1
  echo "$name: made in $(($(date +%s) - started)) s, $(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%.0f MB", $1/1e6}')"
}
build_standin() { # NAME HASH DOCKERFILE CONTEXT [build args]
  local name=$1 hash=$2 file=$3 context=$4
  shift 4
  if ! DOCKER_BUILDKIT=0 docker build --force-rm -t "$name" --build-arg "STAND_IN=$hash" "$@" -f "$file" "$context" >"$work/build.log" 2>&1; then
    tail -30 "$work/build.log"
    return 1
  fi
}

make_debian() {
  command -v debootstrap >/dev/null || apt_install debootstrap || return 1
  bash deploy/rehearsal/debian-slim.sh "$work/rootfs" || return 1
  tar -C "$work/rootfs" -c . | docker import --change 'CMD ["bash"]' --change "LABEL $label=$2" - "$1" >/dev/null || return 1
  rm -rf "$work/rootfs" "$work/rootfs.log"
}
ca_files=(/usr/local/share/ca-certificates/*.crt)
[ -e "${ca_files[0]}" ] || ca_files=()
ensure_image debian:bookworm-slim "$(hash_of deploy/rehearsal/debian-slim.sh "${ca_files[@]}")" make_debian ||
  die "could not make debian:bookworm-slim"

node_bin=$(readlink -f "$(command -v node)")
# package.json's engines.node (">=X.Y.Z") decides whether this machine's node may stand in for Node 22.
node_ok=$("$node_bin" -e '
  const want = (require("./package.json").engines?.node ?? ">=20").replace(/^>=\s*/, "").split(".").map(Number);
  const have = process.versions.node.split(".").map(Number);
  let ok = true;
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (want[i] ?? 0)) { ok = (have[i] ?? 0) > (want[i] ?? 0); break; }
  console.log(ok ? "yes" : `no: package.json wants node ${require("./package.json").engines?.node}`);')
[ "$node_ok" = yes ] || die "this machine's node is $("$node_bin" --version), too old for the image ($node_ok)"
npm_dir=
if command -v npm >/dev/null; then npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd); fi
[ -f "$npm_dir/package.json" ] && [ "$(node -p "require('$npm_dir/package.json').name" 2>/dev/null)" = npm ] || npm_dir=
make_node() {
  local context=$work/node-context
  mkdir -p "$context"
  cp "$node_bin" "$context/node"
  if [ -n "$npm_dir" ]; then
    cp -a "$npm_dir" "$context/npm"
  else # no npm here: npm 10 from the registry
    echo "no npm on this machine: fetching npm@10 from the npm registry"
    node -e 'fetch("https://registry.npmjs.org/npm/10").then(r=>r.json()).then(m=>fetch(m.dist.tarball)).then(r=>r.arrayBuffer()).then(b=>process.stdout.write(Buffer.from(b)))' >"$work/npm.tgz" || return 1
    mkdir -p "$context/npm" && tar -xzf "$work/npm.tgz" -C "$context/npm" --strip-components=1 || return 1
  fi
  local extra=()
  if [ ${#ca_files[@]} -gt 0 ]; then
    cat "${ca_files[@]}" >"$context/extra-ca.pem"
    extra=(--build-arg NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/node-extra-ca.pem)
  else
    : >"$context/extra-ca.pem"
  fi
  build_standin "$1" "$2" deploy/rehearsal/node.Dockerfile "$context" "${extra[@]}"
}
npm_version=$([ -n "$npm_dir" ] && node -p "require('$npm_dir/package.json').version" || echo registry-10)
ensure_image node:22-bookworm-slim \
  "$( (image_id debian:bookworm-slim; "$node_bin" --version; stat -c %s "$node_bin"; echo "$npm_version"; cat deploy/rehearsal/node.Dockerfile "${ca_files[@]}") | sha256sum | cut -c1-16)" \
  make_node || die "could not make node:22-bookworm-slim"

make_redis() { build_standin "$1" "$2" deploy/rehearsal/redis.Dockerfile deploy/rehearsal; }
ensure_image redis:7 \
  "$( (image_id debian:bookworm-slim; cat deploy/rehearsal/redis.Dockerfile deploy/rehearsal/redis-entrypoint.sh) | sha256sum | cut -c1-16)" \
  make_redis || die "could not make redis:7"

[ -f node_modules/smtp-server/package.json ] || die "node_modules/smtp-server is missing (npm ci first): the mailpit stand-in is made from it"
make_mailpit() {
  local context=$work/mailpit-context
  mkdir -p "$context"
  cp deploy/rehearsal/mailpit.mjs "$context/"
  # smtp-server and what it needs, resolved as Node would, copied with their paths under node_modules.
  node -e '
    const { createRequire } = require("node:module");
    const path = require("node:path"), fs = require("node:fs");
    const seen = new Set();
    const walk = (from, name) => {
      const dir = path.dirname(createRequire(path.join(from, "x.js")).resolve(`${name}/package.json`));
      if (seen.has(dir)) return;
      seen.add(dir);
      for (const dep of Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "package.json"))).dependencies ?? {})) walk(dir, dep);
    };
    walk(process.cwd(), "smtp-server");
    for (const dir of seen) console.log(path.relative(process.cwd(), dir));
  ' >"$work/mailpit-deps" || return 1
  (xargs -a "$work/mailpit-deps" -I{} cp -a --parents {} "$context/") || return 1
  build_standin "$1" "$2" deploy/rehearsal/mailpit.Dockerfile "$context"
}
ensure_image axllent/mailpit:v1.27 \
  "$( (image_id node:22-bookworm-slim; cat deploy/rehearsal/mailpit.Dockerfile deploy/rehearsal/mailpit.mjs node_modules/smtp-server/package.json) | sha256sum | cut -c1-16)" \
  make_mailpit || die "could not make axllent/mailpit:v1.27"

make_prometheus() { build_standin "$1" "$2" deploy/rehearsal/prometheus.Dockerfile deploy/rehearsal; }
observability=0
if ensure_image "$prometheus_image" \
  "$( (image_id debian:bookworm-slim; cat deploy/rehearsal/prometheus.Dockerfile) | sha256sum | cut -c1-16)" \
  make_prometheus; then
  observability=1
else
  bad "could not make $prometheus_image: the observability profile is not rehearsed"
fi
grafana=0
if [ "$(image_state "$grafana_image")" = real ]; then
  grafana=1
  echo "$grafana_image: present, its service is started too"
else
  echo "$grafana_image: not here, and Grafana is not in Debian's archive to make a stand-in: its service is not started (provisioning checked by deploy/check-observability.mjs)"
fi

# --- 4. build ---------------------------------------------------------------------------------------
phase "docker build (legacy builder) -> gpu-mesh:local"
previous=$(image_id gpu-mesh:local)
if ! DOCKER_BUILDKIT=0 docker build --force-rm -t gpu-mesh:local . >"$work/build.log" 2>&1; then
  tail -40 "$work/build.log"
  die "docker build failed"
fi
# The image this build replaced (and its untagged layers), so that runs do not pile them up.
[ -n "$previous" ] && [ "$previous" != "$(image_id gpu-mesh:local)" ] && docker rmi "$previous" >/dev/null 2>&1
grep -E '^Step [0-9]+/' "$work/build.log" | awk '{print "  " $0}' | cut -c1-110
echo "  ($(grep -c 'Using cache' "$work/build.log") steps from the build cache)"
size=$(docker image inspect -f '{{.Size}}' gpu-mesh:local)
ok "gpu-mesh:local built: $(awk -v s="$size" 'BEGIN{printf "%.1f MB", s/1e6}') ($size bytes)"
if du=$(docker run --rm --entrypoint sh gpu-mesh:local -c 'du -sm /app/node_modules | cut -f1; ls /app/node_modules/typescript /app/node_modules/.bin/tsc 2>/dev/null | wc -l' 2>&1); then
  echo "  /app/node_modules: $(echo "$du" | head -1) MB"
  check "no TypeScript in the image (node_modules/typescript, .bin/tsc)" test "$(echo "$du" | tail -1)" = 0
else
  bad "could not look inside gpu-mesh:local: $du"
fi
runs_help() { docker run --rm gpu-mesh:local --help | grep -q 'start'; }
check "docker run --rm gpu-mesh:local --help (the entrypoint is the gpu-mesh command)" runs_help

# --- 5. up ------------------------------------------------------------------------------------------
phase "docker-compose up -d --no-build"
# The demo's defaults, whatever this machine's environment says: no real SMTP, Slack or Redis URL.
unset GPU_MESH_PASSWORD SMTP_URL ALERT_EMAIL_FROM ALERT_EMAIL_TO SLACK_WEBHOOK_URL REDIS_URL GPU_MESH_CONFIG_DIR \
  COMPOSE_FILE COMPOSE_PROFILES COMPOSE_PROJECT_NAME
read -r p1 p2 p3 p4 p5 < <(node -e '
  const net = require("node:net");
  Promise.all([0, 1, 2, 3, 4].map(() => new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
  }))).then((ports) => console.log(ports.join(" ")));')
export GPU_MESH_PORT=${GPU_MESH_PORT:-$p1}
export GPU_MESH_MAILPIT_PORT=${GPU_MESH_MAILPIT_PORT:-$p2}
export GPU_MESH_SIMULATOR_PORT=${GPU_MESH_SIMULATOR_PORT:-$p3}
export GPU_MESH_PROMETHEUS_PORT=${GPU_MESH_PROMETHEUS_PORT:-$p4}
export GPU_MESH_GRAFANA_PORT=${GPU_MESH_GRAFANA_PORT:-$p5}
export GPU_MESH_DEMO_FIRST_KILL_AFTER_S=${REHEARSAL_FIRST_KILL_AFTER_S:-30}
export GPU_MESH_DEMO_KILL_EVERY_S=0
replicas=2
services=(redis gpu-mesh dashboard mailpit simulator demo-chaos)
if [ "$observability" = 1 ]; then
  profile=(--profile observability)
  services+=(prometheus-auth prometheus)
  [ "$grafana" = 1 ] && services+=(grafana)
fi
echo "project $project: dashboard 127.0.0.1:$GPU_MESH_PORT, mailpit :$GPU_MESH_MAILPIT_PORT, simulator :$GPU_MESH_SIMULATOR_PORT$([ "$observability" = 1 ] && echo ", prometheus :$GPU_MESH_PROMETHEUS_PORT")"
echo "services: ${services[*]} (gpu-mesh x$replicas)"
stack_up=1
up_started=$(date +%s)
if ! C up -d --no-build --scale gpu-mesh=$replicas "${services[@]}" >"$work/up.log" 2>&1; then
  cat "$work/up.log"
  die "docker-compose up failed"
fi
ok "docker-compose up -d --no-build: $(grep -c -E 'done|Started|Created' "$work/up.log") containers up in $(($(date +%s) - up_started)) s"
C ps

# --- 6. the loop ------------------------------------------------------------------------------------
phase "the demo loop through the containers"
password=
for _ in $(seq 60); do
  password=$(C exec -T dashboard cat /var/lib/gpu-mesh/password 2>/dev/null | tr -d '\r\n') && [ -n "$password" ] && break
  sleep 1
done
[ -n "$password" ] || die "no generated password: docker-compose exec dashboard cat /var/lib/gpu-mesh/password"
ok "the generated password: docker-compose exec dashboard cat /var/lib/gpu-mesh/password (${#password} characters)"
password_logged_safely() {
  C logs --no-color >"$work/logs.txt" 2>&1
  grep -q 'kept in /var/lib/gpu-mesh/password' "$work/logs.txt" && ! grep -qF -- "$password" "$work/logs.txt"
}
check "the first gpu-mesh container logged where the password is kept, and no log holds the password" password_logged_safely

prometheus_url=
grafana_url=
[ "$observability" = 1 ] && prometheus_url=http://127.0.0.1:$GPU_MESH_PROMETHEUS_PORT
[ "$observability" = 1 ] && [ "$grafana" = 1 ] && grafana_url=http://127.0.0.1:$GPU_MESH_GRAFANA_PORT
if DASHBOARD_URL=http://127.0.0.1:$GPU_MESH_PORT MAILPIT_URL=http://127.0.0.1:$GPU_MESH_MAILPIT_PORT \
  SIMULATOR_URL=http://127.0.0.1:$GPU_MESH_SIMULATOR_PORT PROMETHEUS_URL=$prometheus_url GRAFANA_URL=$grafana_url \
  GPU_MESH_PASSWORD=$password REPLICAS=$replicas node deploy/rehearsal/drive-demo.mjs; then
  ok "deploy/rehearsal/drive-demo.mjs: probes, auth, kill -> e-mail -> recovery -> e-mail, Bull Board, /metrics$([ "$observability" = 1 ] && echo ", Prometheus")"
else
  bad "deploy/rehearsal/drive-demo.mjs (above)"
fi

phase "gpu-mesh status, HEALTHCHECK, demo-chaos"
if out=$(C exec -T gpu-mesh gpu-mesh status 2>&1); then
  printf '%s\n' "$out" | sed 's/^/  /' | head -12
  lists_nodes() { grep -q sim-1 <<<"$out" && grep -q sim-2 <<<"$out" && grep -q sim-3 <<<"$out"; }
  check "docker-compose exec gpu-mesh gpu-mesh status: exit 0, lists sim-1, sim-2, sim-3" lists_nodes
else
  printf '%s\n' "$out" | sed 's/^/  /' | head -20
  bad "docker-compose exec gpu-mesh gpu-mesh status exited non-zero"
fi
containers_of() { docker ps -a --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$1" --format '{{.Names}}'; }
health_containers=$(for s in gpu-mesh dashboard; do containers_of "$s"; done)
healthy=0
for _ in $(seq 90); do
  healthy=1
  for c in $health_containers; do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$c" 2>/dev/null)" = healthy ] || healthy=0
  done
  [ "$healthy" = 1 ] && break
  sleep 1
done
check "the image's HEALTHCHECK (/healthz) reports healthy: $(echo $health_containers)" test "$healthy" = 1
chaos=$(containers_of demo-chaos)
chaos_done() {
  docker logs "$chaos" 2>&1 | grep -q 'demo: killed sim-2' &&
    [ "$(docker inspect -f '{{.State.Running}} {{.State.ExitCode}}' "$chaos")" = 'false 0' ]
}
check "demo-chaos logged its kill of sim-2 and exited 0 (DEMO_KILL_EVERY_S=0)" chaos_done

# --- 7. stop ----------------------------------------------------------------------------------------
phase "docker-compose stop (SIGTERM)"
stop_started=$(date +%s)
C stop >"$work/stop.log" 2>&1 || { cat "$work/stop.log"; bad "docker-compose stop failed"; }
echo "stopped in $(($(date +%s) - stop_started)) s"
for c in $(docker ps -a --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' | sort); do
  state=$(docker inspect -f '{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}' "$c")
  check "$c exited 0 on SIGTERM (running, exit code, OOM: $state)" test "$state" = "false 0 false"
done
shut_down_cleanly() { docker logs "$1" 2>&1 | tail -40 | grep -q 'SIGTERM: shutting down'; }
for c in $health_containers; do
  check "$c: gpu-mesh logged 'SIGTERM: shutting down' (tini forwarded the signal)" shut_down_cleanly "$c"
done

# --- 8. down ----------------------------------------------------------------------------------------
phase "docker-compose down -v"
if [ "${REHEARSAL_KEEP:-0}" = 1 ]; then
  echo "REHEARSAL_KEEP=1: the stack stays (stopped); remove it with: docker-compose -p $project ${profile[*]} down -v"
else
  C down -v --remove-orphans >"$work/down.log" 2>&1 || { cat "$work/down.log"; bad "docker-compose down -v failed"; }
  stack_up=0
  left=$(docker ps -a -q --filter "label=com.docker.compose.project=$project" | wc -l)
  volumes=$(docker volume ls -q --filter "label=com.docker.compose.project=$project" | wc -l)
  check "down -v left no container ($left) and no volume ($volumes) of $project" test "$left$volumes" = 00
fi
