import { mkdirSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, logInToConsole, watchedPage } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/knowledge');

/**
 * Issue 14's done-criterion for import, in Chromium on the real parts: an editor imports an .xlsx, previews it,
 * publishes it and hit-tests a new entry's question, which the bot then answers; a GBK CSV (as Excel on Chinese
 * Windows saves it) imports without a garbled character. On a desktop and at 360 px, under the console's CSP.
 */
describe('importing an FAQ file in the knowledge page (导入), in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    await ConsoleClient.createAccount(sut.console.url, {
      username: 'editor1',
      displayName: '编辑小周',
      role: 'editor',
      password: 'editor1-password',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  async function openImportTab(page: Page) {
    await logInToConsole(page, sut.console.url, 'editor1', 'editor1-password');
    await page.goto(`${sut.console.url}/knowledge/`);
    await page.locator('#app:not([hidden])').waitFor();
    await page.click('.tab[data-tab="import"]');
    await page.locator('#import:not([hidden])').waitFor();
  }

  async function previewFile(page: Page, name: string, buffer: Buffer, mode: 'upsert' | 'append' | 'replace') {
    await page.setInputFiles('#import-file', { name, mimeType: 'application/octet-stream', buffer });
    await page.check(`input[name="import-mode"][value="${mode}"]`);
    await page.click('#import-preview');
    await page.locator('#import-result:not([hidden])').waitFor();
  }

  const countOf = (page: Page, kind: string) =>
    page.getAttribute(`#import-counts [data-count="${kind}"]`, 'data-n').then(Number);

  async function publishShown(page: Page) {
    await page.click('#import-publish');
    await page.locator('#import-confirm:not([hidden])').waitFor();
    await page.click('#import-confirm-yes');
    await expect.poll(() => page.textContent('#import-status'), { timeout: 60_000 }).toMatch(/^已发布 v\d+/);
  }

  it('an editor imports an .xlsx, previews and publishes it, and the bot answers its new question in hit testing (desktop)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('常见问题');
    sheet.addRow(['问题', '答案', '相似问题', '分类', '标签']);
    sheet.addRow(['食堂几点开饭？', '午餐 11:30–13:00，晚餐 17:30–19:00。', '午饭几点\n晚饭几点', '行政', '食堂']);
    sheet.addRow([null, null, '食堂开放时间']);
    sheet.addRow(['快递寄到哪里？', '寄到一楼前台，写清部门和姓名。', null, '行政', null]);
    sheet.addRow([
      '如何修改登录密码？',
      '登录门户，点右上角头像，选「修改密码」。新密码至少 12 位。',
      null,
      null,
      null,
    ]);
    sheet.addRow(['只有问题', null, null, null, null]);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await openImportTab(page);
    expect(await page.textContent('#version')).toBe('当前版本 v1');
    // 全部替换 is explained in red: it removes what the file lacks.
    expect(await page.textContent('#mode-replace-hint')).toMatch(/文件里没有的条目会从知识库中删除/);
    expect(await page.evaluate<string>("getComputedStyle(document.getElementById('mode-replace-hint')).color")).toBe(
      'rgb(180, 35, 24)',
    );

    await previewFile(page, '行政常见问题.xlsx', xlsx, 'upsert');
    expect(await countOf(page, 'added')).toBe(2);
    expect(await countOf(page, 'changed')).toBe(1);
    expect(await countOf(page, 'removed')).toBe(0);
    expect(await page.textContent('#import-summary')).toMatch(
      /^行政常见问题\.xlsx：共读到 3 条。发布后知识库共 38 条。/,
    );
    expect(await page.textContent('.import-added')).toContain('食堂几点开饭？');
    expect(await page.textContent('.import-added')).toContain('相似问题 3 个');
    const changed = await page.textContent('.import-changed');
    expect(changed).toContain('如何修改登录密码？');
    expect(changed).toMatch(/答案.*→.*新密码至少 12 位/s);
    // The row that cannot be imported is shown with its row and what is wrong, before anything is published.
    expect(await page.textContent('.import-issues')).toMatch(/工作表「常见问题」 第 6 行「只有问题」没有答案/);
    expect(await page.isHidden('#import-removed-warning')).toBe(true);
    await page.screenshot({ path: path.join(screenshots, 'import-preview-desktop.png'), fullPage: true });

    await publishShown(page);
    expect(await page.textContent('#import-status')).toMatch(/^已发布 v2：新增 2 条，修改 1 条，删除 0 条。/);
    expect(await page.textContent('#version')).toBe('当前版本 v2');
    expect(await page.isHidden('#import-result')).toBe(true);
    await page.screenshot({ path: path.join(screenshots, 'import-published-desktop.png'), fullPage: true });

    // 命中测试: the new entry's question is answered from the version just published.
    await page.click('.tab[data-tab="hit-test"]');
    await page.fill('#hit-test-question', '食堂几点开饭');
    await page.click('#hit-test-run');
    await page.locator('#hit-test-result:not([hidden])').waitFor();
    expect(await page.textContent('#decision-kind')).toBe('直接回答');
    expect(await page.textContent('#decision-reply')).toBe('午餐 11:30–13:00，晚餐 17:30–19:00。');
    expect(await page.textContent('#candidates tbody tr.chosen')).toContain('食堂几点开饭？');
    await page.screenshot({ path: path.join(screenshots, 'import-hit-test-desktop.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('a GBK CSV imports without a garbled character, and 全部替换 warns in red what it removes (360 px)', async () => {
    const gbk = iconv.encode(
      '问题,答案,相似问题\n' +
        '停车怎么登记？,在行政系统登记车牌，审批后自动放行。,车牌登记|访客停车\n' +
        '快递寄到哪里？,寄到二楼收发室，写清部门和姓名。,\n',
      'gbk',
    );
    expect(gbk.includes(Buffer.from('停车', 'utf8'))).toBe(false); // really GBK bytes, not UTF-8

    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await openImportTab(page);

    // Replacing with a two-row file would remove the rest: the page says so, in red, before anything happens.
    await previewFile(page, '行政.csv', gbk, 'replace');
    expect(await countOf(page, 'removed')).toBe(37);
    expect(await page.textContent('#import-removed-warning')).toMatch(/^注意：发布后这 37 个条目会从知识库删除/);
    await page.click('#import-publish');
    expect(await page.textContent('#import-confirm-text')).toMatch(/^确认发布？将删除 37 个条目/);
    await page.screenshot({ path: path.join(screenshots, 'import-replace-phone.png'), fullPage: true });
    await page.click('#import-confirm-no');

    // 更新或新增 instead: choosing another mode drops the preview; the file is previewed again.
    await previewFile(page, '行政.csv', gbk, 'upsert');
    expect(await page.isHidden('#import-removed-warning')).toBe(true);
    const shown = (await page.textContent('#import-result')) ?? '';
    expect(shown).not.toContain('\uFFFD');
    expect(shown).toContain('停车怎么登记？');
    expect(shown).toContain('在行政系统登记车牌，审批后自动放行。');
    expect(shown).toContain('寄到二楼收发室，写清部门和姓名。');
    expect(await page.textContent('#import-summary')).toContain('文件编码：GB18030');
    expect(await countOf(page, 'added')).toBe(1);
    expect(await countOf(page, 'changed')).toBe(1);
    await page.screenshot({ path: path.join(screenshots, 'import-gbk-phone.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    await publishShown(page);
    expect(await page.textContent('#version')).toBe('当前版本 v3');
    await page.click('.tab[data-tab="hit-test"]');
    await page.fill('#hit-test-question', '停车怎么登记？');
    await page.click('#hit-test-run');
    await page.locator('#hit-test-result:not([hidden])').waitFor();
    expect(await page.textContent('#decision-reply')).toBe('在行政系统登记车牌，审批后自动放行。');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });
});
