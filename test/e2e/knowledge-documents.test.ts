import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { KnowledgeSearcher, ingestKnowledgeBase, parseFaq } from '@answerbridge/knowledge';
import { MilvusVectorStore } from '@answerbridge/vector-store';

const handbook = `# 员工手册

## 试用期多久？
一般为 3 个月。

## 假期

### 婚假
员工在本公司工作期间登记结婚的，可享受 13 天带薪婚假，需在登记后一年内休完。

### 丧假
直系亲属去世可休丧假 3 天。

## 信息安全

### 密码规则
密码每 90 天必须更换一次，不得与最近 5 次重复。

### 离开工位
离开工位时必须锁屏（Windows: Win+L；Mac: Ctrl+Cmd+Q）。
`;

/** Markdown documents become sections searchable by what they say, next to FAQ entries. */
describe('Markdown documents split by headings, on Milvus Lite and the local embedder', () => {
  const services = inject('services');
  const profile = resolveProfile('e5-minilm');
  const store = new MilvusVectorStore({ address: services.milvusAddress });
  const embedder = new HttpEmbedder(profile, { baseUrl: services.embeddingBaseUrl, apiKey: 'none', timeoutMs: 30_000 });
  const kb = `doc${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await store.ready();
    await ingestKnowledgeBase(store, embedder, kb, parseFaq(handbook, 'handbook.md'));
  });
  afterAll(async () => {
    for (const v of await store.listVersions(kb)) await store.dropVersion(v.collection);
    await store.close();
  });

  it.each([
    ['结婚可以休几天假', '员工手册 > 假期 > 婚假', 'doc'],
    ['离开座位要锁电脑吗', '员工手册 > 信息安全 > 离开工位', 'doc'],
    ['试用期是多长时间', '试用期多久？', 'faq'],
  ])('"%s" finds "%s"', async (question, expected, kind) => {
    const [top] = await new KnowledgeSearcher(store, embedder).search(kb, question, 3);
    expect(top?.question).toBe(expected);
    expect(top?.meta.kind).toBe(kind);
  });
});
