import { type AppConfig } from '@answerbridge/config';
import { ingestKnowledgeBase, loadFaqFile, type IngestResult } from '@answerbridge/knowledge';
import { createKnowledgeServices } from '@answerbridge/pipeline';
import type { CollectionVersion } from '@answerbridge/vector-store';
import cliProgress from 'cli-progress';

export class UsageError extends Error {}

function knowledgeBaseOf(config: AppConfig, botId: string): string {
  const bot = config.bots.find((b) => b.id === botId);
  if (!bot) throw new UsageError(`unknown bot "${botId}"; configured bots: ${config.bots.map((b) => b.id).join(', ')} (in ${config.BOTS_FILE})`);
  return bot.knowledgeBase ?? bot.id;
}

const services = createKnowledgeServices;

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
  const { store, searcher, thresholds } = services(config);
  try {
    await store.ready();
    const candidates = await searcher.search(knowledgeBase, question, limit);
    return { candidates, thresholds };
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
