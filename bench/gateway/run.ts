/**
 * bench/gateway: verified-and-enqueued WeCom callbacks per second and ack latency, beside a bare
 * express server answering the same POST on the same machine in the same run.
 *
 *   npm run bench:gateway -- [--seconds 10] [--connections 32] [--rounds 3]
 *
 * Each request is a distinct, correctly encrypted and signed message (prepared before the clock
 * starts, so the load generator spends no time on crypto), so every one is verified, decrypted,
 * deduplicated and enqueued. Writes bench/gateway/REPORT.md and results.json.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { QueueInspector, createRedis } from '@answerbridge/redis';
import { WecomCallbackClient } from '@answerbridge/simulator';
import {
  ensureRedis,
  freePort,
  officialVectorBot,
  startProcess,
  workspaceRoot,
  type ManagedProcess,
} from '@answerbridge/testing';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

const bot = officialVectorBot('bench');

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function redisServerPid(): number | undefined {
  const out = spawnSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  return out ? Number(out) : undefined;
}

interface RunResult {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
  /** CPU time per request of the server process, of Redis, and of the load generator (µs). */
  serverCpuUs: number;
  redisCpuUs: number;
  loadCpuUs: number;
}

async function load(
  target: string,
  baseUrl: string,
  requests: { path: string; body: string }[],
  serverPid?: number,
): Promise<RunResult> {
  let next = 0;
  const redisPid = redisServerPid();
  const cpu0 = [cpuSeconds(serverPid), cpuSeconds(redisPid), process.cpuUsage()] as const;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (req) => {
          const r = requests[next++ % requests.length];
          return { ...req, path: r?.path ?? '/', body: r?.body ?? '' };
        },
      },
    ],
  });
  const load = process.cpuUsage(cpu0[2]);
  const perRequest = (seconds: number) => (result.requests.total ? (seconds * 1e6) / result.requests.total : 0);
  return {
    target,
    serverCpuUs: perRequest(cpuSeconds(serverPid) - cpu0[0]),
    redisCpuUs: perRequest(cpuSeconds(redisPid) - cpu0[1]),
    loadCpuUs: perRequest((load.user + load.system) / 1e6),
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

const prefix = `abbench-${randomUUID().slice(0, 8)}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ab-bench-'));
const botsFile = path.join(dir, 'bots.json');
writeFileSync(botsFile, JSON.stringify({ bots: [bot] }));
const redisService = await ensureRedis();
const redis = createRedis(redisService.address, 'worker');
const processes: ManagedProcess[] = [];
try {
  const gatewayPort = await freePort();
  const barePort = await freePort();
  const up = (url: string) => async () => (await fetch(url)).ok;
  processes.push(
    // The built gateway (npm run build), as production runs it.
    await startProcess(
      'gateway',
      process.execPath,
      [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), 'dist/apps/gateway/main.mjs'],
      up(`http://127.0.0.1:${gatewayPort}/healthz`),
      {
        cwd: workspaceRoot,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          REDIS_URL: redisService.address,
          QUEUE_PREFIX: prefix,
          BOTS_FILE: botsFile,
          GATEWAY_PORT: String(gatewayPort),
        },
      },
    ),
  );
  processes.push(
    await startProcess(
      'bare-express',
      process.execPath,
      ['bench/gateway/bare-express.mjs', String(barePort)],
      up(`http://127.0.0.1:${barePort}/healthz`),
      { cwd: workspaceRoot },
    ),
  );

  // Enough distinct messages that none repeats within a run (a repeat would only hit the dedupe path).
  const client = new WecomCallbackClient(`http://127.0.0.1:${gatewayPort}`, bot);
  const perRun = Math.ceil(seconds * 12_000);
  const makeRequests = () =>
    Array.from({ length: perRun }, (_, i) => {
      const r = client.buildRequest(client.textMessageXml(`user${i % 500}`, `第 ${i} 个问题：年假有几天？`));
      return { path: r.url.slice(r.url.indexOf('/wecom/')), body: r.body };
    });

  const inspector = new QueueInspector(redis, prefix);
  const results: RunResult[] = [];
  await load('warm-up', `http://127.0.0.1:${barePort}`, makeRequests().slice(0, 1000));
  for (let round = 0; round < rounds; round++) {
    results.push(await load('bare express', `http://127.0.0.1:${barePort}`, makeRequests(), processes[1]?.child.pid));
    const before = await inspector.total();
    const gateway = await load(
      'answerbridge gateway',
      `http://127.0.0.1:${gatewayPort}`,
      makeRequests(),
      processes[0]?.child.pid,
    );
    const enqueued = (await inspector.total()) - before;
    // Every 200 must correspond to a job in Redis: the benchmark refuses to report a gateway that drops work.
    // (Requests still in flight when the clock stops are enqueued but not counted: at most one per connection.)
    const acked = gateway.total - gateway.non2xx;
    if (enqueued < acked || enqueued > acked + connections)
      throw new Error(`gateway acked ${acked} but enqueued ${enqueued}`);
    results.push(gateway);
  }
  await inspector.close();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const summarize = (target: string) => {
    const rs = results.filter((r) => r.target === target);
    return {
      cpu: median(rs.map((r) => r.serverCpuUs)),
      redisCpu: median(rs.map((r) => r.redisCpuUs)),
      loadCpu: median(rs.map((r) => r.loadCpuUs)),
      rps: median(rs.map((r) => r.requestsPerSecond)),
      p50: median(rs.map((r) => r.p50Ms)),
      p99: median(rs.map((r) => r.p99Ms)),
      non2xx: rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
    };
  };
  const bare = summarize('bare express');
  const gw = summarize('answerbridge gateway');
  const ratio = gw.rps / bare.rps;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const report = `# bench/gateway — WeCom callback ack throughput

Run: ${new Date().toISOString()} · ${os.cpus().length} × ${cpu} · Node ${process.version} · Redis at ${redisService.address}
Load: autocannon, ${connections} connections, ${seconds} s per run, ${rounds} rounds (median shown), load generator in the same machine.
Each gateway request is a distinct, correctly signed and AES-encrypted text message: verified, decrypted,
parsed, deduplicated and enqueued to BullMQ in Redis before the empty 200. The bare server parses the same
body and answers 200. Every gateway 200 was checked against the jobs found in Redis afterwards.

| server | requests/s | p50 ack (ms) | p99 ack (ms) | non-2xx + errors | server CPU µs/req | Redis CPU µs/req | load generator CPU µs/req |
|---|---:|---:|---:|---:|---:|---:|---:|
| bare express | ${bare.rps.toFixed(0)} | ${bare.p50} | ${bare.p99} | ${bare.non2xx} | ${bare.cpu.toFixed(0)} | ${bare.redisCpu.toFixed(0)} | ${bare.loadCpu.toFixed(0)} |
| answerbridge gateway | ${gw.rps.toFixed(0)} | ${gw.p50} | ${gw.p99} | ${gw.non2xx} | ${gw.cpu.toFixed(0)} | ${gw.redisCpu.toFixed(0)} | ${gw.loadCpu.toFixed(0)} |

**Ratio gateway / bare express: ${ratio.toFixed(2)}** (target ≥ 0.60).

All runs:

| round | server | requests/s | p50 | p99 | total |
|---|---|---:|---:|---:|---:|
${results.map((r, i) => `| ${Math.floor(i / 2) + 1} | ${r.target} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} | ${r.p99Ms} | ${r.total} |`).join('\n')}

## Where the gateway's time goes

Measured with \`BENCH_PROFILE=1\` (V8 CPU profile of the built gateway) and the CPU columns above. Per
callback the gateway spends about: express routing, the HTTP parser and the body read (the whole of the
bare server's cost); ~100 µs in the WeCom path (signature, AES-256-CBC decrypt, two strict XML parses,
normalization); ~200–250 µs in BullMQ's \`Queue.add\` (job object, msgpack of the Lua arguments, ioredis
command encoding, and the GC this allocation causes); and Redis runs the add-with-dedupe script for about
100 µs more, on the same two cores as the load generator. Already removed from the hot path: a general XML
parser plus validator (replaced by a strict hand-written one, checked against fast-xml-parser in a
differential test), express.text() (a lean body reader), a nested Router, zod re-validation on enqueue
(kept on dequeue), tsx's keepNames wrappers (the benchmark runs the esbuild bundle, as production does).
The remaining gap to the 0.6 target is mostly the queue write itself; the options left (batching adds per
tick, an inbox stream drained by a relay) trade a simpler durability story for throughput, so they wait
for a measurement on a machine with more than two cores, where the gateway, Redis and the load generator
do not share one pair of cores. On this VM the bare baseline itself moved between 3,500 and 6,500
requests/s from run to run.

Reproduce: \`npm run bench:gateway -- --seconds ${seconds} --connections ${connections} --rounds ${rounds}\`
`;
  writeFileSync(path.join(workspaceRoot, 'bench/gateway/REPORT.md'), report);
  writeFileSync(
    path.join(workspaceRoot, 'bench/gateway/results.json'),
    `${JSON.stringify({ connections, seconds, rounds, results, ratio }, null, 2)}\n`,
  );
  console.log(report);
} finally {
  await Promise.all(processes.map((p) => p.stop()));
  const keys = await redis.keys(`${prefix}:*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  await redis.quit();
  await redisService.stop();
}
