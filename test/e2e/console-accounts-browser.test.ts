import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '@answerbridge/database';
import { workspaceRoot } from '@answerbridge/testing';
import { horizontalOverflow, launchChromium, watchedPage } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/inbox');

async function logIn(page: Page, url: string, username: string, password = 'answerbridge-demo'): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#app:not([hidden])').waitFor();
}

/**
 * The 账号管理 page in Chromium under the console's CSP: an admin adds an account, changes a role and disables
 * one, in Chinese, with no script error and no native dialog; what it did is in PostgreSQL. Others do not see it.
 */
describe('account management in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('lets an admin add an editor, change a role and disable an account, in Chinese', async () => {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 360, height: 740 },
    ]) {
      const context = await browser.newContext({ viewport });
      const { page, trouble } = await watchedPage(context);
      await logIn(page, sut.console.url, 'admin');
      expect(await page.isVisible('#manage-users')).toBe(true);
      expect(await page.textContent('#manage-users')).toBe('账号管理');
      await page.click('#manage-users');
      await page.locator('#users-list tr').nth(2).waitFor();
      expect(await page.textContent('#users-dialog-title')).toBe('账号与角色');
      expect(await page.locator('#users-list tr').allTextContents()).toEqual([
        expect.stringMatching(/^admin（你）.*正常/),
        expect.stringMatching(/^agent1/),
        expect.stringMatching(/^agent2/),
      ]);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.screenshot({ path: path.join(screenshots, `accounts-${viewport.width}.png`) });
      await context.close();
      expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    }

    const context = await browser.newContext();
    const { page, trouble } = await watchedPage(context);
    await logIn(page, sut.console.url, 'admin');
    await page.click('#manage-users');
    await page.locator('#users-list tr').nth(2).waitFor();
    // Add an editor: a too-short password is refused in words first, and what was typed stays.
    // A new account is an agent unless the admin picks otherwise.
    expect(await page.inputValue('#user-role')).toBe('agent');
    await page.fill('#user-username', 'editor7');
    await page.fill('#user-name', '周敏');
    await page.selectOption('#user-role', 'editor');
    await page.fill('#user-password', 'short');
    await page.click('#user-add');
    await expect.poll(() => page.textContent('#user-error')).toMatch(/^密码长度须为 8–200 个字符/);
    expect(await page.inputValue('#user-username')).toBe('editor7');
    await page.fill('#user-password', 'editor7-pass');
    await page.click('#user-add');
    await expect.poll(() => page.textContent('#users-status')).toMatch(/^已添加账号 editor7/);
    await page.locator('#users-list tr').nth(3).waitFor();

    // agent2 becomes an editor through the row's role list, then is disabled (asked in the page, not a dialog box).
    const agent2 = page.locator('#users-list tr', { hasText: 'agent2' });
    await agent2.locator('select').selectOption('editor');
    await expect.poll(() => page.textContent('#users-status')).toMatch(/^已保存账号 agent2/);
    await page.locator('#users-list tr', { hasText: 'agent2' }).locator('button', { hasText: '停用' }).click();
    expect(await page.textContent('#confirm-text')).toBe('停用账号 agent2？该账号将立即退出，无法再登录。');
    await page.click('#confirm-ok');
    await expect.poll(() => page.locator('#users-list tr', { hasText: 'agent2' }).textContent()).toContain('已停用');
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();

    const db = createPool(sut.config.DATABASE_URL, { max: 1 });
    try {
      const { rows } = await db.query(
        "SELECT username, role, disabled, updated_by FROM console_users WHERE username IN ('agent2', 'editor7') ORDER BY username",
      );
      expect(rows).toEqual([
        { username: 'agent2', role: 'editor', disabled: true, updated_by: 'admin' },
        { username: 'editor7', role: 'editor', disabled: false, updated_by: 'admin' },
      ]);
    } finally {
      await db.end();
    }

    // The new editor logs in: it reviews drafts (待审核) but manages no accounts.
    const editorContext = await browser.newContext();
    const editor = await watchedPage(editorContext);
    await logIn(editor.page, sut.console.url, 'editor7', 'editor7-pass');
    expect(await editor.page.isVisible('#manage-users')).toBe(false);
    expect(await editor.page.isVisible('.view[data-view="review"]')).toBe(true);
    expect(await editor.page.textContent('#whoami')).toBe('周敏（知识编辑）');
    await editorContext.close();
  });
});
