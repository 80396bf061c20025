import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, watchedPage, logInToConsole } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/knowledge');

interface Group {
  key: string;
  question: string;
  count: number;
  wordings: string[];
  conversationId: string;
  nearest: { entryId: string; question: string } | null;
  why: Record<string, number>;
}

const canteen = [
  '食堂几点开饭？',
  '食堂什么时候开饭',
  '公司食堂几点开始供应午饭',
  '食堂开饭时间是几点',
  '员工食堂几点能吃饭',
];

/**
 * 未解决问题 on the real parts: five people ask a question the FAQ lacks, the bot cannot answer it, the group
 * appears in the queue once with its five wordings, an editor makes it an entry in Chromium, and the bot then
 * answers it in the chat.
 */
describe('the unanswered-questions queue (未解决问题)', () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let browser: Browser | undefined;
  const ask = async (asker: string, text: string) => {
    const before = sut.simulator.wecom.sentTo(asker).at(-1)?.seq ?? 0;
    await sut.simulator.wecomClient(sut.bot.id).sendText(asker, text);
    return sut.simulator.wecom.nextMessageTo(asker, before);
  };
  const queue = async () =>
    (await admin.call<{ groups: Group[] }>('GET', `/api/knowledge/${sut.bot.id}/unanswered`)).body.groups;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    admin = await ConsoleClient.login(sut.console.url, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('groups what five people asked in their own words into one line, beside a question asked once', async () => {
    for (const [i, question] of canteen.entries()) await ask(`canteen-${i}`, question);
    await ask('charger', '地下车库哪里有电动车充电桩');
    await ask('answered', '怎么更改登录密码?');
    await sut.idle();
    const groups = await queue();
    const group = groups.find((g) => g.wordings.includes(canteen[0]!));
    expect(group).toBeDefined();
    expect(group!.count).toBe(5);
    expect([...group!.wordings].sort()).toEqual([...canteen].sort());
    expect(groups[0]).toBe(group);
    expect(groups.some((g) => g.wordings.includes('地下车库哪里有电动车充电桩') && g.count === 1)).toBe(true);
    // What the bot answered is not in the queue.
    expect(groups.flatMap((g) => g.wordings)).not.toContain('怎么更改登录密码?');
  });

  it('refuses agents and malformed actions, in words', async () => {
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    expect((await agent.call('GET', `/api/knowledge/${sut.bot.id}/unanswered`)).status).toBe(403);
    const addAsAgent = await agent.call('POST', `/api/knowledge/${sut.bot.id}/unanswered/new-entry`, {
      question: '食堂几点开饭？',
      answer: 'x',
      conversationId: 'c',
      wordings: [],
    });
    expect(addAsAgent.status).toBe(403);
    const notAList = await admin.call<{ message: string }>(
      'POST',
      `/api/knowledge/${sut.bot.id}/unanswered/new-entry`,
      {
        question: '食堂几点开饭？',
        answer: '11:30',
        conversationId: 'c',
        wordings: '食堂',
      },
    );
    expect(notAList.status).toBe(400);
    expect(notAList.body.message).toMatch(/wordings 应为问法列表/);
    const noEntry = await admin.call<{ message: string }>(
      'POST',
      `/api/knowledge/${sut.bot.id}/unanswered/add-to-entry`,
      { entryId: 'no-such-entry', conversationId: 'c', wordings: ['食堂几点开饭？'] },
    );
    expect(noEntry.status).toBe(404);
    expect(noEntry.body.message).toMatch(/没有条目 no-such-entry/);
    // Nothing changed: the group is still there, whole.
    expect((await queue()).find((g) => g.wordings.includes(canteen[0]!))?.count).toBe(5);
  });

  it('an editor makes the group an entry in Chromium; it leaves the queue and the bot answers it', async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await logInToConsole(page, sut.console.url, 'admin');
    await page.goto(`${sut.console.url}/knowledge/#unanswered`);
    const card = page.locator('.group', { hasText: canteen[0]! });
    await card.waitFor();
    expect(await card.locator('.count').textContent()).toBe('5 次');
    await page.screenshot({ path: path.join(screenshots, 'unanswered-desktop.png'), fullPage: true });
    await card.locator('.new-entry-open').click();
    await card.locator('.new-question').fill('食堂几点开饭？');
    await card.locator('.new-answer').fill('员工食堂午餐 11:30–13:00，晚餐 17:30–19:00，在 B1 层。');
    await card.locator('.new-entry-save').click();
    await page.locator('#unanswered-status', { hasText: '已新建条目「食堂几点开饭？」' }).waitFor();
    expect(await page.locator('.group', { hasText: canteen[0]! }).count()).toBe(0);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });

    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const small = await watchedPage(phone);
    await logInToConsole(small.page, sut.console.url, 'admin');
    await small.page.goto(`${sut.console.url}/knowledge/#unanswered`);
    await small.page.locator('.group').first().waitFor();
    await small.page.screenshot({ path: path.join(screenshots, 'unanswered-phone.png'), fullPage: true });
    expect(await horizontalOverflow(small.page)).toBeLessThanOrEqual(0);
    await context.close();
    await phone.close();

    // Every wording of the group is answered now, by someone who never asked before.
    for (const [i, question] of canteen.entries())
      expect((await ask(`new-asker-${i}`, question)).content).toBe(
        '员工食堂午餐 11:30–13:00，晚餐 17:30–19:00，在 B1 层。',
      );
  });
});
