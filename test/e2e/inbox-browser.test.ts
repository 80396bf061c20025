import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/inbox');

/**
 * The inbox in real Chromium (Debian's, installed by scripts/setup-browser.sh; playwright-core never
 * downloads a browser): log in, claim, reply, resolve. Screenshots go to test/output/inbox/.
 */
describe('agent inbox in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const setup = spawnSync('bash', [path.join(workspaceRoot, 'scripts/setup-browser.sh')], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`scripts/setup-browser.sh failed:\n${setup.stderr}`);
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    browser = await chromium.launch({
      executablePath: setup.stdout.trim(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('logs in, claims a waiting conversation, replies through WeCom, and resolves it', async () => {
    await sut.simulator.wecomClient(sut.bot.id).sendText('browseruser', '我要转人工，打印机一直卡纸');
    const escalated = await sut.simulator.wecom.nextMessageTo('browseruser');

    await page.goto(sut.console.url);
    await page.fill('#login-username', 'agent1');
    await page.fill('#login-password', 'wrong-password');
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toBe('账号或密码错误');
    await page.fill('#login-password', 'answerbridge-demo');
    await page.click('#login-submit');
    const item = page.locator(`.queue-item[data-id="wecom/${sut.bot.id}/browseruser"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('打印机一直卡纸');
    await page.screenshot({ path: path.join(screenshots, '1-queue.png') });

    await item.click();
    await page.locator('#claim:not([hidden])').click();
    await page.locator('#composer:not([hidden])').waitFor();
    const joined = await sut.simulator.wecom.nextMessageTo('browseruser', escalated.seq);
    expect(joined.content).toContain('小李');

    await page.fill('#reply-text', '请先打开打印机前盖取出卡住的纸，再重启打印机。');
    await page.click('#reply-send');
    const reply = await sut.simulator.wecom.nextMessageTo('browseruser', joined.seq);
    expect(reply.content).toBe('请先打开打印机前盖取出卡住的纸，再重启打印机。');
    await page.locator('.entry.agent .delivery', { hasText: '已送达' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, '2-replied.png') });

    await page.click('#resolve');
    await page.locator('#detail-title', { hasText: '已结束' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, '3-resolved.png') });
    const closing = await sut.simulator.wecom.nextMessageTo('browseruser', reply.seq);
    expect(closing.content).toContain('人工服务已结束');
  });
});
