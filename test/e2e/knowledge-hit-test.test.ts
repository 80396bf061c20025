import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, watchedPage, logInToConsole } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/knowledge');

interface HitTest {
  question: string;
  decision: {
    kind: string;
    reason: string;
    entryId: string | null;
    reply: string | null;
    confidence: number | null;
    explanation: string;
    suggestions: string[];
  };
  thresholds: { answer: number; suggest: number; calibrated: boolean; keyword: number | null };
  search: string;
  candidates: { rank: number; entryId: string; question: string; matchedQuestion: string; dense: number | null }[];
}

/**
 * 命中测试 on the real parts: a question typed by an editor is decided as the worker decides it (the same
 * search, person recognition, calibration and policy), and nothing is recorded, learned or sent.
 */
describe('hit testing (命中测试) in the console', () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let browser: Browser | undefined;
  const hitTest = (client: ConsoleClient, question: unknown, bot = sut.bot.id) =>
    client.call<HitTest & { error?: string; message?: string }>('POST', `/api/knowledge/${bot}/hit-test`, {
      question,
    });
  const decisionsRecorded = () => sut.redis.xlen(`${sut.config.QUEUE_PREFIX}:decisions`);

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    admin = await ConsoleClient.login(sut.console.url, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('shows the decision the bot would make, why, and the ranked candidates, for what the bot answers and what it hands over', async () => {
    const before = await decisionsRecorded();
    const answered = await hitTest(admin, '怎么更改登录密码?');
    expect(answered.status).toBe(200);
    expect(answered.body.decision).toMatchObject({ kind: 'answer', reason: 'above-answer-threshold' });
    expect(answered.body.candidates[0]).toMatchObject({ rank: 1, question: '如何修改登录密码？' });
    expect(answered.body.decision.entryId).toBe(answered.body.candidates[0]?.entryId);
    expect(answered.body.decision.reply).toBeTruthy();
    expect(answered.body.decision.confidence).toBeGreaterThanOrEqual(answered.body.thresholds.answer);
    expect(answered.body.decision.explanation).toMatch(
      /^「如何修改登录密码？」正确的概率 \d+\.\d%，达到回答阈值 \d+\.\d%：直接回答/,
    );

    const person = await hitTest(admin, '我要转人工');
    expect(person.body.decision).toMatchObject({ kind: 'escalate', reason: 'asked-for-human' });
    expect(person.body.decision.explanation).toMatch(/^识别为要求转人工/);

    const unknown = await hitTest(admin, '公司火星分部的食堂菜单是什么');
    expect(['escalate', 'suggest']).toContain(unknown.body.decision.kind);
    expect(unknown.body.decision.explanation).toMatch(/转人工|您是不是想问/);

    // A test is not a conversation: no decision is recorded (the analytics and learning read those).
    expect(await decisionsRecorded()).toBe(before);
  });

  it('decides a question in the language it is written in when the bot sets none, as the worker does', async () => {
    // The test bot's bots-file entry has no language (officialVectorBot): a Chinese question meets the Chinese model and keyword
    // threshold, an English one the English model and no keyword answers (BM25 never reaches precision in English).
    const chinese = await hitTest(admin, 'VPN 连不上怎么办');
    const english = await hitTest(admin, 'The VPN will not connect, what should I do?');
    expect(chinese.body.thresholds.keyword).toBe(16);
    expect(english.body.thresholds.keyword).toBeNull();
    expect(english.body.thresholds.answer).not.toBe(chinese.body.thresholds.answer);
    // Still searched across languages: e5 reads both, so the VPN entry leads for the English question too.
    expect(english.body.candidates[0]?.entryId).toBe(chinese.body.candidates[0]?.entryId);
  });

  it('refuses agents, empty and oversize questions and unknown bots, with the reason in words', async () => {
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    const refused = await hitTest(agent, '年假有几天');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/^仅知识库编辑和管理员/);
    expect((await agent.call('GET', '/api/knowledge/bots')).status).toBe(403);

    const empty = await hitTest(admin, '   ');
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/请输入要测试的问题/);
    expect((await hitTest(admin, 42)).status).toBe(400);
    const long = await hitTest(admin, '年'.repeat(501));
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/问题太长（最多 500 个字）/);
    const nobody = await hitTest(admin, '年假有几天', 'nobody');
    expect(nobody.status).toBe(404);
    expect(nobody.body.message).toMatch(/没有机器人 nobody/);
  });

  it('works in Chromium under the console CSP, on a desktop and at 360 px', async () => {
    browser = await launchChromium();
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 360, height: 740 }],
    ] as const) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN' });
      const { page, trouble } = await watchedPage(context);
      await logInToConsole(page, sut.console.url, 'admin');
      // The inbox leads its FAQ owners to the knowledge pages.
      await page.click('#to-knowledge');
      await page.locator('#app:not([hidden])').waitFor();
      expect(await page.textContent('#version')).toMatch(/^当前版本 v\d+$/);
      // The page opens on its 条目 tab; 命中测试 is one click away.
      await page.click('.tab[data-tab="hit-test"]');
      await page.fill('#hit-test-question', '怎么更改登录密码?');
      await page.click('#hit-test-run');
      await page.locator('#hit-test-result:not([hidden])').waitFor();
      expect(await page.textContent('#decision-kind')).toBe('直接回答');
      expect(await page.textContent('#decision-why')).toMatch(/达到回答阈值/);
      expect(await page.locator('#candidates tbody tr.chosen').count()).toBe(1);
      expect(await page.textContent('#candidates tbody tr.chosen')).toContain('如何修改登录密码？');
      await page.screenshot({ path: path.join(screenshots, `hit-test-${name}.png`), fullPage: true });
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
      await context.close();
    }
    // An agent is told the page is not theirs, with nothing broken.
    const context = await browser.newContext({ locale: 'zh-CN' });
    const { page } = await watchedPage(context);
    await logInToConsole(page, sut.console.url, 'agent1');
    expect(await page.locator('#to-knowledge').isVisible()).toBe(false);
    await page.goto(`${sut.console.url}/knowledge/`);
    await page.locator('#gate:not([hidden])').waitFor();
    expect(await page.textContent('#gate')).toMatch(/只有知识库编辑和管理员/);
    await context.close();
  });
});
