import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/inbox');

/** What the page's CSP refused, and script errors: collected from the first document on. */
interface PageTrouble {
  violations: string[];
  errors: string[];
}

async function watchedPage(context: BrowserContext): Promise<{ page: Page; trouble: PageTrouble }> {
  const page = await context.newPage();
  const trouble: PageTrouble = { violations: [], errors: [] };
  await page.exposeFunction('__reportViolation', (text: string) => void trouble.violations.push(text));
  // Runs in the page before its own scripts (test code, not the page's: the CSP does not apply to it).
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => window.__reportViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content[ -]Security[ -]Policy/i.test(m.text())) trouble.violations.push(m.text());
  });
  page.on('pageerror', (e) => void trouble.errors.push(e.message));
  return { page, trouble };
}

async function logIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.fill('#login-username', username);
  await page.fill('#login-password', 'answerbridge-demo');
  await page.click('#login-submit');
  await page.locator('#app:not([hidden])').waitFor();
}

/**
 * The inbox in real Chromium (Debian's, installed by scripts/setup-browser.sh; playwright-core never
 * downloads a browser), under the console's CSP: log in, claim, reply, resolve; what an agent may not do
 * is neither offered nor silent. Screenshots go to test/output/inbox/.
 */
describe('agent inbox in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;

  beforeAll(async () => {
    const setup = spawnSync('bash', [path.join(workspaceRoot, 'scripts/setup-browser.sh')], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`scripts/setup-browser.sh failed:\n${setup.stderr}`);
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    browser = await chromium.launch({
      executablePath: setup.stdout.trim(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('logs in, claims a waiting conversation, replies through WeCom, and resolves it, with no CSP violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await sut.simulator.wecomClient(sut.bot.id).sendText('browseruser', '我要转人工，打印机一直卡纸');
    const escalated = await sut.simulator.wecom.nextMessageTo('browseruser');

    await page.goto(sut.console.url);
    await page.fill('#login-username', 'agent1');
    await page.fill('#login-password', 'wrong-password');
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toMatch(/^账号或密码错误/);
    await page.fill('#login-password', 'answerbridge-demo');
    await page.press('#login-password', 'Enter');
    const item = page.locator(`.queue-item[data-id="wecom/${sut.bot.id}/browseruser"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('打印机一直卡纸');
    await page.screenshot({ path: path.join(screenshots, '1-queue.png') });

    await item.click();
    await page.locator('#claim:not([hidden])').click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    const joined = await sut.simulator.wecom.nextMessageTo('browseruser', escalated.seq);
    expect(joined.content).toContain('小李');

    await page.fill('#reply-text', '请先打开打印机前盖取出卡住的纸，再重启打印机。');
    await page.click('#reply-send');
    const reply = await sut.simulator.wecom.nextMessageTo('browseruser', joined.seq);
    expect(reply.content).toBe('请先打开打印机前盖取出卡住的纸，再重启打印机。');
    await page.locator('.entry.agent .delivery', { hasText: '已送达' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, '2-replied.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(screenshots, '2-replied-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.click('#resolve');
    await page.locator('#detail-title', { hasText: '已结束' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, '3-resolved.png') });
    const closing = await sut.simulator.wecom.nextMessageTo('browseruser', reply.seq);
    expect(closing.content).toContain('人工服务已结束');
    // The page ran under the console's CSP (no 'unsafe-inline') without anything refused or failing.
    expect(trouble).toEqual({ violations: [], errors: [] });
    await context.close();
  });

  it('hides the reply box on a conversation another agent holds, and shows a refused action in the page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    // No live updates for this page: its view goes stale, as it does while an event is on its way.
    await page.route('**/api/events', (route) => route.abort());
    const agent2 = await ConsoleClient.login(sut.console.url, 'agent2');
    const agent1 = await ConsoleClient.login(sut.console.url, 'agent1');
    for (const asker of ['held-elsewhere', 'race-claim', 'race-reply']) {
      await sut.simulator.wecomClient(sut.bot.id).sendText(asker, '我要转人工');
      await sut.simulator.wecom.nextMessageTo(asker);
    }
    await sut.idle();
    const claimRace = `wecom/${sut.bot.id}/race-claim`;
    const replyRace = `wecom/${sut.bot.id}/race-reply`;
    const heldElsewhere = `wecom/${sut.bot.id}/held-elsewhere`;
    expect((await agent2.call('POST', agent2.conversationPath(heldElsewhere, 'claim'))).status).toBe(200);
    await logIn(page, sut.console.url, 'agent1');

    // A conversation agent2 holds: agent1 sees it, but gets no reply box and none of the holder's buttons.
    await page.locator(`.queue-item[data-id="${heldElsewhere}"]`).click();
    await page.locator('#detail-title', { hasText: `企业微信 · held-elsewhere · 处理中：agent2` }).waitFor();
    for (const holderOnly of [
      '#composer',
      '#reply-send',
      '#resolve',
      '#handback',
      '#transfer',
      '#save-faq',
      '#claim',
    ]) {
      expect(await page.locator(holderOnly).isVisible(), holderOnly).toBe(false);
    }

    // agent2 claims first; agent1's page still offers 接入, and clicking it says why nothing happened.
    await page.locator(`.queue-item[data-id="${claimRace}"]`).click();
    await page.locator('#claim:not([hidden])').waitFor();
    expect((await agent2.call('POST', agent2.conversationPath(claimRace, 'claim'))).status).toBe(200);
    await page.click('#claim');
    await expect.poll(() => page.locator('#notice').isVisible()).toBe(true);
    expect(await page.textContent('#notice-text')).toMatch(/^操作未执行：会话已由其他客服处理/);
    // The refreshed view: held by agent2, so no reply box and none of the holder's buttons.
    await page.locator('#detail-title', { hasText: '处理中：agent2' }).waitFor();
    expect(await page.locator('#composer').isVisible()).toBe(false);
    expect(await page.locator('#resolve').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(screenshots, '4-held-by-another.png') });

    // agent1 holds a conversation; it is transferred away (from agent1's other tab); the reply is refused, visibly.
    expect((await agent1.call('POST', agent1.conversationPath(replyRace, 'claim'))).status).toBe(200);
    await page.locator(`.queue-item[data-id="${replyRace}"]`).click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    expect(await page.locator('#notice').isVisible()).toBe(false);
    expect((await agent1.call('POST', agent1.conversationPath(replyRace, 'transfer'), { to: 'agent2' })).status).toBe(
      200,
    );
    await page.fill('#reply-text', '这条回复不该发出');
    await page.click('#reply-send');
    await expect.poll(() => page.locator('#notice').isVisible()).toBe(true);
    expect(await page.textContent('#notice-text')).toMatch(/^操作未执行：.*held by agent2/);
    await page.locator('#detail-title', { hasText: '处理中：agent2' }).waitFor();
    expect(await page.locator('#composer').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(screenshots, '5-reply-refused.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(screenshots, '5-reply-refused-phone.png'), fullPage: true });
    expect(sut.simulator.wecom.sentTo('race-reply').map((m) => m.content)).not.toContain('这条回复不该发出');
    expect(trouble.errors).toEqual([]);
    await context.close();
  });

  it('runs bull-board under its narrow CSP: the app renders; only the Google Fonts stylesheet is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const { page, trouble } = await watchedPage(context);
    await logIn(page, sut.console.url, 'admin');
    await page.goto(`${sut.console.url}/admin/queues`);
    await page.getByText('inbound', { exact: false }).first().waitFor();
    await page.screenshot({ path: path.join(screenshots, '6-bull-board.png') });
    expect(trouble.errors).toEqual([]);
    expect(trouble.violations.filter((v) => !v.includes('fonts.googleapis.com'))).toEqual([]);
    // The one refusal is seen, so the watcher works (and "no violations" above means something).
    expect(trouble.violations.some((v) => v.includes('fonts.googleapis.com'))).toBe(true);
    await context.close();
  });
});
