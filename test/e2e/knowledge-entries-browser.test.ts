import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, logInToConsole, watchedPage } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/knowledge');

interface HitTest {
  decision: { kind: string; entryId: string | null };
  candidates: { question: string; matchedQuestion: string; entryId: string }[];
}

/**
 * The 条目 tab in Chromium under the console's CSP, on a desktop and at 360 px: an editor edits an entry, sees
 * the change highlighted before publishing, publishes, and the bot answers from it; then the history names them.
 */
describe('the 条目 tab in Chromium', () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    admin = await ConsoleClient.login(sut.console.url, 'admin');
    // An editor with the demo password, so the page's own login form can be used.
    await ConsoleClient.createAccount(sut.console.url, {
      username: 'editor1',
      displayName: '知识编辑小周',
      role: 'editor',
      password: 'answerbridge-demo',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  async function openEntries(page: Page) {
    await logInToConsole(page, sut.console.url, 'editor1');
    await page.goto(`${sut.console.url}/knowledge/`);
    await page.locator('#app:not([hidden])').waitFor();
    // The 条目 tab is the one the page opens on.
    expect(await page.getAttribute('.tab[data-tab="entries"]', 'aria-selected')).toBe('true');
    await page.locator('#entries-list .entry').first().waitFor();
  }

  async function reviewAndPublish(page: Page, name: string) {
    await page.click('#draft-review');
    await page.locator('#draft-diff:not([hidden])').waitFor();
    await page.screenshot({ path: path.join(screenshots, `entries-diff-${name}.png`), fullPage: true });
    await page.click('#diff-publish');
    await page.locator('#entries-status', { hasText: '已发布' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#draft-banner').isHidden()).toBe(true);
  }

  it('edits an entry, shows the changed fields before publishing, and the bot answers from it once published', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await openEntries(page);
    expect(await page.textContent('#entries-count')).toBe('共 36 个条目');
    const versionBefore = await page.textContent('#version');

    await page.fill('#entries-q', '登录密码');
    await page.click('#entries-search-run');
    await page.locator('#entries-count', { hasText: '找到' }).waitFor();
    const entry = page.locator('#entries-list .entry', { hasText: '如何修改登录密码？' });
    await entry.locator('button.edit').click();
    await page.locator('#entry-form:not([hidden])').waitFor();
    expect(await page.inputValue('#entry-question')).toBe('如何修改登录密码？');
    await page.fill('#entry-answer', `${await page.inputValue('#entry-answer')}\n忘记旧密码请联系 IT 服务台。`);
    await page.fill('#entry-similar', `${await page.inputValue('#entry-similar')}\n密码过期了怎么重置`);
    await page.fill('#entry-category', '账号');

    // A refusal keeps what was typed: an empty question is refused in words, the form stays filled.
    const question = await page.inputValue('#entry-question');
    await page.fill('#entry-question', ' ');
    await page.click('#entry-save');
    await page.locator('#entries-status.error', { hasText: '请填写标准问题' }).waitFor();
    expect(await page.locator('#entry-form').isVisible()).toBe(true);
    await page.fill('#entry-question', question);
    await page.click('#entry-save');
    await page.locator('#entries-status', { hasText: '已保存到草稿' }).waitFor();
    await page.locator('#draft-banner:not([hidden])').waitFor();
    expect(await page.textContent('#draft-summary')).toMatch(/^草稿：新增 0、修改 1、删除 0（editor1 于/);
    // Nothing is live yet.
    expect(await page.textContent('#version')).toBe(versionBefore);

    // 命中测试 against the draft finds the new wording before anything is published.
    await page.click('.tab[data-tab="hit-test"]');
    await page.selectOption('#hit-test-against', 'draft');
    await page.fill('#hit-test-question', '密码过期了怎么重置');
    await page.click('#hit-test-run');
    await page.locator('#hit-test-status', { hasText: '按草稿检索' }).waitFor({ timeout: 60_000 });
    await page.locator('#hit-test-result:not([hidden])').waitFor();
    expect(await page.textContent('#candidates tbody tr:first-child')).toContain('如何修改登录密码？');
    await page.screenshot({ path: path.join(screenshots, 'entries-hit-test-draft-desktop.png'), fullPage: true });
    await page.click('.tab[data-tab="entries"]');

    await page.click('#draft-review');
    await page.locator('#draft-diff:not([hidden])').waitFor();
    const fields = await page
      .locator('#diff-body .changed-field')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')));
    expect(fields).toEqual(['answer', 'similar', 'category']);
    expect(await page.textContent('#diff-body .changed-field[data-field="answer"] .after')).toContain('IT 服务台');
    // Of the similar questions, the added one is marked, not the whole list.
    expect(await page.locator('#diff-body .changed-field[data-field="similar"] .added').allTextContents()).toEqual([
      '密码过期了怎么重置',
    ]);
    await page.click('#diff-close');
    await reviewAndPublish(page, 'desktop');
    expect(await page.textContent('#version')).not.toBe(versionBefore);

    // Live now: the live view has it, and the bot matches the new wording to the entry.
    await page.selectOption('#entries-view', 'live');
    await page.locator('#entries-list .entry', { hasText: 'IT 服务台' }).waitFor();
    const hit = await admin.call<HitTest>('POST', `/api/knowledge/${sut.bot.id}/hit-test`, {
      question: '密码过期了怎么重置',
    });
    expect(hit.body.candidates[0]).toMatchObject({ question: '如何修改登录密码？' });
    expect(hit.body.decision.kind).toBe('answer');

    const newest = page.locator('#history-list .version').first();
    expect(await newest.textContent()).toMatch(/editor1 · 知识库页面.*在线/);
    await newest.locator('button.show-changes').click();
    await newest.locator('.version-changes li.change-changed').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'entries-desktop.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('adds an entry and publishes it at 360 px', async () => {
    const context = await browser!.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await openEntries(page);
    await page.click('#entry-new');
    await page.fill('#entry-question', '食堂几点开饭？');
    await page.fill('#entry-answer', '午饭 11:30 开始，晚饭 17:30 开始。');
    await page.fill('#entry-similar', '食堂什么时候开饭\n食堂什么时候开饭\n员工餐厅几点开门');
    await page.fill('#entry-tags', '食堂，行政');
    await page.click('#entry-save');
    await page.locator('#entries-status', { hasText: '已保存到草稿' }).waitFor();
    expect(await page.textContent('#draft-summary')).toMatch(/^草稿：新增 1、修改 0、删除 0/);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await reviewAndPublish(page, 'phone');
    await page.fill('#entries-q', '食堂');
    await page.click('#entries-search-run');
    const added = page.locator('#entries-list .entry', { hasText: '食堂几点开饭？' });
    await added.waitFor();
    expect(await added.locator('.entry-meta').textContent()).toBe('2 个相似问题');
    await page.screenshot({ path: path.join(screenshots, 'entries-phone.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    const hit = await admin.call<HitTest>('POST', `/api/knowledge/${sut.bot.id}/hit-test`, {
      question: '食堂几点开饭',
    });
    expect(hit.body.decision.kind).toBe('answer');
    await context.close();
  });
});
