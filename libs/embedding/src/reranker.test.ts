import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpReranker, RerankError } from './reranker';

/** A server speaking SGLang's /v1/rerank wire format, scoring by shared characters (a stand-in model). */
describe('HttpReranker against the SGLang wire format', () => {
  let server: Server;
  let baseUrl: string;
  const requests: unknown[] = [];
  let mode: 'sglang' | 'cohere' | 'broken' | 'error' = 'sglang';

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      let raw = '';
      for await (const chunk of req) raw += String(chunk);
      const body = JSON.parse(raw) as { query: string; documents: string[] };
      requests.push({ url: req.url, ...body });
      const scored = body.documents.map((d, index) => ({
        index,
        score: [...new Set(d)].filter((ch) => body.query.includes(ch)).length / Math.max(1, new Set(d).size),
      }));
      scored.sort((a, b) => b.score - a.score);
      res.setHeader('content-type', 'application/json');
      if (mode === 'error') res.writeHead(503).end('{"error":"overloaded"}');
      else if (mode === 'broken') res.end(JSON.stringify(scored.slice(1)));
      else if (mode === 'cohere')
        res.end(JSON.stringify({ results: scored.map((s) => ({ index: s.index, relevance_score: s.score })) }));
      else res.end(JSON.stringify(scored));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
  });
  afterAll(() => {
    server.close();
  });

  it("sends SGLang's request and maps the sorted bare array back to document order", async () => {
    const reranker = new HttpReranker({
      baseUrl,
      model: 'Qwen/Qwen3-Reranker-0.6B',
      timeoutMs: 2_000,
      instruct: 'match FAQ',
    });
    const scores = await reranker.rerank('年假天数', ['报销流程', '年假有几天', '请假']);
    expect(requests.at(-1)).toEqual({
      url: '/v1/rerank',
      model: 'Qwen/Qwen3-Reranker-0.6B',
      query: '年假天数',
      documents: ['报销流程', '年假有几天', '请假'],
      top_n: 3,
      return_documents: false,
      instruct: 'match FAQ',
    });
    expect(scores[1]).toBeGreaterThan(scores[0] ?? 1);
    expect(scores).toHaveLength(3);
  });

  it('accepts the Cohere/Jina response shape', async () => {
    mode = 'cohere';
    const scores = await new HttpReranker({ baseUrl, model: 'm', timeoutMs: 2_000 }).rerank('年假', ['年假', '报销']);
    expect(scores[0]).toBeGreaterThan(scores[1] ?? 1);
  });

  it('refuses a response missing documents, and marks server errors retryable', async () => {
    mode = 'broken';
    await expect(new HttpReranker({ baseUrl, model: 'm', timeoutMs: 2_000 }).rerank('a', ['a', 'b'])).rejects.toThrow(
      /scores for 1 of 2/,
    );
    mode = 'error';
    await expect(new HttpReranker({ baseUrl, model: 'm', timeoutMs: 2_000 }).rerank('a', ['a'])).rejects.toSatisfy(
      (e: unknown) => e instanceof RerankError && e.retryable,
    );
  });
});
