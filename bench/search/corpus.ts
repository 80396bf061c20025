/**
 * A large, realistic FAQ corpus from small seeds: the project's Chinese sample FAQ and (when it is beside
 * the checkout) Banking77's English questions, recombined with the contexts a real help desk multiplies
 * them by (sites, products, account types) and perturbed the way people phrase things. Deterministic:
 * the same size and seed give the same rows, so runs compare.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadFaqFile, type FaqEntry } from '@answerbridge/knowledge';

/** mulberry32: small, fast and good enough to pick words; Math.random would make runs differ. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

export interface Seeds {
  zh: FaqEntry[];
  en: FaqEntry[];
  /** Where the English seeds came from, for the report. */
  englishSource: string;
}

/** Written for this bench: English seeds when Banking77 is not beside the checkout (CI). */
const fallbackEnglish: [string, string[]][] = [
  [
    'How do I reset my password?',
    ['I forgot my password', 'Password reset not working', 'Where can I change my password'],
  ],
  ['Why was my card declined?', ['My card payment failed', 'Card got rejected at the shop', 'Declined transaction']],
  [
    'How long does a transfer take?',
    ['When will my transfer arrive', 'Transfer still pending', 'Money not received yet'],
  ],
  ['How do I order a new card?', ['I need a replacement card', 'Lost my card, new one please', 'Card delivery time']],
  ['Can I change my address?', ['Update my home address', 'I moved house', 'Where do I edit my address']],
  ['How do I close my account?', ['Delete my account', 'I want to cancel my account', 'Stop my membership']],
];

export function loadSeeds(workspaceRoot: string, banking77Dir?: string): Seeds {
  const zh = loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt'));
  const faq = banking77Dir ? path.join(banking77Dir, 'faq.jsonl') : '';
  if (faq && existsSync(faq))
    return { zh, en: loadFaqFile(faq), englishSource: "Banking77's questions, read in place from ../shared/eval" };
  const en = fallbackEnglish.map(([question, similar], i) => ({
    id: `en-seed-${i}`,
    question,
    similar,
    answer: `Answer ${i}: see the help centre, section ${i + 1}.`,
    tags: [],
  }));
  return { zh, en, englishSource: 'built-in English seeds (Banking77 not found)' };
}

const zhCities = ['北京', '上海', '深圳', '成都', '杭州', '武汉', '西安', '南京', '广州', '苏州', '重庆', '天津'];
const zhUnits = ['分公司', '研发中心', '门店', '仓库', '工厂', '办事处', '营业部', '实验室'];
const zhProducts = ['企业版', '标准版', '专业版', '旗舰版', '教育版', '海外版'];
const zhPrefixes = ['', '', '请问', '麻烦问一下，', '你好，', '想咨询下', '同事问：', '急：'];
const zhSuffixes = ['', '', '？', '呢', '，谢谢', '（急）'];
const enCities = ['London', 'Berlin', 'Madrid', 'Toronto', 'Sydney', 'Dublin', 'Austin', 'Lisbon', 'Oslo', 'Singapore'];
const enUnits = ['branch', 'office', 'store', 'warehouse', 'lab', 'service desk'];
const enProducts = ['premium', 'business', 'student', 'joint', 'travel', 'junior'];
const enPrefixes = ['', '', 'Hi, ', 'Quick question: ', 'Hello, ', 'Please help: '];

/** A context a help desk multiplies a question by; the numbers make every entry distinct. */
function context(rand: () => number, zh: boolean, n: number): { lead: string; tail: string } {
  if (zh)
    return rand() < 0.5
      ? { lead: `${pick(rand, zhCities)}${pick(rand, zhUnits)}${n % 97}号`, tail: '' }
      : { lead: `${pick(rand, zhProducts)}（型号 AB-${1000 + (n % 9000)}）`, tail: '' };
  return rand() < 0.5
    ? { lead: '', tail: ` at the ${pick(rand, enCities)} ${pick(rand, enUnits)} no. ${n % 97}` }
    : { lead: '', tail: ` on a ${pick(rand, enProducts)} account (plan AB-${1000 + (n % 9000)})` };
}

function phrase(rand: () => number, zh: boolean, text: string, ctx: { lead: string; tail: string }): string {
  if (zh) {
    const core = text.replace(/[？?]$/, '');
    return `${pick(rand, zhPrefixes)}${ctx.lead}${core}${pick(rand, zhSuffixes)}`;
  }
  const core = text.replace(/[?.!]$/, '');
  return `${pick(rand, enPrefixes)}${core}${ctx.tail}?`;
}

/** Entries unlike anything the generator makes: a search for them must find exactly these. */
export const plantedEntries: FaqEntry[] = [
  {
    id: 'planted-zh-1',
    question: '珊瑚礁潜水证在哪个窗口补办？',
    similar: ['潜水证丢了怎么补', '珊瑚礁潜水证补办流程'],
    answer: '带身份证到三楼 7 号窗口补办珊瑚礁潜水证。',
    tags: ['planted'],
  },
  {
    id: 'planted-zh-2',
    question: '鲸鱼观测船的船票可以改签吗？',
    similar: ['观鲸船票怎么改签', '鲸鱼观测船改日期'],
    answer: '开船前 24 小时可在小程序免费改签一次。',
    tags: ['planted'],
  },
  {
    id: 'planted-en-1',
    question: 'Where do I collect my zeppelin hangar badge?',
    similar: ['Lost my zeppelin hangar badge', 'Zeppelin hangar badge pickup'],
    answer: 'Hangar badges are handed out at gate 4 from 8 am.',
    tags: ['planted'],
  },
  {
    id: 'planted-en-2',
    question: 'Can I bring a theremin to the rehearsal room?',
    similar: ['Is a theremin allowed in rehearsal', 'Theremin in the rehearsal room'],
    answer: 'Yes, the rehearsal room has a spare mains socket for it.',
    tags: ['planted'],
  },
];

const questionCount = (e: FaqEntry) => 1 + e.similar.length;

/**
 * `rows` indexed questions (canonical + similar phrasings, about four per entry), half Chinese, half
 * English, the planted entries spread through them. Prefixes of a larger corpus are the smaller ones.
 */
export function generateCorpus(seeds: Seeds, rows: number, seed = 77): FaqEntry[] {
  const rand = prng(seed);
  const entries: FaqEntry[] = [];
  const plantEvery = Math.max(1, Math.floor(rows / 4 / (plantedEntries.length + 1)));
  let total = 0;
  let planted = 0;
  for (let n = 0; total < rows; n++) {
    if (n > 0 && n % plantEvery === 0 && planted < plantedEntries.length) {
      const p = plantedEntries[planted++] as FaqEntry;
      entries.push(p);
      total += questionCount(p);
      continue;
    }
    const zh = n % 2 === 0;
    const base = pick(rand, zh ? seeds.zh : seeds.en);
    const ctx = context(rand, zh, n);
    const similar = base.similar.slice(0, 3).map((s) => phrase(rand, zh, s, ctx));
    const entry: FaqEntry = {
      id: `gen-${n}`,
      question: phrase(rand, zh, base.question, { lead: ctx.lead, tail: ctx.tail }),
      similar: similar.slice(0, Math.max(0, Math.min(similar.length, rows - total - 1))),
      answer: `${ctx.lead}${ctx.tail.trim()}${zh ? '：' : ': '}${base.answer}`.slice(0, 600),
      category: zh ? '示例' : 'sample',
      tags: [],
    };
    entries.push(entry);
    total += questionCount(entry);
  }
  return entries;
}

export interface BenchQuery {
  text: string;
  expectedId: string;
  planted: boolean;
}

/** A question as someone else would type it: no politeness, one character or word dropped, case changed. */
function perturb(rand: () => number, text: string): string {
  const zh = /[\u4e00-\u9fff]/.test(text);
  if (zh) {
    const core = text.replace(/^(请问|麻烦问一下，|你好，|想咨询下|同事问：|急：)/, '').replace(/[？?。呢]+$/, '');
    const at = Math.floor(rand() * core.length);
    const dropped = core.length > 6 ? core.slice(0, at) + core.slice(at + 1) : core;
    return `${rand() < 0.5 ? '请问' : ''}${dropped}${rand() < 0.5 ? '？' : ''}`;
  }
  const words = text.replace(/^(Hi, |Quick question: |Hello, |Please help: )/, '').split(/\s+/);
  if (words.length > 4) words.splice(Math.floor(rand() * words.length), 1);
  const joined = words.join(' ');
  return rand() < 0.5 ? joined.toLowerCase() : joined;
}

/** `count` queries: every planted entry once, then random indexed questions, perturbed. */
export function generateQueries(entries: FaqEntry[], count: number, seed = 5): BenchQuery[] {
  const rand = prng(seed);
  const queries: BenchQuery[] = entries
    .filter((e) => e.tags.includes('planted'))
    .map((e) => ({ text: perturb(rand, e.question), expectedId: e.id, planted: true }));
  while (queries.length < count) {
    const e = pick(rand, entries);
    const texts = [e.question, ...e.similar];
    queries.push({ text: perturb(rand, pick(rand, texts)), expectedId: e.id, planted: false });
  }
  return queries;
}
