import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { analysis } from '../../bench/search/analysis';
import { writeCharts } from '../../bench/search/charts';
import { measureGpuLikeEmbedder } from '../../bench/search/embedder-throughput';
import { generateCorpus, loadSeeds, plantedEntries } from '../../bench/search/corpus';
import { modes, runSearchBench, type SearchBenchResult } from '../../bench/search/harness';
import { renderReport, type EmbedderComparison, type SearchBenchReport } from '../../bench/search/report';

/**
 * bench/search's harness at 1,000 rows on the shared Milvus Lite: the corpus, the production ingest and
 * the three searches work, and every search finds the planted rows. No timing is asserted (CI machines
 * vary); `npm run bench:search` is the measurement.
 */
describe('bench/search smoke (1,000 rows)', () => {
  const services = inject('services');
  const seeds = loadSeeds(workspaceRoot, path.join(workspaceRoot, '../shared/eval/banking77'));
  const out = mkdtempSync(path.join(os.tmpdir(), 'ab-bench-search-smoke-'));
  let result: SearchBenchResult;
  let gpuEmbedder: EmbedderComparison;

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('generates exactly the rows asked for, half Chinese, with every planted entry', () => {
    const entries = generateCorpus(seeds, 1_000);
    const rows = entries.reduce((n, e) => n + 1 + e.similar.length, 0);
    expect(rows).toBe(1_000);
    expect(entries.filter((e) => e.tags.includes('planted')).map((e) => e.id)).toEqual(plantedEntries.map((e) => e.id));
    const chinese = entries.filter((e) => /[\u4e00-\u9fff]/.test(e.question)).length;
    expect(chinese / entries.length).toBeGreaterThan(0.4);
    expect(chinese / entries.length).toBeLessThan(0.6);
    // Deterministic: the same size gives the same corpus, so runs compare.
    expect(generateCorpus(seeds, 1_000)).toEqual(entries);
  });

  it('ingests 1,000 rows and finds the planted rows first with dense, BM25 and hybrid search', async () => {
    result = await runSearchBench({
      address: services.milvusAddress,
      milvusPid: null,
      seeds,
      sizes: [1_000],
      queries: 24,
      warmup: 2,
      compareIndexes: false,
    });
    expect(result.sizes).toHaveLength(1);
    const [size] = result.sizes;
    expect(size?.rows).toBe(1_000);
    expect(size?.ingest.rowsPerSecond).toBeGreaterThan(0);
    expect(size?.memory).toEqual({ afterIngest: null, afterSearch: null });
    for (const mode of modes) {
      expect(size?.latency[mode].count).toBe(24);
      expect(size?.latency[mode].p99Ms).toBeGreaterThanOrEqual(size?.latency[mode].p50Ms ?? Infinity);
      expect(size?.found[mode].plantedTop1, `${mode} finds every planted row first`).toBe(true);
      expect(size?.found[mode].top10, `${mode} finds most perturbed questions`).toBeGreaterThan(0.5);
    }
    // The worker's memory copy of the same version: every row, exact at this size, Milvus's first entry.
    expect(size?.resident).toMatchObject({ partitioned: false, workerDepth: 80 });
    expect(size?.resident?.latency.count).toBe(24);
    expect(size?.resident?.found.plantedTop1).toBe(true);
    expect(size?.resident?.sameFirstAsMilvus).toBeGreaterThan(0.9);
    expect(result.lastQueries[0]?.vector).toHaveLength(384);
  });

  it('ingests a sample against the GPU-like stand-in, which returns vectors of the profile dimension', async () => {
    // A fast shape: this checks the wiring (stand-in process, HttpEmbedder, ingest, timing split), not a rate.
    gpuEmbedder = await measureGpuLikeEmbedder(seeds, services.milvusAddress, 128, () => undefined, {
      fixedMs: 1,
      perItemMs: 0,
      inFlight: 1,
      maxBatch: 64,
    });
    expect(gpuEmbedder.sampleRows).toBe(128);
    expect(gpuEmbedder.dimension).toBe(384);
    expect(gpuEmbedder.ratio).toBeGreaterThan(0);
    // Warm-up batch, the sample alone, the sample in the ingest: every text served by the stand-in.
    expect(gpuEmbedder.gpuLike).toMatchObject({ dimension: 384, items: 32 + 128 + 128, requests: 1 + 4 + 4 });
  });

  it('renders the report and its SVG charts from the results', () => {
    const report: SearchBenchReport = {
      run: {
        startedAt: new Date().toISOString(),
        seconds: 1,
        machine: { cpus: os.cpus().length, model: 'test', memoryGiB: 1, loadAverageAtStart: os.loadavg() },
        node: process.version,
        milvusLite: '3.2.2',
        englishSeeds: seeds.englishSource,
        queriesPerMode: 24,
        warmup: 2,
        depth: 40,
        dimension: 384,
        insertBatch: 64,
      },
      embedder: null,
      gpuEmbedder,
      sizes: result.sizes,
      indexComparison: null,
      engine: null,
      charts: [],
    };
    report.charts = writeCharts(report, out);
    expect(report.charts).toEqual(['latency-by-size.svg', 'ingest-throughput.svg']);
    for (const chart of report.charts) expect(readFileSync(path.join(out, chart), 'utf8')).toMatch(/^<svg[^>]+>/);
    const markdown = renderReport(report, analysis(report));
    expect(markdown).toContain('| 1,000 |');
    expect(markdown).toContain('| | GPU-like stand-in |');
    expect(markdown).toMatch(
      /Against a GPU embedder: [\d.]+ between batches, [\d.]+ end to end — goal ≥ 0\.9 (met|missed)/,
    );
    expect(markdown).toContain('![latency by size](latency-by-size.svg)');
  });
});
