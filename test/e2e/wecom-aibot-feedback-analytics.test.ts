import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Pool } from '@answerbridge/database';
import { WecomAibotSimulator, type AibotSimBot } from '@answerbridge/simulator';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, logInToConsole, watchedPage } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const screenshots = path.join(workspaceRoot, 'test/output/knowledge');

interface Feedback {
  accurate: number;
  inaccurate: number;
  answeredWithFeedback: number;
  answeredShare: number | null;
}

/**
 * 准确/不准确 from the WeCom AI bot simulator, counted in 统计: the gateway appends each verdict to the decision
 * log, the console copies it into PostgreSQL beside the decision it is about (the message id), and the figures
 * and the page show it.
 */
describe('feedback on the AI bot answers counted in the statistics', () => {
  let sut: SystemUnderTest;
  let sim: WecomAibotSimulator;
  let bot: AibotSimBot;
  let admin: ConsoleClient;
  let pool: Pool;
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sim = new WecomAibotSimulator([], { refreshIntervalMs: 150 });
    await sim.listen();
    sut = await startSystem({ WECOM_AIBOT_RESPONSE_ORIGINS: sim.url }, (botId) => {
      bot = { id: `${botId}_ai`, mode: 'http', name: '小助手', token: 'aibotToken', encodingAesKey: KEY };
      sim.addBots([bot]);
      return [{ ...bot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' }];
    });
    sim.setGateways([sut.gateway.url]);
    admin = await ConsoleClient.login(sut.console.url, 'admin');
    pool = await openDatabase(sut.config.DATABASE_URL);
  });
  afterAll(async () => {
    await browser?.close();
    await pool?.end();
    await sut?.stop();
    await sim?.close();
  });

  it('counts 准确 and 不准确 per answered message, a withdrawn verdict as none, a changed one as the last', async () => {
    const asked = [
      ['zhangsan', '怎么更改登录密码?'],
      ['lisi', '年假有几天？'],
      ['wangwu', '工资什么时候发？'],
      ['zhaoliu', '我要转人工'],
    ] as const;
    const bubbles = [];
    for (const [user, text] of asked) bubbles.push(await sim.finalFor(await sim.send(bot.id, user, text)));
    const [zhangsan, lisi, wangwu, zhaoliu] = bubbles.map((b) => b.feedbackId ?? '');
    // Every reply's placeholder carries the feedback id: the message id, which the decision carries too.
    expect([zhangsan, lisi, wangwu, zhaoliu].every(Boolean)).toBe(true);
    expect(await sim.feedback(bot.id, 'zhangsan', zhangsan!, 1)).toBe(200);
    expect(await sim.feedback(bot.id, 'lisi', lisi!, 1)).toBe(200);
    expect(await sim.feedback(bot.id, 'lisi', lisi!, 2, '答非所问')).toBe(200);
    expect(await sim.feedback(bot.id, 'wangwu', wangwu!, 2)).toBe(200);
    expect(await sim.feedback(bot.id, 'wangwu', wangwu!, 3)).toBe(200);
    expect(await sim.feedback(bot.id, 'zhaoliu', zhaoliu!, 2)).toBe(200);
    await sut.idle();
    await sut.console.analyticsCaughtUp();

    const res = await admin.call<{ outcomes: { answered: number; escalated: number }; feedback: Feedback }>(
      'GET',
      `/api/knowledge/${bot.id}/analytics`,
    );
    expect(res.status).toBe(200);
    const { outcomes, feedback } = res.body;
    expect(outcomes.answered).toBe(3);
    expect(outcomes.escalated).toBe(1);
    // zhangsan 准确; lisi changed to 不准确; wangwu withdrew; zhaoliu's verdict is on a hand-over, not an answer.
    expect(feedback).toEqual({
      accurate: 1,
      inaccurate: 2,
      answeredWithFeedback: 2,
      answeredShare: 2 / 3,
    });
    const rows = await pool.query<{ message_id: string; verdict: string; content: string | null }>(
      'SELECT message_id, verdict, content FROM analytics_feedback ORDER BY occurred_at',
    );
    expect(rows.rows.find((r) => r.message_id === lisi)).toMatchObject({ verdict: 'inaccurate', content: '答非所问' });
    expect(rows.rows.find((r) => r.message_id === wangwu)).toMatchObject({ verdict: 'cancelled' });

    const csv = await fetch(`${sut.console.url}/api/knowledge/${bot.id}/analytics?format=csv`, {
      headers: { cookie: admin.cookieHeader },
    });
    const text = Buffer.from(await csv.arrayBuffer()).toString('utf8');
    expect(text).toContain(`准确,不准确,有反馈的直接回答,直接回答反馈率\r\n1,2,2,67%\r\n`);
  });

  it('puts the answer marked 不准确 in the 未解决问题 queue, though the bot still answers it, and no other answer', async () => {
    const queue = await admin.call<{ groups: { question: string; why: Record<string, number> }[] }>(
      'GET',
      `/api/knowledge/${bot.id}/unanswered`,
    );
    expect(queue.status).toBe(200);
    // lisi's answer was last marked 不准确; zhangsan's was 准确 and wangwu withdrew his verdict.
    const downVoted = queue.body.groups.filter((g) => g.why['down-voted']! > 0).map((g) => g.question);
    expect(downVoted).toEqual(['年假有几天？']);
  });

  it('shows the feedback tiles on the 统计 page, on a desktop and at 360 px', async () => {
    browser = await launchChromium();
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 360, height: 740 }],
    ] as const) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN' });
      const { page, trouble } = await watchedPage(context);
      await logInToConsole(page, sut.console.url, 'admin');
      await page.goto(`${sut.console.url}/knowledge/?bot=${encodeURIComponent(bot.id)}#analytics`);
      await page.locator('#analytics-body:not([hidden])').waitFor();
      expect(await page.textContent('#feedback-title')).toBe('回答反馈');
      expect(await page.textContent('[data-tile="feedback-accurate"] .value')).toBe('1');
      expect(await page.textContent('[data-tile="feedback-share"] .value')).toBe('67%');
      expect(await page.textContent('[data-tile="feedback-share"] .label')).toBe('直接回答中有反馈的比例（2 条）');
      expect(await page.isHidden('#feedback-none')).toBe(true);
      await page.screenshot({ path: path.join(screenshots, `analytics-feedback-${name}.png`), fullPage: true });
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
      await context.close();
    }
  });
});
