/**
 * The raw baseline: a plain loop making the same three requests per node (`/api/version`,
 * `/api/tags`, `/api/ps`, JSON-parsed) over keep-alive connections, with a fixed concurrency and
 * no queue, no state. Prints `{checks, seconds, cpuSeconds}` as JSON.
 * usage: node raw-loop.js FIRST_PORT NODES CONCURRENCY SECONDS
 */
import http from 'node:http';

const [firstPort, nodes, concurrency, seconds] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
];
const agent = new http.Agent({ keepAlive: true });

function get(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('error', reject);
  });
}

let next = 0;
let checks = 0;
const deadline = Date.now() + seconds * 1000;

async function lane(): Promise<void> {
  while (Date.now() < deadline) {
    const port = firstPort + (next++ % nodes);
    await get(port, '/api/version');
    await get(port, '/api/tags');
    await get(port, '/api/ps');
    checks++;
  }
}

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: concurrency }, lane));
const cpu = process.cpuUsage(cpuBefore);
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(`${JSON.stringify({ checks, seconds: elapsed, cpuSeconds })}\n`);
agent.destroy();
