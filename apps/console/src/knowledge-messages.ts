import type { DecisionReason } from '@answerbridge/answering';
import { ConfigurationError } from '@answerbridge/core';
import { importMessages, importText } from './knowledge-import-messages';
import { entriesMessages, entriesText } from './knowledge-entries-messages';

/**
 * What the knowledge pages (知识库) say, Chinese first: the API's explanations of a decision, and the page's own
 * words (served as /knowledge/messages.js). The inbox's words are in console-messages.ts.
 */
const pageMessages = {
  botNotFound: (botId: string) => `没有机器人 ${botId}。No such bot.`,
  questionRequired: '请输入要测试的问题。Type a question to test.',
  questionTooLong: (max: number) => `问题太长（最多 ${max} 个字）。The question is longer than ${max} characters.`,
  editorsOnly: '仅知识库编辑和管理员可以使用知识库页面。Editors and admins only.',
  fieldRequired: (field: string) => `缺少 ${field}。${field} is required.`,
  fieldTooLong: (field: string, max: number) =>
    `${field} 太长（最多 ${max} 个字）。${field} is longer than ${max} characters.`,
  wordingsInvalid: (max: number) =>
    `wordings 应为问法列表（最多 ${max} 条）。wordings must be a list of at most ${max} strings.`,
  noSuchEntry: (entryId: string) => `当前知识库中没有条目 ${entryId}。No entry ${entryId} in the live knowledge base.`,
  addedToEntry: (added: number, question: string) =>
    added > 0
      ? `已把 ${added} 个问法加为「${question}」的相似问题，机器人现在可以直接回答。Added ${added} wordings to the entry.`
      : `「${question}」已经有这些问法。The entry already has these wordings.`,
  badDay: (name: string) => `${name} 应为日期，如 2026-11-30。${name} must be a date like 2026-11-30.`,
  badPeriod: (max: number) =>
    `统计区间须从早到晚，且不超过 ${max} 天。The period must run forward and span at most ${max} days.`,
  entryCreated: (question: string) =>
    `已新建条目「${question}」，机器人现在可以直接回答。Created: the bot answers it now.`,
};

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

export interface DecisionFacts {
  reason: DecisionReason;
  /** P(the top entry is right), or the top BM25 score when the search was keyword-only. */
  confidence: number | null;
  inTop3: number | null;
  answerAt: number;
  suggestAt: number;
  calibrated: boolean;
  keywordScored: boolean;
  keywordThreshold: number;
  topQuestion: string | null;
}

/** Why the bot decided as it did, in a sentence an FAQ owner understands. */
export function explainDecision(f: DecisionFacts): string {
  const top = f.topQuestion ? `「${f.topQuestion}」` : '最接近的条目';
  const model = f.calibrated ? '' : '（置信度模型未用本知识库校准，可运行 kb calibrate）';
  switch (f.reason) {
    case 'above-answer-threshold':
      return f.keywordScored
        ? `关键词得分 ${f.confidence?.toFixed(2)} 达到关键词阈值 ${f.keywordThreshold.toFixed(2)}：直接用${top}的答案回答。`
        : `${top}正确的概率 ${pct(f.confidence ?? 0)}，达到回答阈值 ${pct(f.answerAt)}：直接回答${model}。`;
    case 'same-wording':
      return `问题与${top}的一个问法逐字相同（不计标点和空格）：直接回答。`;
    case 'between-thresholds':
      return `${top}正确的概率 ${pct(f.confidence ?? 0)}，低于回答阈值 ${pct(f.answerAt)}；正确条目在前三个里的概率 ${pct(f.inTop3 ?? 0)}，达到推荐阈值 ${pct(f.suggestAt)}：回复「您是不是想问」列表${model}。`;
    case 'below-suggest-threshold':
      return f.keywordScored
        ? `关键词得分 ${f.confidence?.toFixed(2) ?? '—'} 低于关键词阈值 ${f.keywordThreshold.toFixed(2)}：转人工。`
        : `正确条目在前三个里的概率只有 ${pct(f.inTop3 ?? 0)}，低于推荐阈值 ${pct(f.suggestAt)}：转人工。可以把这个问法加为某个条目的相似问题，或新增条目${model}。`;
    case 'no-candidates':
      return '知识库里没有相近的条目：转人工。可以新增一个条目来回答它。';
    case 'asked-for-human':
      return '识别为要求转人工（如“转人工”“找客服”）：直接转人工，不搜索答案。';
    case 'greeting':
      return '识别为打招呼：机器人用欢迎语回复。';
    case 'thanks':
      return '识别为致谢：机器人礼貌回复。';
    case 'no-text':
      return '消息没有文字：机器人请对方用文字描述问题。';
    case 'keyword-fallback':
    case 'embedder-unavailable':
      return '向量模型暂时不可用，只按关键词匹配，且只在得分很高时回答。';
    case 'search-unavailable':
      return '检索暂时不可用：转人工。';
    default:
      return `决定：${f.reason}。`;
  }
}

/** The page shell's own words (each tab's are in its own catalog), Chinese only: for the FAQ owners of Chinese companies. */
const pageText = {
  title: '知识库',
  backToInbox: '返回工作台',
  logout: '退出',
  loginFirst: '请先在工作台登录。',
  goLogin: '去登录',
  editorsOnly: '只有知识库编辑和管理员可以打开知识库页面。',
  bot: '机器人',
  tabHitTest: '命中测试',
  hitTestHint: '输入一个员工可能会问的问题，看看机器人会怎么回答、为什么。测试不会记入统计，也不会让机器人学习。',
  hitTestPlaceholder: '例如：年假有几天？',
  hitTestRun: '测试',
  hitTestRunning: '正在检索…',
  decision: '机器人会',
  kinds: {
    answer: '直接回答',
    suggest: '列出「您是不是想问」',
    escalate: '转人工',
    greeting: '回复欢迎语',
    thanks: '回复致谢',
    unreadable: '请对方发文字',
    ignore: '不回复',
  } as Record<string, string>,
  reply: '回复内容',
  why: '原因',
  candidates: '候选条目',
  rank: '排名',
  entry: '条目',
  matched: '命中的问法',
  confidence: '相似度',
  keyword: '关键词得分',
  noCandidates: '没有找到相近的条目。',
  version: '当前版本 v{version}',
  noVersion: '这个机器人还没有知识库版本，请先导入 FAQ。',
  requestFailed: '请求失败（HTTP {status}），请稍后重试。',
  networkFailed: '无法连接服务器，请检查网络后重试。',
  tabUnanswered: '未解决问题',
  unansweredHint:
    '机器人没答好的问题：转了人工、列出推荐但没人选、或回答后被说“没用”。意思相同的问法归为一组，次数多的在前。把一组加为已有条目的相似问题，或新建条目，机器人随即就能回答。',
  unansweredLoading: '正在整理…',
  unansweredEmpty: '最近没有未解决的问题。',
  refresh: '刷新',
  times: '{count} 次',
  whyEscalated: '转人工 {n}',
  whyNotPicked: '推荐未选 {n}',
  whyDownVoted: '回答没用 {n}',
  wordings: '问法',
  nearest: '最接近的条目：「{question}」',
  nearestNone: '知识库里没有相近的条目',
  addToEntry: '加为该条目的相似问题',
  newEntry: '新建条目',
  newQuestion: '标准问题',
  newAnswer: '答案',
  save: '保存',
  cancel: '取消',
  answerRequired: '请填写答案。',
  tabAnalytics: '统计',
  from: '从',
  to: '到',
  show: '查看',
  exportCsv: '导出 CSV',
  analyticsLoading: '正在统计…',
  messages: '消息数',
  answered: '直接回答',
  suggested: '推荐',
  escalated: '转人工',
  other: '其他',
  feedbackTitle: '回答反馈',
  feedbackAccurate: '准确',
  feedbackInaccurate: '不准确',
  feedbackShare: '直接回答中有反馈的比例（{n} 条）',
  feedbackNone: '期间没有收到反馈：只有企业微信智能机器人会请提问的人评价回答。',
  selfServiceShare: '{share} 的消息由机器人直接回答',
  byDay: '每天的消息',
  topQuestions: '问得最多的问题',
  question: '问题',
  count: '次数',
  answeredCount: '直接回答',
  entriesByHits: '命中最多的条目',
  hits: '命中',
  entriesNeverHit: '期间从未命中的条目（{count} 个）',
  escalations: '转人工',
  claimTime: '接入用时中位数 {median}，90% 在 {p90} 内',
  resolveTime: '解决用时中位数 {median}，90% 在 {p90} 内',
  noTime: '—',
  noClaims: '期间转人工的会话还没有客服接入。',
  noResolved: '期间转人工的会话还没有解决的。',
  seconds: '{n} 秒',
  minutes: '{n} 分钟',
  hours: '{n} 小时',
  none: '无',
};

type Joined<P extends readonly object[]> = P extends readonly [infer H, ...infer R extends readonly object[]]
  ? H & Joined<R>
  : unknown;

/**
 * The page's catalog and each tab's, joined. A word two of them define would silently take the later one's text
 * (it happened: two tabs' "similarCount"), so that stops the console from starting, and the unit tests fail.
 */
export function joinCatalogs<P extends readonly object[]>(...parts: P): Joined<P> {
  const joined: Record<string, unknown> = {};
  for (const part of parts)
    for (const [key, value] of Object.entries(part)) {
      if (key in joined)
        throw new ConfigurationError(
          'CONSOLE.CATALOG',
          `the knowledge page's catalogs define "${key}" twice: give one a name of its own`,
        );
      joined[key] = value;
    }
  return joined as Joined<P>;
}

/** What the knowledge pages' API says (errors and explanations), Chinese first. */
export const knowledgeMessages = joinCatalogs(pageMessages, entriesMessages, importMessages);

/** The knowledge page's words, Chinese only: the page is for the FAQ owners of Chinese companies. */
export const knowledgeText = joinCatalogs(pageText, entriesText, importText);
