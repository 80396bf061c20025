import { type AppConfig } from '@answerbridge/config';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { KnowledgeSearcher, ingestKnowledgeBase, loadFaqFile, type IngestResult } from '@answerbridge/knowledge';
import { MilvusVectorStore, type CollectionVersion } from '@answerbridge/vector-store';
import cliProgress from 'cli-progress';

export class UsageError extends Error {}

function knowledgeBaseOf(config: AppConfig, botId: string): string {
  const bot = config.bots.find((b) => b.id === botId);
  if (!bot) throw new UsageError(`unknown bot "${botId}"; configured bots: ${config.bots.map((b) => b.id).join(', ')} (in ${config.BOTS_FILE})`);
  return bot.knowledgeBase ?? bot.id;
}

function services(config: AppConfig) {
  const profile = resolveProfile(config.EMBEDDING_PROFILE, {
    ...(config.EMBEDDING_MODEL ? { model: config.EMBEDDING_MODEL } : {}),
    ...(config.EMBEDDING_DIMENSIONS ? { dimensions: config.EMBEDDING_DIMENSIONS } : {}),
  });
  const embedder = new HttpEmbedder(profile, { baseUrl: config.EMBEDDING_BASE_URL, apiKey: config.EMBEDDING_API_KEY, timeoutMs: config.EMBEDDING_TIMEOUT_MS });
  const store = new MilvusVectorStore({ address: config.MILVUS_ADDRESS, ...(config.MILVUS_TOKEN ? { token: config.MILVUS_TOKEN } : {}) });
  return { profile, embedder, store };
}

export async function ingestCommand(config: AppConfig, file: string, botId: string, showProgress: boolean): Promise<IngestResult> {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const entries = loadFaqFile(file);
  const { embedder, store } = services(config);
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: 'embedding {bar} {value}/{total} questions', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  try {
    await store.ready();
    bar?.start(entries.reduce((n, e) => n + 1 + e.similar.length, 0), 0);
    return await ingestKnowledgeBase(store, embedder, knowledgeBase, entries, { onProgress: (p) => bar?.update(p.embedded) });
  } finally {
    bar?.stop();
    await store.close();
  }
}

export async function searchCommand(config: AppConfig, botId: string, question: string, limit: number) {
  const knowledgeBase = knowledgeBaseOf(config, botId);
  const { embedder, store, profile } = services(config);
  try {
    await store.ready();
    const candidates = await new KnowledgeSearcher(store, embedder).search(knowledgeBase, question, limit);
    return { candidates, threshold: config.ANSWER_THRESHOLD ?? profile.defaultAnswerThreshold };
  } finally {
    await store.close();
  }
}

export async function versionsCommand(config: AppConfig, botId: string): Promise<CollectionVersion[]> {
  const { store } = services(config);
  try {
    await store.ready();
    return await store.listVersions(knowledgeBaseOf(config, botId));
  } finally {
    await store.close();
  }
}
