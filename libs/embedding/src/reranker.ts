import { AnswerbridgeError, HttpClient, retryableStatus, type HttpResponse, type Reranker } from '@answerbridge/core';

export type { Reranker } from '@answerbridge/core';

export class RerankError extends AnswerbridgeError {
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super('RERANK.FAILED', message, retryable, options);
  }
}

export interface HttpRerankerOptions {
  /** Base URL including /v1, e.g. http://sglang-reranker:30001/v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  /** Task instruction for Qwen3-Reranker (SGLang's `instruct`). */
  instruct?: string;
}

interface SglangItem {
  index: number;
  score: number;
}
interface CohereShape {
  results: { index: number; relevance_score: number }[];
}

/**
 * SGLang's `/v1/rerank` (Qwen3-Reranker): `{model, query, documents, instruct?, return_documents}` →
 * a bare JSON array `[{score, index}]` sorted by score. The Cohere/Jina shape `{results: [{index,
 * relevance_score}]}` that vLLM and others return is accepted too.
 */
export class HttpReranker implements Reranker {
  private readonly http = new HttpClient({ codePrefix: 'RERANK' });

  constructor(private readonly options: HttpRerankerOptions) {}

  get model(): string {
    return this.options.model;
  }

  async rerank(query: string, documents: string[]): Promise<number[]> {
    if (documents.length === 0) return [];
    let res: HttpResponse;
    try {
      res = await this.http.request(`${this.options.baseUrl.replace(/\/$/, '')}/rerank`, {
        what: 'rerank request',
        timeoutMs: this.options.timeoutMs,
        ...(this.options.apiKey ? { headers: { authorization: `Bearer ${this.options.apiKey}` } } : {}),
        json: {
          model: this.options.model,
          query,
          documents,
          top_n: documents.length,
          return_documents: false,
          ...(this.options.instruct ? { instruct: this.options.instruct } : {}),
        },
      });
    } catch (error) {
      // Unreachable or timed out: the HTTP client's error, kept as the cause, under the reranker's own class.
      throw new RerankError((error as Error).message, true, { cause: error });
    }
    if (!res.ok)
      throw new RerankError(
        `rerank answered HTTP ${res.status}: ${res.text.slice(0, 200)}`,
        retryableStatus(res.status),
      );
    const body = res.json;
    const items: SglangItem[] = Array.isArray(body)
      ? (body as SglangItem[])
      : Array.isArray((body as CohereShape | null)?.results)
        ? (body as CohereShape).results.map((r) => ({ index: r.index, score: r.relevance_score }))
        : [];
    const scores = new Array<number>(documents.length).fill(Number.NaN);
    for (const item of items)
      if (Number.isInteger(item.index) && item.index >= 0 && item.index < documents.length)
        scores[item.index] = Number(item.score);
    if (scores.some((s) => !Number.isFinite(s)))
      throw new RerankError(`rerank returned scores for ${items.length} of ${documents.length} documents`, false);
    return scores;
  }
}
