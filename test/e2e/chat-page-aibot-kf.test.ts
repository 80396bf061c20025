import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibotMessages } from '@answerbridge/channel-wecom-aibot';
import { loadConfig } from '@answerbridge/config';
import { bootstrap as startGateway } from '@answerbridge/gateway';
import { loadFaqFile } from '@answerbridge/knowledge';
import { freePort, workspaceRoot } from '@answerbridge/testing';
import { horizontalOverflow, launchChromium, watchedPage } from '../support/chromium-page';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const screenshots = path.join(workspaceRoot, 'test/output/chat-page');
const desktop = { width: 1100, height: 760 };
const phone = { width: 360, height: 740 };
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

const faq = loadFaqFile(sampleFaqPath);
const answerOf = (fragment: string) => {
  const entry = faq.find((e) => e.question.includes(fragment));
  if (!entry) throw new Error(`no FAQ entry with "${fragment}"`);
  return entry.answer;
};

/**
 * The demo chat page in Chromium with the two newer kinds of bot: the WeCom AI bot (智能机器人), whose
 * streamed reply grows in one bubble (the placeholder, then the answer), directly and in a group that
 * @mentions it; and 微信客服, where the person is an external customer. Real gateway, worker and Redis;
 * the simulator app hosts both simulators, as in `npm run dev`.
 */
describe('demo chat page with the AI bot and 微信客服 in Chromium', () => {
  let sut: SystemUnderTest;
  let browser: Browser;
  let aibotId: string;
  let kfId: string;
  let wsId: string;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The simulator's address is known before it starts: the gateway's AI bot and kf settings point at it.
    const simulatorPort = await freePort();
    const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
    sut = await startSystem(
      {
        SIMULATOR_PORT: String(simulatorPort),
        WECOM_AIBOT_RESPONSE_ORIGINS: simulatorUrl,
        WECOM_AIBOT_WS_URL: `ws://127.0.0.1:${simulatorPort}/aibot`,
        WECOM_KF_API_BASE_URL: simulatorUrl,
      },
      (botId) => {
        aibotId = `${botId}a`;
        kfId = `${botId}k`;
        wsId = `${botId}w`;
        return [
          {
            id: aibotId,
            channel: 'wecom-aibot',
            mode: 'http',
            token: 'pageAibotToken',
            encodingAesKey: KEY,
            knowledgeBase: botId,
            language: 'zh',
          },
          {
            id: wsId,
            channel: 'wecom-aibot',
            mode: 'ws',
            aibotId: `aib${botId}`,
            secret: 'pageWsSecret',
            knowledgeBase: botId,
            language: 'zh',
          },
          {
            id: kfId,
            channel: 'wecom-kf',
            corpId: 'wwpagekfcorp',
            agentId: 1000031,
            secret: 'page-kf-secret',
            token: 'pageKfToken',
            encodingAesKey: KEY,
            openKfId: `wk${botId}`,
            knowledgeBase: botId,
            language: 'zh',
          },
        ];
      },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sut?.stop();
  });

  const newContext = (viewport = desktop): Promise<BrowserContext> =>
    browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });

  async function open(page: Page, user: string, botId: string, group = ''): Promise<void> {
    await page.goto(sut.simulator.url);
    await page.locator(`#bot option[value="${botId}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#bot', botId);
    await page.fill('#user', user);
    if (group) await page.fill('#group', group);
  }
  /**
   * Every text a bot bubble showed, in order, replaced ones included (recorded as they are added). Run in
   * the page as a string: the tests' TypeScript has no DOM types.
   */
  const recordBotBubbles = (page: Page) =>
    page.evaluate(`(() => {
      const seen = (window.seen = []);
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes) if (n.matches && n.matches('.msg.bot')) seen.push(n.textContent);
      }).observe(document.getElementById('log'), { childList: true });
    })()`);
  const botBubblesSeen = (page: Page) => page.evaluate('window.seen') as Promise<string[]>;

  it('lists all four kinds of bot by the names people use', async () => {
    const bots = (await (await fetch(`${sut.simulator.url}/api/bots`)).json()) as {
      id: string;
      channelName: string;
    }[];
    expect(bots.map((b) => [b.id, b.channelName])).toEqual([
      [sut.bot.id, '企业微信'],
      [aibotId, '企业微信智能机器人'],
      [wsId, '企业微信智能机器人'],
      [kfId, '微信客服'],
    ]);
  });

  it('shows the AI bot reply growing in one bubble: the placeholder, then the answer', async () => {
    const context = await newContext();
    const { page, trouble } = await watchedPage(context);
    await open(page, 'wangwu', aibotId);
    expect(await page.textContent('#chat-title')).toBe('企业微信智能机器人 · wangwu 与 智能助手 单聊');
    // The AI bot has group chats: the group field is open.
    expect(await page.locator('#group').isDisabled()).toBe(false);
    await recordBotBubbles(page);
    await page.fill('#text', '怎么更改登录密码?');
    await page.press('#text', 'Enter');
    await page.locator('.msg.me[data-status="sent"]').waitFor();
    await page.locator('.msg.bot[data-finished="true"]').waitFor();
    const answer = answerOf('修改登录密码');
    expect(await page.locator('.msg.bot').textContent()).toBe(answer);
    // One bubble on screen, which first showed the placeholder.
    expect(await page.locator('.msg.bot').count()).toBe(1);
    const seen = await botBubblesSeen(page);
    expect(seen[0]).toBe(aibotMessages.zh.placeholder);
    expect(seen.at(-1)).toBe(answer);
    // The simulator saw a direct message to the bot, and one stream bubble for it.
    const message = sut.simulator.aibot.messages.at(-1);
    expect(message).toMatchObject({ botId: aibotId, userId: 'wangwu', text: '怎么更改登录密码?' });
    expect(message?.chatId).toBeUndefined();
    expect(sut.simulator.aibot.bubbles.filter((b) => b.inReplyTo === message?.msgid)).toHaveLength(1);
    await page.screenshot({ path: path.join(screenshots, '4-aibot-direct.png') });
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  it('talks to the AI bot in a group by @mentioning it, on a phone 360 px wide', async () => {
    const context = await newContext(phone);
    const { page, trouble } = await watchedPage(context);
    await open(page, 'lisi', aibotId, '研发群');
    expect(await page.textContent('#chat-title')).toBe('企业微信智能机器人 · 群聊「研发群」 · lisi 发言时 @智能助手');
    await page.fill('#text', '年假有几天？');
    await page.press('#text', 'Enter');
    await page.locator('.msg.me[data-status="sent"]').waitFor();
    expect(await page.locator('.msg.me').textContent()).toBe('@智能助手 年假有几天？');
    await page.locator('.msg.bot[data-finished="true"]').waitFor();
    expect(await page.locator('.msg.bot').textContent()).toBe(answerOf('年假有多少天'));
    expect(await page.locator('.msg.bot').count()).toBe(1);
    // WeCom delivered it as a group message @mentioning the bot.
    const message = sut.simulator.aibot.messages.at(-1);
    expect(message).toMatchObject({ botId: aibotId, userId: 'lisi', text: '年假有几天？' });
    expect(message?.chatId).toMatch(/^wr/);

    // lisi's direct chat with the bot does not show in the group.
    const direct = await sut.simulator.aibot.send(aibotId, 'lisi', '怎么更改登录密码?');
    await sut.simulator.aibot.finalFor(direct);
    expect(await page.locator('.msg.bot').count()).toBe(1);

    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const send = await page.locator('#form button').boundingBox();
    expect(send && send.x + send.width).toBeLessThanOrEqual(phone.width);
    await page.screenshot({ path: path.join(screenshots, '5-aibot-group-phone.png') });
    expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
    await context.close();
  });

  for (const [viewport, shot] of [
    [desktop, '6-kf-desktop.png'],
    [phone, '7-kf-phone.png'],
  ] as const)
    it(`talks to 微信客服 as an external customer (${viewport.width} px)`, async () => {
      const context = await newContext(viewport);
      const { page, trouble } = await watchedPage(context);
      const customer = `wmCustomer${viewport.width}`;
      await open(page, customer, kfId);
      expect(await page.textContent('#chat-title')).toBe(`微信客服 · 外部客户 ${customer} 与 ${kfId} 单聊`);
      // 微信客服 has no group chats.
      expect(await page.locator('#group').isDisabled()).toBe(true);
      const next = sut.simulator.kf.nextMessageTo(customer);
      await page.fill('#text', '怎么请假？');
      await page.press('#text', 'Enter');
      await page.locator('.msg.me[data-status="sent"]').waitFor();
      const answer = answerOf('怎么请假');
      await page.locator('.msg.bot').waitFor();
      expect(await page.locator('.msg.bot').textContent()).toBe(answer);
      // What the page shows is what the bot sent the customer through send_msg.
      expect(await next).toMatchObject({ toUser: customer, content: answer, via: 'send_msg' });
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(screenshots, shot) });
      expect(trouble).toEqual({ violations: [], errors: [], nativeDialogs: [] });
      await context.close();
    });

  it('reaches an AI bot on the long connection through the simulator app’s own port', async () => {
    // The gateway's long connection goes to ws://<simulator>/aibot, beside DingTalk's Stream on the same port.
    await sut.simulator.aibot.waitForSubscribed(wsId);
    const after = sut.simulator.aibot.bubbles.at(-1)?.seq ?? 0;
    const res = await fetch(`${sut.simulator.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ botId: wsId, from: 'zhaoliu', text: '怎么请假？' }),
    });
    expect(await res.json()).toEqual({ status: 200 });
    const bubble = await sut.simulator.aibot.nextFinished(wsId, 'zhaoliu', after);
    expect(bubble).toMatchObject({ via: 'ws_stream', content: answerOf('怎么请假') });
  });

  it('says in words when the gateway is down, for the AI bot and for 微信客服', async () => {
    await sut.gateway.close();
    try {
      const post = (botId: string) =>
        fetch(`${sut.simulator.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ botId, from: 'down-user', text: '工卡丢了怎么办' }),
        });
      for (const botId of [aibotId, kfId]) {
        const res = await post(botId);
        expect(res.status, botId).toBe(502);
        const body = (await res.json()) as { error: string; message: string };
        expect(body.error, botId).toBe('CHAT.GATEWAY_DOWN');
        expect(body.message).toMatch(/^网关没有响应（http:\/\/127\.0\.0\.1:\d+），消息没有送达/);
      }
    } finally {
      sut.gateway = await startGateway(loadConfig(sut.env, {}));
    }
  });
});
