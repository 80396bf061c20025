import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PersonPrototypes } from '@answerbridge/answering';
import { workspaceRoot } from '@answerbridge/config';
import type { Embedder } from '@answerbridge/core';
import type { Language } from '@answerbridge/knowledge';

type Setting = { minSimilarity: number; minLead: number };

/**
 * Measured per embedding profile and per language of the message on the phrasings the matcher was built from,
 * leave-one-out, as the loosest setting with no look-alike of that language taken for a request
 * (bench/quality/HUMAN-REQUESTS.md): e5-minilm embeds English with MiniLM, whose cosines sit lower than e5's,
 * so one setting for both languages had to be Chinese's and missed English requests. A profile not listed gets
 * no prototypes: its cosines sit on another scale, and unmeasured numbers would guess.
 */
const measured: Record<string, Record<Language, Setting>> = {
  'e5-small': { zh: { minSimilarity: 0.9, minLead: 0.05 }, en: { minSimilarity: 0.9, minLead: 0.05 } },
  'e5-minilm': { zh: { minSimilarity: 0.94, minLead: 0.05 }, en: { minSimilarity: 0.78, minLead: 0.05 } },
};

export const personRequestPhrasingsFile = path.join(workspaceRoot, 'data/intents/human-requests.jsonl');

/** The phrasings the prototypes are made of: requests for a person, and messages that only look like one. */
export function loadPersonRequestPhrasings(file = personRequestPhrasingsFile): {
  requests: string[];
  lookAlikes: string[];
} {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { text: string; human: boolean });
  return {
    requests: rows.filter((r) => r.human).map((r) => r.text),
    lookAlikes: rows.filter((r) => !r.human).map((r) => r.text),
  };
}

/**
 * The prototypes for the configured profile, with the setting measured for the message's language (as
 * `textLanguage` reads it), embedded once on first use (a failed attempt is tried again next time); null for
 * a profile nobody has measured.
 */
export function personPrototypesFor(
  embedder: Embedder,
  profileName: string,
): (language?: Language) => Promise<PersonPrototypes | null> {
  const settings = measured[profileName];
  let pending: Promise<Omit<PersonPrototypes, keyof Setting>> | null = null;
  return async (language = 'zh') => {
    if (!settings) return null;
    pending ??= (async () => {
      const { requests, lookAlikes } = loadPersonRequestPhrasings();
      const vectors = await embedder.embed([...requests, ...lookAlikes], 'query');
      return { requests: vectors.slice(0, requests.length), lookAlikes: vectors.slice(requests.length) };
    })().catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return { ...(await pending), ...settings[language] };
  };
}
