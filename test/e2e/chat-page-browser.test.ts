import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@answerbridge/config';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import { bootstrap as startGateway, type RunningGateway } from '@answerbridge/gateway';
import { workspaceRoot } from '@answerbridge/testing';
import { ConsoleClient } from '../support/console-client';
import { horizontalOverflow, launchChromium, watchedPage } from '../support/chromium-page';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/chat-page');
const desktop = { width: 1100, height: 760 };
const phone = { width: 360, height: 740 };

/**
 * The demo chat page (the simulator's) in Chromium: your message shows at once with its state, replies
 * land below what they answer, a gateway that is down is said in words (and a retry goes through once it
 * is back), DingTalk group chats show the group and the @, and it fits a phone.
 */
describe('demo chat page in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;
  let streamBot: DingTalkBotConfig;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    sut = await startSystem({}, (botId) => [
      {
        id: `${botId}d`,
        channel: 'dingtalk',
        clientId: `ding${botId}d`,
        clientSecret: `secret-${botId}-d`,
        mode: 'stream',
        robotName: '答疑助手',
        knowledgeBase: botId,
        language: 'zh',
      },
    ]);
    streamBot = sut.config.bots.find((b) => b.channel === 'dingtalk') as DingTalkBotConfig;
    await Promise.all(sut.gateway.connections.map(({ connection }) => connection.ready?.()));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  const newContext = (viewport = desktop): Promise<BrowserContext> =>
    browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

  async function open(page: Page, user: string, botId = sut.bot.id, group = ''): Promise<void> {
    await page.goto(sut.simulator.url);
    await page.locator(`#bot option[value="${botId}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#bot', botId);
    await page.fill('#user', user);
    // The group field is DingTalk's only (WeCom's simulator has direct chats): disabled otherwise.
    if (group) await page.fill('#group', group);
    else expect(await page.locator('#group').isDisabled()).toBe(true);
  }
  /** The chat as it reads top to bottom: [class, text, status]. */
  const transcript = (page: Page) =>
    page
      .locator('#log .msg')
      .evaluateAll((nodes) =>
        nodes.map((n) => [n.className, n.textContent ?? '', n.getAttribute('data-status') ?? '']),
      );

  it('shows my message at once as 发送中…, then 已发送, and the reply below it even when the reply comes first', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await open(page, 'order-user');
    expect(await page.textContent('#chat-title')).toBe(`企业微信 · order-user 与 ${sut.bot.id} 单聊`);
    // The simulator's answer to the page is held until the bot's reply has gone out: the reply reaches
    // the page first, as it can on a slow network.
    let sawSending = false;
    await page.route('**/api/chat', async (route) => {
      const response = await route.fetch();
      await sut.simulator.wecom.nextMessageTo('order-user');
      await page.locator('.msg.bot').waitFor();
      sawSending = (await page.locator('.msg.me').getAttribute('data-status')) === 'sending';
      await route.fulfill({ response });
    });
    await page.fill('#text', '怎么更改登录密码?');
    await page.press('#text', 'Enter');
    await page.locator('.msg.me[data-status="sent"]').waitFor();
    expect(sawSending).toBe(true);
    const lines = await transcript(page);
    expect(lines[0]).toEqual(['msg me', '怎么更改登录密码?', 'sent']);
    expect(lines[1]?.[0]).toBe('msg bot');
    expect(lines[1]?.[1]).toContain('修改密码');
    expect(await page.locator('.meta.mine .status').textContent()).toBe('已发送');
    await page.unroute('**/api/chat');
    await page.screenshot({ path: path.join(screenshots, '1-sent-and-answered.png') });
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('says so when the gateway is down, keeps the message, and 重试 sends it once the gateway is back', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await open(page, 'down-user');
    await sut.gateway.close();
    let gateway: RunningGateway | null = null;
    try {
      await page.fill('#text', '工卡丢了怎么办');
      await page.press('#text', 'Enter');
      const failed = page.locator('.meta.mine .status.failed');
      await failed.waitFor();
      expect(await failed.textContent()).toMatch(/^发送失败：网关没有响应（http:\/\/127\.0\.0\.1:\d+），消息没有送达/);
      expect(await page.locator('.msg.me').textContent()).toBe('工卡丢了怎么办');
      await page.screenshot({ path: path.join(screenshots, '2-gateway-down.png') });

      gateway = await startGateway(loadConfig(sut.env, {}));
      sut.gateway = gateway;
      await Promise.all(gateway.connections.map(({ connection }) => connection.ready?.()));
      await page.locator('.meta.mine button', { hasText: '重试' }).click();
      await page.locator('.msg.me[data-status="sent"]').waitFor();
      await page.locator('.msg.bot', { hasText: '挂失' }).waitFor();
      expect((await transcript(page)).map(([cls]) => cls)).toEqual(['msg me', 'msg bot']);
    } finally {
      if (!gateway) sut.gateway = await startGateway(loadConfig(sut.env, {}));
    }

    // The simulator itself gone (the page cannot reach it): said as well.
    await page.route('**/api/chat', (route) => route.abort());
    await page.fill('#text', '还在吗');
    await page.press('#text', 'Enter');
    await page.locator('.meta.mine .status.failed', { hasText: '模拟器没有响应' }).waitFor();
    // Bad input is refused in words, the message kept on screen.
    await page.unroute('**/api/chat');
    await page.fill('#user', '');
    await page.fill('#text', '没有用户名');
    await page.press('#text', 'Enter');
    await page.locator('.meta.mine .status.failed', { hasText: '请填写用户' }).waitFor();
    expect(await page.locator('.msg.me').last().textContent()).toBe('没有用户名');
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('refuses bad input to /api/chat in words, and sends nothing', async () => {
    const sentBefore = sut.simulator.wecom.sent.length;
    const post = (body: string) =>
      fetch(`${sut.simulator.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    for (const [body, error, message] of [
      [{ botId: sut.bot.id, text: '你好' }, 'CHAT.NO_USER', '请填写用户（发消息的人的账号）。'],
      [{ botId: sut.bot.id, from: 'u', text: '   ' }, 'CHAT.NO_TEXT', '消息是空的。'],
      [{ botId: 'nope', from: 'u', text: '你好' }, 'CHAT.NO_BOT', '没有这个机器人：nope。'],
      [
        { botId: streamBot.id, from: 'u', text: '你好', group: '群'.repeat(65) },
        'CHAT.BAD_GROUP',
        '群聊名称最多 64 个字。',
      ],
    ] as const) {
      const res = await post(JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toEqual({ ok: false, error, message });
    }
    const notJson = await post('{"botId":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      ok: false,
      error: 'CHAT.BAD_REQUEST',
      message: '请求格式有误（需要 JSON）。',
    });
    expect(sut.simulator.wecom.sent.length).toBe(sentBefore);
  });

  it('shows a DingTalk group chat with the group and the @, on a phone 360 px wide', async () => {
    const context = await newContext(phone);
    const { page, trouble } = await watchedPage(context);
    await open(page, 'lisi', streamBot.id, '产品部');
    expect(await page.textContent('#chat-title')).toBe('钉钉 · 群聊「产品部」 · lisi 发言时 @答疑助手');
    await page.fill('#text', '年假有几天？');
    await page.press('#text', 'Enter');
    await page.locator('.msg.me[data-status="sent"]').waitFor();
    expect(await page.locator('.msg.me .mention').textContent()).toBe('@答疑助手 ');
    expect(await page.locator('.msg.me').textContent()).toBe('@答疑助手 年假有几天？');
    const reply = page.locator('.msg.bot');
    await reply.waitFor();
    expect(await reply.locator('.mention').first().textContent()).toBe('@lisi ');
    expect(await reply.textContent()).toContain('年假');
    // Someone else's direct chat with the same bot does not show in the group.
    sut.simulator.dingtalk.push(streamBot.id, { from: 'wangwu', text: '怎么更改登录密码?' });
    await sut.simulator.dingtalk.nextMessageTo('wangwu');
    await sut.idle();
    expect(await page.locator('.msg.bot').count()).toBe(1);

    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const input = await page.locator('#text').boundingBox();
    const send = await page.locator('#form button').boundingBox();
    expect(input && input.width).toBeGreaterThan(200);
    expect(send && send.x + send.width).toBeLessThanOrEqual(phone.width);
    expect(send && send.y + send.height).toBeLessThanOrEqual(phone.height);
    await page.screenshot({ path: path.join(screenshots, '3-group-phone.png') });

    // Handed over from the group: the inbox is told it is a group chat, and which group.
    await page.fill('#text', '我要转人工');
    await page.press('#text', 'Enter');
    await page.locator('.msg.bot').nth(1).waitFor();
    await sut.idle();
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    const groupId = `cid${Buffer.from('产品部').toString('base64')}`;
    const handedOver = await agent.call<{ chatType: string; group: string | null; asker: string; channel: string }>(
      'GET',
      agent.conversationPath(`dingtalk/${streamBot.id}/${groupId}/lisi`),
    );
    expect(handedOver).toMatchObject({
      status: 200,
      body: { chatType: 'group', group: groupId, asker: 'lisi', channel: 'dingtalk' },
    });
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });
});
