import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '@answerbridge/core';
import { RedisDecisionLog } from '@answerbridge/redis';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, watchedPage, logInToConsole } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/knowledge');

interface Analytics {
  messages: number;
  outcomes: Record<'answered' | 'suggested' | 'escalated' | 'other', number>;
  days: { day: string; messages: number }[];
  topQuestions: { question: string; count: number }[];
  entriesByHits: { entryId: string; hits: number }[];
  entriesNeverHit: { entryId: string }[];
  feedback: { accurate: number; inaccurate: number; answeredWithFeedback: number; answeredShare: number | null };
}

/** 200 messages: the sample's labelled questions, greetings, requests for a person and questions the FAQ lacks. */
function script(): string[] {
  const labelled = readFileSync(path.join(workspaceRoot, 'data/sample-eval.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { query: string }).query);
  const messages = [
    ...Array.from({ length: 20 }, () => '你好'),
    ...Array.from({ length: 10 }, () => '我要转人工'),
    ...Array.from({ length: 10 }, (_, i) => `公司火星分部第 ${i + 1} 食堂的菜单`),
  ];
  for (let i = 0; messages.length < 200; i++) messages.push(labelled[i % labelled.length]!);
  return messages;
}

/**
 * 统计 on the real parts: a scripted run of 200 messages, each from its own asker, through the WeCom simulator;
 * the page's counts are the decision log's, per outcome and per day, and the CSV says the same.
 */
describe('statistics (统计) in the console', () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let browser: Browser | undefined;
  const messages = script();

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    admin = await ConsoleClient.login(sut.console.url, 'admin');
    const client = sut.simulator.wecomClient(sut.bot.id);
    for (let i = 0; i < messages.length; i += 20)
      await Promise.all(messages.slice(i, i + 20).map((text, j) => client.sendText(`asker-${i + j}`, text)));
    await sut.idle();
    // The page reads PostgreSQL: wait until the console has copied everything the decision log holds.
    await sut.console.analyticsCaughtUp();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('counts what the decision log holds for the 200 messages, by outcome and by day', async () => {
    const res = await admin.call<Analytics>('GET', `/api/knowledge/${sut.bot.id}/analytics`);
    expect(res.status).toBe(200);
    const a = res.body;
    const log = (await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(10_000)).filter(
      (d: DecisionRecord) => d.botId === sut.bot.id,
    );
    expect(log).toHaveLength(200);
    const tally = { answered: 0, suggested: 0, escalated: 0, other: 0 };
    for (const d of log)
      tally[
        d.kind === 'answer'
          ? 'answered'
          : d.kind === 'suggest'
            ? 'suggested'
            : d.kind === 'escalate'
              ? 'escalated'
              : 'other'
      ] += 1;
    expect(a.messages).toBe(200);
    expect(a.outcomes).toEqual(tally);
    expect(a.outcomes.other).toBe(20);
    expect(a.outcomes.escalated).toBeGreaterThanOrEqual(10);
    expect(a.days).toHaveLength(7);
    expect(a.days.reduce((n, d) => n + d.messages, 0)).toBe(200);
    expect(a.topQuestions[0]).toMatchObject({ count: expect.any(Number) });
    const hits = a.entriesByHits.reduce((n, e) => n + e.hits, 0);
    expect(hits).toBe(log.filter((d) => d.kind === 'answer').length);
    expect(a.feedback).toEqual({
      accurate: 0,
      inaccurate: 0,
      answeredWithFeedback: 0,
      answeredShare: tally.answered ? 0 : null,
    });

    const csv = await fetch(`${sut.console.url}/api/knowledge/${sut.bot.id}/analytics?format=csv`, {
      headers: { cookie: admin.cookieHeader },
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    // A byte-order mark first (fetch's text() would drop it): Excel then reads the file as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('日期,消息数,直接回答,推荐,转人工,其他\r\n')).toBe(true);
    const today = a.days.at(-1)!;
    expect(text).toContain(
      `${today.day},200,${tally.answered},${tally.suggested},${tally.escalated},${tally.other}\r\n`,
    );
  });

  it('refuses agents and bad periods in words', async () => {
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    expect((await agent.call('GET', `/api/knowledge/${sut.bot.id}/analytics`)).status).toBe(403);
    const backwards = await admin.call<{ message: string }>(
      'GET',
      `/api/knowledge/${sut.bot.id}/analytics?from=2026-11-30&to=2026-11-01`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/统计区间须从早到晚/);
    const notADate = await admin.call<{ message: string }>(
      'GET',
      `/api/knowledge/${sut.bot.id}/analytics?from=yesterday`,
    );
    expect(notADate.status).toBe(400);
    expect(notADate.body.message).toMatch(/from 应为日期/);
  });

  it('draws the page with Chart.js under the console CSP, on a desktop and at 360 px', async () => {
    browser = await launchChromium();
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 360, height: 740 }],
    ] as const) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN' });
      const { page, trouble } = await watchedPage(context);
      await logInToConsole(page, sut.console.url, 'admin');
      await page.goto(`${sut.console.url}/knowledge/#analytics`);
      await page.locator('#analytics-body:not([hidden])').waitFor();
      expect(await page.textContent('[data-tile="messages"] .value')).toBe('200');
      // The WeCom app asks for no verdicts: the feedback tiles say none came.
      expect(await page.textContent('[data-tile="feedback-accurate"] .value')).toBe('0');
      expect(await page.isVisible('#feedback-none')).toBe(true);
      // Chart.js drew into the canvas: it has a size and pixels that are not blank. Chart.js sizes the canvas
      // from a ResizeObserver after the data arrives, so wait for the drawing rather than read it once.
      await page.waitForFunction(
        `(() => {
          const canvas = document.getElementById('by-day');
          if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          return data.some((v, i) => i % 4 === 3 && v > 0);
        })()`,
        undefined,
        { timeout: 15_000 },
      );
      await page.screenshot({ path: path.join(screenshots, `analytics-${name}.png`), fullPage: true });
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
      await context.close();
    }
  });
});
