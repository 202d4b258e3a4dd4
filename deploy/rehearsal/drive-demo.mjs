// The HTTP half of deploy/rehearse-compose.sh, run on the host against the published ports of a
// running `docker compose up` (plain Node >= 20, no dependencies):
//   probes (/healthz, /readyz without auth), auth (401 without or with a wrong password, 200 with the
//   generated one), the mesh healthy, then the demo's loop as demo-chaos drives it: sim-2 killed
//   through the simulator's control endpoint -> unhealthy -> the `unhealthy` e-mail in mailpit -> the
//   http recovery revives it -> the `recovered` e-mail; then Bull Board's API, /metrics, and (when
//   PROMETHEUS_URL is set) Prometheus scraping /metrics and loading the rules.
// Environment: DASHBOARD_URL, MAILPIT_URL, SIMULATOR_URL, GPU_MESH_PASSWORD, [PROMETHEUS_URL], [GRAFANA_URL],
// [KILLED_NODE=sim-2], [REPLICAS=1] (gpu-mesh processes: each alert must still be mailed once).
// Prints `ok …` / `FAIL …` lines with the seconds since start; exit 1 if anything failed.
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const dashboard = env('DASHBOARD_URL');
const mailpit = env('MAILPIT_URL');
const simulator = env('SIMULATOR_URL');
const password = env('GPU_MESH_PASSWORD');
const prometheus = process.env.PROMETHEUS_URL || null;
const grafana = process.env.GRAFANA_URL || null;
const killed = env('KILLED_NODE', 'sim-2');
const killedName = `Simulated GPU ${killed.replace(/\D/g, '')}`;

const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
let failures = 0;
const ok = (text) => console.log(`ok    [${since()}] ${text}`);
const fail = (text) => {
  failures++;
  console.log(`FAIL  [${since()}] ${text}`);
};
const check = (condition, text, detail = '') =>
  condition ? ok(text) : fail(detail ? `${text}: ${detail}` : text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const auth = (pass = password) => ({
  authorization: `Basic ${Buffer.from(`admin:${pass}`).toString('base64')}`,
});

async function get(url, headers = {}) {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    return { status: 0, text: String(error.cause?.message ?? error.message) };
  }
}
async function getJson(url, headers) {
  const { status, text } = await get(url, headers);
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}
/** Polls `probe` every 500 ms until it returns something truthy; throws after `seconds`. */
async function waitFor(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await sleep(500);
  }
}
const mesh = () => getJson(`${dashboard}/api/mesh`, auth());
const mails = async () => (await getJson(`${mailpit}/api/v1/messages?limit=100`)).messages ?? [];
const subjects = async () => (await mails()).map((message) => message.Subject);

async function main() {
  // Probes: no auth.
  const healthz = await waitFor('/healthz', 60, async () =>
    (await get(`${dashboard}/healthz`)).status === 200 ? true : null,
  );
  check(healthz, 'GET /healthz answers 200 without auth');
  await waitFor('/readyz', 60, async () => ((await get(`${dashboard}/readyz`)).status === 200 ? true : null));
  ok('GET /readyz answers 200 without auth (Redis reachable, workers up)');

  // Auth.
  const anonymous = await get(`${dashboard}/api/mesh`);
  check(anonymous.status === 401, 'GET /api/mesh without credentials: 401', `got ${anonymous.status}`);
  const wrong = await get(`${dashboard}/api/mesh`, auth('not-the-password'));
  check(wrong.status === 401, 'GET /api/mesh with a wrong password: 401', `got ${wrong.status}`);
  const right = await get(`${dashboard}/api/mesh`, auth());
  check(right.status === 200, 'GET /api/mesh with the generated password: 200', `got ${right.status}`);
  const board401 = await get(`${dashboard}/board/api/queues`);
  check(board401.status === 401, 'Bull Board without credentials: 401', `got ${board401.status}`);
  const metrics401 = await get(`${dashboard}/metrics`);
  check(metrics401.status === 401, '/metrics without credentials: 401', `got ${metrics401.status}`);

  // The mesh settles before the demo's node killer strikes.
  const settled = await waitFor('three healthy nodes (or the kill)', 120, async () => {
    const view = await mesh();
    if (view.healthy === 3) return { healthy: true, view };
    const victim = view.nodes.find((node) => node.id === killed);
    if (victim?.incidentId) return { healthy: false, view };
    return null;
  });
  check(
    settled.healthy,
    'the mesh is healthy: 3 simulated nodes',
    `${killed} was killed before all three were healthy`,
  );
  check(
    JSON.stringify(settled.view.nodes.map((node) => node.name)) ===
      JSON.stringify(['Simulated GPU 1', 'Simulated GPU 2', 'Simulated GPU 3']),
    'the dashboard lists Simulated GPU 1, 2, 3',
    JSON.stringify(settled.view.nodes.map((node) => node.name)),
  );
  check((await mails()).length === 0, 'mailpit is empty before the kill');

  // demo-chaos kills the node through the simulator's control endpoint.
  await waitFor(`demo-chaos to kill ${killed}`, 150, async () => {
    const nodes = await getJson(`${simulator}/nodes`);
    if (nodes.find((node) => node.id === killed)?.mode === 'dead') return true;
    const victim = (await mesh()).nodes.find((node) => node.id === killed);
    return victim?.incidentId || victim?.status === 'degraded' || victim?.status === 'unhealthy'
      ? true
      : null;
  });
  ok(`demo-chaos killed ${killed} (simulator control endpoint)`);
  const detected = Date.now();
  await waitFor(`${killed} detected`, 60, async () => {
    const victim = (await mesh()).nodes.find((node) => node.id === killed);
    return victim?.incidentId || (await subjects()).some((subject) => subject.includes('unhealthy'))
      ? true
      : null;
  });
  ok(`gpu-mesh opened an incident for ${killed}`);
  const alertMail = await waitFor('the unhealthy e-mail in mailpit', 60, async () =>
    (await mails()).find((message) => message.Subject.includes('ERROR unhealthy')),
  );
  check(
    alertMail.Subject === `[gpu-mesh] ERROR unhealthy: ${killedName} (${killed})`,
    `the alert e-mail arrived in mailpit: "${alertMail.Subject}"`,
    alertMail.Subject,
  );
  check(
    alertMail.To?.[0]?.Address === 'oncall@example.com' && alertMail.From?.Address === 'gpu-mesh@example.com',
    'from gpu-mesh@example.com to oncall@example.com (mesh.yaml defaults)',
    JSON.stringify({ from: alertMail.From, to: alertMail.To }),
  );
  const detail = await getJson(`${mailpit}/api/v1/message/${alertMail.ID}`);
  check(
    String(detail.Text).includes(killed),
    `the e-mail's text names ${killed}`,
    String(detail.Text).slice(0, 300),
  );

  await waitFor(`${killed} revived by its http recovery action`, 90, async () => {
    const victim = (await mesh()).nodes.find((node) => node.id === killed);
    return victim?.status === 'healthy' && victim.incidentId === null ? true : null;
  });
  const nodes = await getJson(`${simulator}/nodes`);
  check(
    nodes.find((node) => node.id === killed)?.mode === 'healthy',
    `${killed} is back: healthy on the dashboard, mode healthy on the simulator (set by the http recovery)`,
  );
  await waitFor('the recovered e-mail', 60, async () =>
    (await subjects()).some((subject) => subject.includes('INFO recovered')),
  );
  ok(`the recovered e-mail arrived ${((Date.now() - detected) / 1000).toFixed(1)} s after the kill was seen`);
  await sleep(3000); // a duplicate would come within a check interval or two
  const all = await subjects();
  const unhealthy = all.filter((subject) => subject.includes('ERROR unhealthy'));
  const recovered = all.filter((subject) => subject.includes('INFO recovered'));
  check(
    unhealthy.length === 1,
    `exactly one unhealthy e-mail (${process.env.REPLICAS ?? 1} gpu-mesh processes)`,
    JSON.stringify(all),
  );
  check(recovered.length === 1, 'exactly one recovered e-mail', JSON.stringify(all));
  check(
    recovered[0]?.includes(`${killedName} (${killed})`),
    `the recovered e-mail names ${killed}: "${recovered[0]}"`,
    String(recovered[0]),
  );
  const view = await mesh();
  check(view.healthy === 3, 'the mesh is healthy again: 3 of 3', `${view.healthy} of ${view.total}`);

  // Bull Board's API.
  const board = await getJson(`${dashboard}/board/api/queues`, auth());
  const queues = new Map((board.queues ?? []).map((queue) => [queue.name, queue]));
  const expected = ['health-check', 'keepalive', 'recovery', 'stats', 'alerts', 'notify'];
  check(
    expected.every((name) => queues.has(name)),
    `Bull Board lists the queues ${expected.join(', ')}`,
    [...queues.keys()].join(', '),
  );
  const recovery = queues.get('recovery');
  check(
    (recovery?.counts?.completed ?? 0) >= 1,
    'Bull Board: the recovery job completed',
    JSON.stringify(recovery?.counts),
  );
  check(
    (queues.get('notify')?.counts?.completed ?? 0) >= 2,
    'Bull Board: the notify jobs (two e-mails) completed',
    JSON.stringify(queues.get('notify')?.counts),
  );

  // /metrics.
  const metrics = await get(`${dashboard}/metrics`, auth());
  check(metrics.status === 200, 'GET /metrics with the password: 200', `got ${metrics.status}`);
  const sample = (pattern) => new RegExp(`^${pattern} (\\S+)$`, 'm').exec(metrics.text)?.[1];
  check(
    sample('gpu_mesh_health_percent') === '100',
    'gpu_mesh_health_percent 100',
    String(sample('gpu_mesh_health_percent')),
  );
  check(
    ['sim-1', 'sim-2', 'sim-3'].every((node) => sample(`gpu_mesh_node_up\\{node="${node}"\\}`) === '1'),
    'gpu_mesh_node_up is 1 for sim-1, sim-2, sim-3',
  );
  check(
    sample(`gpu_mesh_alerts_total\\{kind="unhealthy",severity="ERROR",channel="email"\\}`) === '1',
    'gpu_mesh_alerts_total counts the unhealthy e-mail',
    metrics.text
      .split('\n')
      .filter((line) => line.startsWith('gpu_mesh_alerts_total'))
      .join(' | '),
  );
  check(
    Number(sample(`gpu_mesh_checks_total\\{node="${killed}",result="failed"\\}`)) >= 1,
    `gpu_mesh_checks_total counts ${killed}'s failed checks`,
  );
  check(
    /^gpu_mesh_check_duration_seconds_bucket\{/m.test(metrics.text),
    'gpu_mesh_check_duration_seconds is exported',
  );
  check(
    /^gpu_mesh_queue_jobs\{queue="recovery",state="completed"\} [1-9]/m.test(metrics.text),
    'gpu_mesh_queue_jobs counts the completed recovery',
  );

  // Prometheus (the observability profile).
  if (prometheus) {
    const up = await waitFor('Prometheus to scrape gpu_mesh_node_up for 3 nodes', 90, async () => {
      const answer = await getJson(
        `${prometheus}/api/v1/query?query=${encodeURIComponent('gpu_mesh_node_up')}`,
      );
      const result = answer.data?.result ?? [];
      return result.length === 3 && result.every((series) => series.value[1] === '1') ? result : null;
    });
    ok(
      `Prometheus scraped /metrics through its basic_auth: gpu_mesh_node_up = 1 for ${up.map((s) => s.metric.node).join(', ')}`,
    );
    const targets = await getJson(`${prometheus}/api/v1/targets`);
    const target = (targets.data?.activeTargets ?? []).find((t) => t.labels?.job === 'gpu-mesh');
    check(
      target?.health === 'up',
      'Prometheus target gpu-mesh is up',
      JSON.stringify(target?.lastError ?? target),
    );
    const rules = await getJson(`${prometheus}/api/v1/rules`);
    const loaded = (rules.data?.groups ?? []).flatMap((group) => group.rules.map((rule) => rule.name));
    check(
      loaded.includes('GpuMeshNodeDown') && loaded.length >= 10,
      `Prometheus loaded deploy/prometheus/rules.yml (${loaded.length} rules)`,
    );
    const alerts = await getJson(`${prometheus}/api/v1/alerts`);
    const firing = (alerts.data?.alerts ?? [])
      .filter((alert) => alert.state === 'firing')
      .map((alert) => alert.labels.alertname);
    check(firing.length === 0, 'no Prometheus alert is firing on the healthy mesh', firing.join(', '));
  }

  // Grafana (only where its image exists: it cannot be made from Debian's archive).
  if (grafana) {
    await waitFor('Grafana /api/health', 90, async () =>
      (await get(`${grafana}/api/health`)).status === 200 ? true : null,
    );
    const found = await waitFor('the provisioned gpu-mesh dashboard', 60, async () => {
      const answer = await getJson(`${grafana}/api/search?query=gpu-mesh`);
      return answer.find((item) => item.uid === 'gpu-mesh') ?? null;
    });
    ok(`Grafana serves the provisioned dashboard "${found.title}" (uid gpu-mesh)`);
    // A fresh grafana-data volume: the admin password is still the default.
    const admin = { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };
    const datasources = await get(`${grafana}/api/datasources/uid/prometheus/health`, admin);
    check(
      datasources.status === 200,
      "Grafana's Prometheus data source answers",
      `${datasources.status} ${datasources.text.slice(0, 200)}`,
    );
  }
}

try {
  await main();
} catch (error) {
  fail(error.message);
}
console.log(
  `drive-demo: ${failures === 0 ? 'all checks passed' : `${failures} failed`} in ${since().trim()}`,
);
process.exit(failures === 0 ? 0 : 1);
