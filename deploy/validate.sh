#!/usr/bin/env bash
# Validates the deployment files where no Docker engine runs (CI calls it after lint, before tests):
#   1. docker-compose.yml   parsed by a real compose implementation (`docker compose config`, else
#                           Debian's docker-compose, installed if missing), bare and with .env.example,
#                           then this project's rules on the parsed model (deploy/check-compose.mjs)
#   2. Dockerfile           hadolint when it is on PATH (it is in neither Debian nor npm, so CI has
#                           none), and always deploy/lint-dockerfile.mjs (hadolint's rules that matter
#                           here, COPY sources against .dockerignore)
#   3. deploy/*.service     systemd-analyze verify (installed with systemd if missing); any warning fails
#   4. deploy/compose/      the compose mesh.yaml through `gpu-mesh config check`, the demo script parses
#   5. observability        deploy/prometheus: promtool check rules / test rules / check config
#                           (Debian's prometheus package, installed if missing, its service never
#                           started); deploy/grafana/gpu-mesh.json: JSON, and its panels, targets and
#                           the rules' metric names against src/metrics and src/gateway
#                           (deploy/check-observability.mjs)
#   6. deploy/rehearse-compose.sh and deploy/rehearsal/ parse (the rehearsal itself runs in .ci/run)
# A tool is skipped only when it cannot be installed, with the reason printed. Exit 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

failures=0
passes=0
skips=0
pass() { passes=$((passes + 1)); printf 'ok    %s\n' "$*"; }
fail() { failures=$((failures + 1)); printf 'FAIL  %s\n' "$*" >&2; }
skip() { skips=$((skips + 1)); printf 'SKIP  %s\n' "$*"; }

work=$(mktemp -d)
policy_rc_d=
cleanup() {
  rm -rf "$work"
  [ -n "$policy_rc_d" ] && rm -f "$policy_rc_d"
}
trap cleanup EXIT
: >"$work/empty.env"

apt_updated=0
# Installs Debian packages (no recommends: docker-compose would pull a whole Docker engine).
apt_install() {
  command -v apt-get >/dev/null || { echo "apt-get is not available" >&2; return 1; }
  [ "$(id -u)" = 0 ] || { echo "not root: cannot apt-get install $*" >&2; return 1; }
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  echo "installing $* (apt-get)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >"$work/apt.log" 2>&1; then
    tail -5 "$work/apt.log" >&2
    return 1
  fi
}

echo "--- docker-compose.yml"
compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null || apt_install docker-compose; then
  compose=(docker-compose)
fi
if [ ${#compose[@]} -eq 0 ]; then
  skip "docker-compose.yml: no compose implementation here and Debian's docker-compose could not be installed"
else
  echo "using $("${compose[@]}" version 2>/dev/null | head -1)"
  # An empty env file: as on a fresh clone, whatever .env this checkout has.
  if out=$("${compose[@]}" --env-file "$work/empty.env" -f docker-compose.yml config 2>&1); then
    pass "docker-compose.yml parses without a .env (a bare 'docker compose up')"
    if printf '%s\n' "$out" | node deploy/check-compose.mjs; then pass "docker-compose.yml follows the project's rules"
    else fail "docker-compose.yml breaks the project's rules (above)"; fi
  else
    printf '%s\n' "$out" >&2
    fail "docker-compose.yml does not parse"
  fi
  if out=$("${compose[@]}" --env-file .env.example -f docker-compose.yml config -q 2>&1); then
    pass "docker-compose.yml parses with .env.example as its .env"
  else
    printf '%s\n' "$out" >&2
    fail "docker-compose.yml does not parse with .env.example"
  fi
fi
if git ls-files --error-unmatch .env >/dev/null 2>&1; then fail ".env is committed: secrets belong in an untracked .env"
else pass ".env is not committed"; fi

echo "--- Dockerfile"
if command -v hadolint >/dev/null; then
  if hadolint --ignore DL3008 Dockerfile; then pass "hadolint Dockerfile"; else fail "hadolint Dockerfile"; fi
else
  skip "hadolint: not installed, and not installable here (neither Debian's archive nor npm has it); deploy/lint-dockerfile.mjs applies its rules"
fi
if node deploy/lint-dockerfile.mjs Dockerfile; then pass "deploy/lint-dockerfile.mjs Dockerfile"
else fail "deploy/lint-dockerfile.mjs Dockerfile"; fi

echo "--- systemd units"
command -v systemd-analyze >/dev/null || apt_install systemd || true
if ! command -v systemd-analyze >/dev/null; then
  skip "systemd units: systemd-analyze is missing and the systemd package could not be installed"
else
  # verify insists that ExecStart's program exists: where gpu-mesh is not installed at
  # /usr/local/bin/gpu-mesh, copies of the units point at an executable stand-in instead.
  units=(deploy/gpu-mesh.service deploy/gpu-mesh-agent@.service)
  if [ ! -x /usr/local/bin/gpu-mesh ]; then
    printf '#!/bin/sh\nexit 0\n' >"$work/gpu-mesh" && chmod +x "$work/gpu-mesh"
    for unit in "${units[@]}"; do sed "s#/usr/local/bin/gpu-mesh#$work/gpu-mesh#g" "$unit" >"$work/$(basename "$unit")"; done
    targets=("$work/gpu-mesh.service" "$work/gpu-mesh-agent@.service")
    echo "(gpu-mesh is not installed here: verifying copies whose ExecStart runs a stand-in)"
  else
    targets=("${units[@]}")
  fi
  # verify exits 0 on unknown keys and bad values, only printing them: any output is a failure.
  out=$(systemd-analyze verify "${targets[@]}" 2>&1)
  status=$?
  if [ "$status" = 0 ] && [ -z "$out" ]; then pass "systemd-analyze verify ${units[*]}"
  else printf '%s\n' "$out" >&2; fail "systemd-analyze verify ${units[*]}"; fi
fi

echo "--- the compose demo's mesh.yaml and script"
[ -f dist/cli/index.js ] || npm run build >/dev/null || fail "npm run build (needed for gpu-mesh config check)"
if [ -f dist/cli/index.js ]; then
  # The environment docker-compose.yml gives the gpu-mesh service, with .env empty.
  if out=$(env -i PATH="$PATH" HOME="${HOME:-/tmp}" GPU_MESH_PASSWORD= GPU_MESH_PASSWORD_FILE="$work/password" REDIS_URL=redis://redis:6379 \
    SMTP_URL= ALERT_EMAIL_FROM= ALERT_EMAIL_TO= SLACK_WEBHOOK_URL= \
    node dist/cli/index.js config check --config deploy/compose/mesh.yaml 2>&1); then
    pass "gpu-mesh config check --config deploy/compose/mesh.yaml"
  else
    printf '%s\n' "$out" >&2
    fail "gpu-mesh config check --config deploy/compose/mesh.yaml"
  fi
fi
if node --check deploy/compose/kill-a-node.mjs; then pass "deploy/compose/kill-a-node.mjs parses"
else fail "deploy/compose/kill-a-node.mjs does not parse"; fi

echo "--- observability: deploy/prometheus, deploy/grafana"
if ! command -v promtool >/dev/null; then
  # Debian's package starts its service from postinst where nothing forbids it: forbid it meanwhile.
  if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && policy_rc_d=/usr/sbin/policy-rc.d
  fi
  apt_install prometheus || true
  [ -n "$policy_rc_d" ] && rm -f "$policy_rc_d" && policy_rc_d=
fi
if ! command -v promtool >/dev/null; then
  skip "promtool: not installed and Debian's prometheus package could not be installed"
else
  echo "using $(promtool --version 2>&1 | head -1)"
  if promtool check rules deploy/prometheus/rules.yml; then pass "promtool check rules deploy/prometheus/rules.yml"
  else fail "promtool check rules deploy/prometheus/rules.yml"; fi
  if (cd deploy/prometheus && promtool test rules rules.test.yml); then pass "promtool test rules deploy/prometheus/rules.test.yml"
  else fail "promtool test rules deploy/prometheus/rules.test.yml"; fi
  if promtool check config deploy/prometheus/prometheus.yml; then pass "promtool check config deploy/prometheus/prometheus.yml"
  else fail "promtool check config deploy/prometheus/prometheus.yml"; fi
fi
if node -e 'JSON.parse(require("node:fs").readFileSync("deploy/grafana/gpu-mesh.json", "utf8"))'; then
  pass "deploy/grafana/gpu-mesh.json is JSON"
else
  fail "deploy/grafana/gpu-mesh.json is not JSON"
fi
if node deploy/check-observability.mjs; then pass "deploy/check-observability.mjs: dashboard and rules use metrics gpu-mesh exports"
else fail "deploy/check-observability.mjs (above)"; fi

echo "--- the compose rehearsal's scripts (the rehearsal itself: .ci/run, deploy/rehearse-compose.sh)"
for script in deploy/rehearse-compose.sh deploy/rehearsal/debian-slim.sh; do
  if bash -n "$script"; then pass "$script parses"; else fail "$script does not parse"; fi
done
if sh -n deploy/rehearsal/redis-entrypoint.sh; then pass "deploy/rehearsal/redis-entrypoint.sh parses"
else fail "deploy/rehearsal/redis-entrypoint.sh does not parse"; fi
for script in deploy/rehearsal/*.mjs deploy/check-observability.mjs; do
  if node --check "$script"; then pass "$script parses"; else fail "$script does not parse"; fi
done

echo "--- validate: ${passes} checks ok, ${failures} failing, ${skips} skipped"
[ "$failures" = 0 ]
