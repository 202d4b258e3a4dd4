// The demo's chaos: once the mesh has settled, kill one simulated node through the simulator's
// control endpoint, so a bare `docker compose up` shows the whole loop — the node goes degraded,
// then unhealthy; the alert e-mail lands in mailpit; the `http` recovery action revives it; the
// `recovered` e-mail follows. Then again every DEMO_KILL_EVERY_S seconds, a different node each time
// (0: once). Plain Node, no dependencies: it runs in the gpu-mesh image with this file mounted.
const control = process.env.SIMULATOR_CONTROL_URL ?? 'http://simulator:11500';
const firstAfterS = Number(process.env.DEMO_FIRST_KILL_AFTER_S ?? 60);
const everyS = Number(process.env.DEMO_KILL_EVERY_S ?? 600);
const nodes = (process.env.DEMO_NODES ?? 'sim-2,sim-3,sim-1').split(',');

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function kill(id) {
  const response = await fetch(`${control}/nodes/${id}/mode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'dead' }),
  });
  if (!response.ok) throw new Error(`${control} answered ${response.status} ${await response.text()}`);
  console.log(
    `demo: killed ${id} (POST ${control}/nodes/${id}/mode {"mode":"dead"}). Watch it go degraded, then ` +
      'unhealthy, on http://localhost:3000; the alert e-mail arrives at http://localhost:8025; the http ' +
      'recovery action revives it and the "recovered" e-mail follows.',
  );
}

console.log(`demo: killing a simulated node in ${firstAfterS} s`);
await sleep(firstAfterS);
for (let round = 0; ; round++) {
  const id = nodes[round % nodes.length];
  try {
    await kill(id);
  } catch (error) {
    console.error(`demo: could not kill ${id}: ${error.message}`);
  }
  if (!(everyS > 0)) break;
  await sleep(everyS);
}
