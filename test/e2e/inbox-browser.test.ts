import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, watchedPage, logInToConsole } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/inbox');
const desktop = { width: 1280, height: 800 };
const phone = { width: 360, height: 740 };

/**
 * Headless Chromium shows no desktop notifications and plays sound nobody hears: the page's calls are
 * counted instead (test code in the page, before its own scripts; the real APIs still run for sound).
 */
const alertsRecorder = `
window.__alerts = { chimes: 0, notifications: [] };
window.Notification = class {
  static permission = 'granted';
  static requestPermission() { return Promise.resolve('granted'); }
  constructor(title, options) { window.__alerts.notifications.push({ title, body: options && options.body }); }
};
const RealAudioContext = window.AudioContext;
window.AudioContext = class extends RealAudioContext {
  createOscillator() {
    const oscillator = super.createOscillator();
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (...args) => { window.__alerts.chimes += 1; return start(...args); };
    return oscillator;
  }
};`;

const logIn = logInToConsole;

/**
 * The inbox in real Chromium (Debian's, installed by scripts/setup-browser.sh), under the console's CSP:
 * what an agent picking up a conversation sees, replying with its states, views and alerts, a lost
 * connection, quick replies and dialogs in the page, and the same at 360 px. Screenshots go to
 * test/output/inbox/.
 */
describe('agent inbox in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;
  const bot = () => sut.simulator.wecomClient(sut.bot.id);
  const conversation = (asker: string) => `wecom/${sut.bot.id}/${asker}`;
  /** Sends as the asker and resolves with the bot's reply. */
  const ask = async (asker: string, text: string) => {
    const before = sut.simulator.wecom.sentTo(asker).at(-1)?.seq ?? 0;
    await bot().sendText(asker, text);
    return sut.simulator.wecom.nextMessageTo(asker, before);
  };
  const newContext = (viewport = desktop): Promise<BrowserContext> =>
    browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  it('shows the exchange before a 没用, why it was handed over, who asks and when; the reply box only while held; Enter sends, Shift+Enter breaks the line; sending → delivered', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    const answer = await ask('history-user', '怎么更改登录密码?');
    await ask('history-user', '没用');
    await sut.idle();

    await page.goto(sut.console.url);
    await page.fill('#login-username', 'agent1');
    await page.fill('#login-password', 'wrong-password');
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toMatch(/^账号或密码错误/);
    await page.fill('#login-password', 'answerbridge-demo');
    await page.press('#login-password', 'Enter');
    await page.locator('#app:not([hidden])').waitFor();
    // Nothing selected: no reply box, no actions.
    expect(await page.locator('#composer').isVisible()).toBe(false);
    expect(await page.textContent('#detail-title')).toBe('选择左侧的一个会话');
    const item = page.locator(`.queue-item[data-id="${conversation('history-user')}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('没用');
    expect(await item.textContent()).toContain('企业微信 · history-user');

    await item.click();
    await page.locator('#detail-title', { hasText: '企业微信 · history-user · 等待接入' }).waitFor();
    // Who is asking and why, in words.
    const info = await page.textContent('#asker-info');
    expect(info).toContain('渠道企业微信');
    expect(info).toContain('用户history-user');
    expect(info).toContain('会话单聊');
    expect(info).toContain('转人工原因用户表示机器人的回答没有帮助');
    expect(info).toMatch(/转人工时间\d{2}:\d{2}/);
    // The exchange before the handover: the question and the answer that did not help, with times and score.
    const earlier = page.locator('.entry.earlier');
    await expect.poll(() => earlier.count()).toBe(2);
    expect(await earlier.nth(0).textContent()).toContain('怎么更改登录密码?');
    expect(await earlier.nth(0).locator('.who').textContent()).toBe('用户');
    const botAnswer = earlier.nth(1);
    expect(await botAnswer.locator('.who').textContent()).toBe('机器人回答');
    expect(await botAnswer.locator('.text').textContent()).toBe(answer.content);
    expect(await botAnswer.locator('.score').textContent()).toMatch(/^匹配度 \d{1,3}%$/);
    expect(await botAnswer.locator('time').textContent()).toMatch(/^\d{2}:\d{2}$/);
    expect(await page.locator('.divider.escalated').textContent()).toMatch(
      /^\d{2}:\d{2} 转人工 · 用户表示机器人的回答没有帮助$/,
    );
    // Before claiming: no reply box.
    expect(await page.locator('#composer').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(screenshots, '1-history-before-claim.png') });

    const waitingSeq = sut.simulator.wecom.sentTo('history-user').at(-1)?.seq ?? 0;
    await page.locator('#claim:not([hidden])').click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    const joined = await sut.simulator.wecom.nextMessageTo('history-user', waitingSeq);
    expect(joined.content).toContain('小李');

    // Shift+Enter breaks the line; Enter sends both lines as one reply.
    await page.click('#reply-text');
    await page.keyboard.type('请先打开“修改密码”页面，');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('按提示输入旧密码和新密码。');
    expect(await page.inputValue('#reply-text')).toBe('请先打开“修改密码”页面，\n按提示输入旧密码和新密码。');
    // Hold the request a moment so "sending" can be seen before the server answers.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/reply', async (route) => {
      await held;
      await route.continue();
    });
    await page.keyboard.press('Enter');
    const sending = page.locator('.entry.agent.pending .delivery', { hasText: '发送中…' });
    await sending.waitFor();
    expect(await page.inputValue('#reply-text')).toBe('');
    release();
    const reply = await sut.simulator.wecom.nextMessageTo('history-user', joined.seq);
    expect(reply.content).toBe('请先打开“修改密码”页面，\n按提示输入旧密码和新密码。');
    await page.locator('.entry.agent .delivery', { hasText: '已送达' }).waitFor();
    expect(await page.locator('.entry.agent.pending').count()).toBe(0);
    expect(await page.locator('.entry.agent time').last().textContent()).toMatch(/^\d{2}:\d{2}$/);
    await page.screenshot({ path: path.join(screenshots, '2-replied.png') });

    await page.click('#resolve');
    await page.locator('#detail-title', { hasText: '已结束' }).waitFor();
    // After resolving: no reply box.
    expect(await page.locator('#composer').isVisible()).toBe(false);
    const closing = await sut.simulator.wecom.nextMessageTo('history-user', reply.seq);
    expect(closing.content).toContain('人工服务已结束');
    // The page ran under the console's CSP (no 'unsafe-inline') without anything refused, failing, or native.
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('shows a reply the channel refused as 发送失败 with 重试, and a retry delivers it', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await ask('retry-user', '我要转人工');
    await sut.idle();
    await logIn(page, sut.console.url, 'agent1');
    await page.locator(`.queue-item[data-id="${conversation('retry-user')}"]`).click();
    const before = sut.simulator.wecom.sentTo('retry-user').at(-1)?.seq ?? 0;
    await page.locator('#claim:not([hidden])').click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    const joined = await sut.simulator.wecom.nextMessageTo('retry-user', before);
    // WeCom refuses the next message/send for good (40003: invalid userid), then behaves again.
    sut.simulator.wecom.injectFaults({ errcode: 40003 });
    await page.fill('#reply-text', '这条第一次会发送失败');
    await page.click('#reply-send');
    const failed = page.locator('.entry.agent .delivery.failed', { hasText: '发送失败' });
    await failed.waitFor();
    await page.screenshot({ path: path.join(screenshots, '3-delivery-failed.png') });
    expect(sut.simulator.wecom.sentTo('retry-user').some((m) => m.content === '这条第一次会发送失败')).toBe(false);
    await failed.locator('button.retry').click();
    const retried = await sut.simulator.wecom.nextMessageTo('retry-user', joined.seq);
    expect(retried.content).toBe('这条第一次会发送失败');
    await page.locator('.entry.agent .delivery.sent', { hasText: '已送达' }).waitFor();
    // Too long a reply: refused in words, kept in the conversation, and 改一改 puts it back in the box.
    const long = '很长的回复'.repeat(401);
    await page.fill('#reply-text', long);
    await page.press('#reply-text', 'Enter');
    const refused = page.locator('.entry.agent.pending.failed');
    await refused.waitFor();
    expect(await refused.locator('.delivery').textContent()).toMatch(
      /^发送失败：输入有误（text is longer than 2000 characters）/,
    );
    expect(await refused.locator('.text').textContent()).toBe(long);
    await refused.locator('button.edit').click();
    expect(await page.inputValue('#reply-text')).toBe(long);
    expect(await page.locator('.entry.agent.pending').count()).toBe(0);
    expect(sut.simulator.wecom.sentTo('retry-user').some((m) => m.content === long)).toBe(false);
    // The failed one stays, marked as retried (no second retry of the same reply from it).
    expect(await page.locator('.entry.agent .delivery.failed').textContent()).toBe('发送失败已重试');
    expect(await page.locator('.entry.agent .delivery.failed button.retry').count()).toBe(0);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('keeps a refused reply in the conversation with its reason; nothing held elsewhere offers a reply box', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    // No live updates for this page: its view goes stale, as it does while an event is on its way.
    await page.route('**/api/events', (route) => route.abort());
    const agent2 = await ConsoleClient.login(sut.console.url, 'agent2');
    const agent1 = await ConsoleClient.login(sut.console.url, 'agent1');
    for (const asker of ['race-claim', 'race-reply']) await ask(asker, '我要转人工');
    await sut.idle();
    const claimRace = conversation('race-claim');
    const replyRace = conversation('race-reply');
    await logIn(page, sut.console.url, 'agent1');

    // agent2 claims first; agent1's page still offers 接入, and clicking it says why nothing happened.
    await page.locator(`.queue-item[data-id="${claimRace}"]`).click();
    await page.locator('#claim:not([hidden])').waitFor();
    expect((await agent2.call('POST', agent2.conversationPath(claimRace, 'claim'))).status).toBe(200);
    await page.click('#claim');
    await expect.poll(() => page.locator('#notice').isVisible()).toBe(true);
    expect(await page.textContent('#notice-text')).toMatch(
      /^操作未执行：此会话已由 小王 接入（already claimed by agent2）/,
    );
    // The refreshed view: held by agent2 (小王), so no reply box and none of the holder's buttons.
    await page.locator('#detail-title', { hasText: '处理中：小王' }).waitFor();
    for (const holderOnly of ['#composer', '#reply-send', '#resolve', '#handback', '#transfer', '#save-faq', '#claim'])
      expect(await page.locator(holderOnly).isVisible(), holderOnly).toBe(false);

    // agent1 holds a conversation; it is transferred away (from agent1's other tab); the reply is refused,
    // stays in the conversation as 发送失败 with the reason, and is not sent.
    expect((await agent1.call('POST', agent1.conversationPath(replyRace, 'claim'))).status).toBe(200);
    await page.locator('.view[data-view="mine"]').click();
    await page.locator(`.queue-item[data-id="${replyRace}"]`).click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    expect((await agent1.call('POST', agent1.conversationPath(replyRace, 'transfer'), { to: 'agent2' })).status).toBe(
      200,
    );
    await page.fill('#reply-text', '这条回复不该发出');
    await page.press('#reply-text', 'Enter');
    const refused = page.locator('.entry.agent.pending.failed');
    await refused.waitFor();
    expect(await refused.locator('.text').textContent()).toBe('这条回复不该发出');
    expect(await refused.locator('.delivery').textContent()).toMatch(
      /^发送失败：操作未执行：此会话正由 小王 处理（conversation is held by agent2）/,
    );
    await page.locator('#detail-title', { hasText: '处理中：小王' }).waitFor();
    expect(await page.locator('#composer').isVisible()).toBe(false);
    // Still there after the view refreshed: nothing typed is lost.
    expect(await page.locator('.entry.agent.pending.failed .text').textContent()).toBe('这条回复不该发出');
    await page.screenshot({ path: path.join(screenshots, '4-reply-refused.png') });
    expect(sut.simulator.wecom.sentTo('race-reply').map((m) => m.content)).not.toContain('这条回复不该发出');
    expect(trouble.errors).toEqual([]);
    expect(trouble.nativeDialogs).toEqual([]);
    await context.close();
  });

  it('has views waiting / mine / all (admins only); a new waiting conversation raises the title count, chimes and notifies', async () => {
    const context = await newContext();
    await context.addInitScript({ content: alertsRecorder });
    const { page, trouble } = await watchedPage(context);
    await logIn(page, sut.console.url, 'agent2');
    expect(await page.locator('.view[data-view="all"]').isVisible()).toBe(false);
    await page.locator('.view[data-view="mine"]').click();
    // agent2 holds race-claim and race-reply (the test before): mine lists exactly those it holds.
    const mineIds = await page
      .locator('#queue .queue-item')
      .evaluateAll((items) => items.map((i) => i.getAttribute('data-id')));
    expect(mineIds.sort()).toEqual([conversation('race-claim'), conversation('race-reply')].sort());
    await page.locator('.view[data-view="waiting"]').click();
    const waitingBefore = Number(await page.textContent('#count-waiting'));
    const titleBefore = await page.title();
    expect(titleBefore).toBe(waitingBefore ? `(${waitingBefore}) 人工客服工作台` : '人工客服工作台');

    await ask('new-arrival', '我要转人工，VPN 连不上');
    await page.locator(`.queue-item[data-id="${conversation('new-arrival')}"]`).waitFor();
    await expect.poll(() => page.title()).toBe(`(${waitingBefore + 1}) 人工客服工作台`);
    await expect.poll(() => page.textContent('#count-waiting')).toBe(String(waitingBefore + 1));
    // The chime and the notification follow the title in the same handler, after the sound context resumes.
    const readAlerts = () =>
      page.evaluate<{ chimes: number; notifications: { title: string; body: string }[] }>('window.__alerts');
    await expect.poll(async () => (await readAlerts()).chimes, { timeout: 10_000 }).toBe(1);
    const alerts = await readAlerts();
    expect(alerts.notifications).toEqual([
      { title: '新的转人工会话', body: '企业微信 · new-arrival：我要转人工，VPN 连不上' },
    ]);
    await page.screenshot({ path: path.join(screenshots, '5-new-waiting.png') });

    // An admin has the 全部 view: waiting and held alike.
    const adminContext = await newContext();
    const admin = await watchedPage(adminContext);
    await logIn(admin.page, sut.console.url, 'admin');
    expect(await admin.page.textContent('#whoami')).toBe('管理员');
    await admin.page.locator('.view[data-view="all"]').click();
    await admin.page.locator(`.queue-item[data-id="${conversation('race-claim')}"]`).waitFor();
    await admin.page.locator(`.queue-item[data-id="${conversation('new-arrival')}"]`).waitFor();
    expect(await admin.page.locator(`.queue-item[data-id="${conversation('race-claim')}"]`).textContent()).toContain(
      '客服 小王',
    );
    await admin.page.screenshot({ path: path.join(screenshots, '6-admin-all.png') });
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    expect(admin.trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await adminContext.close();
    await context.close();
  });

  it('shows a banner when the connection is lost, reconnects by itself and shows what arrived meanwhile', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await logIn(page, sut.console.url, 'agent1');
    await page.locator('#queue').waitFor();
    expect(await page.locator('#connection').isVisible()).toBe(false);
    // The console goes away (its live stream breaks) and new streams fail until it is back.
    await page.route('**/api/events', (route) => route.abort());
    await sut.restart();
    await page.locator('#connection').waitFor({ state: 'visible' });
    expect(await page.textContent('#connection')).toBe('与服务器的连接已断开，正在重新连接…');
    await page.screenshot({ path: path.join(screenshots, '7-connection-lost.png') });
    // Meanwhile someone is handed over: no event reaches this page.
    await ask('during-outage', '我要转人工');
    await sut.idle();
    expect(await page.locator(`.queue-item[data-id="${conversation('during-outage')}"]`).count()).toBe(0);
    await page.unroute('**/api/events');
    await page.locator('#connection').waitFor({ state: 'hidden' });
    await page.locator(`.queue-item[data-id="${conversation('during-outage')}"]`).waitFor();
    expect(trouble.errors).toEqual([]);
    await context.close();
  });

  it('lets an admin keep quick replies in a dialog (bad input says why and keeps the text); an agent inserts one; 保存为 FAQ is a dialog', async () => {
    const adminContext = await newContext();
    const admin = await watchedPage(adminContext);
    await logIn(admin.page, sut.console.url, 'admin');
    await admin.page.click('#manage-quick');
    await admin.page.locator('#quick-dialog[open]').waitFor();
    // Too long a title: refused with the reason; what was typed stays.
    // (The field stops typing at 40; a pasted or scripted longer title still reaches the server.)
    await admin.page.evaluate("document.getElementById('quick-title').removeAttribute('maxlength')");
    await admin.page.fill('#quick-title', '标'.repeat(41));
    await admin.page.fill('#quick-text', '您好，请稍等，我查一下。');
    await admin.page.click('#quick-save');
    await expect.poll(() => admin.page.textContent('#quick-error')).toMatch(/^输入有误（title is longer than 40/);
    expect(await admin.page.inputValue('#quick-text')).toBe('您好，请稍等，我查一下。');
    await admin.page.fill('#quick-title', '稍等');
    await admin.page.click('#quick-save');
    await admin.page.locator('.quick-item', { hasText: '稍等' }).waitFor();
    expect(await admin.page.inputValue('#quick-title')).toBe('');
    await admin.page.fill('#quick-title', '重置密码');
    await admin.page.fill('#quick-text', '请打开 https://id.example.com 重置密码。');
    await admin.page.click('#quick-save');
    await admin.page.locator('.quick-item', { hasText: '重置密码' }).waitFor();
    // Edit, then delete with an in-page confirmation (cancel first: nothing deleted).
    await admin.page.locator('.quick-item', { hasText: '稍等' }).locator('.quick-edit').click();
    await admin.page.fill('#quick-text', '您好，请稍等，我马上帮您查。');
    await admin.page.click('#quick-save');
    await admin.page.locator('.quick-item', { hasText: '我马上帮您查' }).waitFor();
    await admin.page.screenshot({ path: path.join(screenshots, '8-quick-replies.png') });
    await admin.page.locator('.quick-item', { hasText: '重置密码' }).locator('.quick-delete').click();
    await admin.page.locator('#confirm-dialog[open]').waitFor();
    expect(await admin.page.textContent('#confirm-text')).toBe('删除快捷回复“重置密码”？');
    await admin.page.click('#confirm-cancel');
    expect(await admin.page.locator('.quick-item', { hasText: '重置密码' }).count()).toBe(1);
    await admin.page.locator('.quick-item', { hasText: '重置密码' }).locator('.quick-delete').click();
    await admin.page.click('#confirm-ok');
    await admin.page.locator('.quick-item', { hasText: '重置密码' }).waitFor({ state: 'detached' });
    await admin.page.click('#quick-close');

    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await ask('quick-user', '我要转人工，想改邮箱签名');
    await sut.idle();
    await logIn(page, sut.console.url, 'agent1');
    await page.locator(`.queue-item[data-id="${conversation('quick-user')}"]`).click();
    await page.locator('#claim:not([hidden])').click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    expect(await page.locator('#manage-quick').isVisible()).toBe(false);
    await page.selectOption('#quick-reply', { label: '稍等' });
    expect(await page.inputValue('#reply-text')).toBe('您好，请稍等，我马上帮您查。');
    expect(await page.inputValue('#quick-reply')).toBe('');

    // 保存为 FAQ in a dialog: empty answer refused in the dialog, then a draft.
    await page.click('#save-faq');
    await page.locator('#faq-dialog[open]').waitFor();
    expect(await page.inputValue('#faq-question')).toBe('我要转人工，想改邮箱签名');
    await page.fill('#faq-question', '怎么修改邮箱签名？');
    await page.fill('#faq-answer', '');
    await page.click('#faq-save');
    expect(await page.textContent('#faq-error')).toBe('问题和答案都要填写。');
    await page.fill('#faq-answer', '在邮箱设置 → 签名 中修改。');
    await page.screenshot({ path: path.join(screenshots, '9-save-faq-dialog.png') });
    await page.click('#faq-save');
    await page.locator('#faq-dialog').waitFor({ state: 'hidden' });
    expect(await page.textContent('#notice-text')).toMatch(/^已提交 FAQ 草稿/);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    expect(admin.trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await adminContext.close();
    await context.close();
  });

  it('shows a second handover in time order: the first one, the exchange since, then the line where this one began', async () => {
    const agent = await ConsoleClient.login(sut.console.url, 'agent2');
    await ask('twice-user', '我要转人工');
    await sut.idle();
    expect((await agent.call('POST', agent.conversationPath(conversation('twice-user'), 'claim'))).status).toBe(200);
    expect((await agent.call('POST', agent.conversationPath(conversation('twice-user'), 'resolve'))).status).toBe(200);
    await sut.idle();
    await ask('twice-user', '怎么更改登录密码?');
    await ask('twice-user', '还是要找人工客服');
    await sut.idle();
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await logIn(page, sut.console.url, 'agent1');
    await page.locator(`.queue-item[data-id="${conversation('twice-user')}"]`).click();
    await page.locator('.divider.escalated').waitFor();
    const lines = await page
      .locator('#history > *')
      .evaluateAll((nodes) =>
        nodes.map((n) =>
          n.classList.contains('divider') ? `— ${n.className}` : (n.querySelector('.text')?.textContent ?? ''),
        ),
      );
    const at = (text: string) => lines.findIndex((l) => l === text);
    expect(lines[0]).toBe('— divider');
    expect(at('我要转人工')).toBeGreaterThan(0);
    expect(at('怎么更改登录密码?')).toBeGreaterThan(at('我要转人工'));
    expect(at('— divider escalated')).toBeGreaterThan(at('怎么更改登录密码?'));
    expect(at('还是要找人工客服')).toBeGreaterThan(at('— divider escalated'));
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('works on a phone 360 px wide: the list, then the conversation at full width with a way back', async () => {
    const context = await newContext(phone);
    const { page, trouble } = await watchedPage(context);
    await ask('phone-user', '怎么连公司 WiFi?');
    await ask('phone-user', '我要转人工');
    await sut.idle();
    await logIn(page, sut.console.url, 'agent1');
    const item = page.locator(`.queue-item[data-id="${conversation('phone-user')}"]`);
    await item.waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect((await item.boundingBox())?.width).toBeGreaterThan(330);
    await page.screenshot({ path: path.join(screenshots, '10-phone-list.png') });
    await item.click();
    await page.locator('#claim:not([hidden])').click();
    await page.locator('#composer').waitFor({ state: 'visible' });
    // The list gives way to the conversation, which gets the whole width.
    expect(await page.locator('aside').isVisible()).toBe(false);
    expect((await page.locator('#history').boundingBox())?.width).toBeGreaterThan(330);
    expect((await page.locator('#reply-text').boundingBox())?.width).toBeGreaterThan(220);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await page.locator('.entry.earlier').count()).toBeGreaterThanOrEqual(2);
    await page.fill('#reply-text', '您好，我来帮您看看。');
    await page.press('#reply-text', 'Enter');
    await page.locator('.entry.agent .delivery', { hasText: '已送达' }).waitFor();
    // The composer and the send button are on screen, not pushed below it.
    const send = await page.locator('#reply-send').boundingBox();
    expect(send && send.y + send.height).toBeLessThanOrEqual(phone.height);
    expect(send && send.x + send.width).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: path.join(screenshots, '11-phone-conversation.png') });
    // The dialogs fit the phone too.
    await page.click('#save-faq');
    const dialog = await page.locator('#faq-dialog[open]').boundingBox();
    expect(dialog && dialog.x).toBeGreaterThanOrEqual(0);
    expect(dialog && dialog.x + dialog.width).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: path.join(screenshots, '12-phone-faq-dialog.png') });
    await page.click('#faq-cancel');
    await page.locator('#faq-dialog').waitFor({ state: 'hidden' });
    await page.click('#back');
    await item.waitFor();
    expect(await page.locator('#detail').isVisible()).toBe(false);
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('runs bull-board under its narrow CSP: the app renders; only the Google Fonts stylesheet is refused', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await logIn(page, sut.console.url, 'admin');
    await page.goto(`${sut.console.url}/admin/queues`);
    await page.getByText('inbound', { exact: false }).first().waitFor();
    await page.screenshot({ path: path.join(screenshots, '13-bull-board.png') });
    expect(trouble.errors).toEqual([]);
    expect(trouble.violations.filter((v) => !v.includes('fonts.googleapis.com'))).toEqual([]);
    // The one refusal is seen, so the watcher works (and "no violations" above means something).
    expect(trouble.violations.some((v) => v.includes('fonts.googleapis.com'))).toBe(true);
    await context.close();
  });
});
