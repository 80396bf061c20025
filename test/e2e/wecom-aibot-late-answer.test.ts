import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibotMessages } from '@answerbridge/channel-wecom-aibot';
import { loadFaqFile } from '@answerbridge/knowledge';
import { createLogger } from '@answerbridge/observability';
import { WecomAibotSimulator, type AibotSimBot } from '@answerbridge/simulator';
import { bootstrap as startWorker } from '@answerbridge/worker';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const passwordAnswer = loadFaqFile(sampleFaqPath).find((e) => e.question.includes('修改登录密码'))?.answer;

/**
 * An answer later than the stream window (shortened to 2 s here, 6 min at WeCom): a refresh near the
 * window's end finishes the bubble with "still working", and the answer, when it comes, goes through the
 * message's response_url as a message of its own; the bubble never changes text twice.
 */
describe('an AI bot answer later than the stream window', () => {
  let sut: SystemUnderTest;
  let sim: WecomAibotSimulator;
  let bot: AibotSimBot;

  beforeAll(async () => {
    sim = new WecomAibotSimulator([], { refreshIntervalMs: 150, windowMs: 2_000 });
    await sim.listen();
    sut = await startSystem(
      { WECOM_AIBOT_RESPONSE_ORIGINS: sim.url, WECOM_AIBOT_STREAM_WINDOW_SECONDS: '2' },
      (botId) => {
        bot = { id: `${botId}_ai`, mode: 'http', token: 'aibotToken', encodingAesKey: KEY };
        sim.addBots([bot]);
        return [{ ...bot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' }];
      },
    );
    sim.setGateways([sut.gateway.url]);
  });
  afterAll(async () => {
    await sut?.stop();
    await sim?.close();
  });

  it('finishes the bubble with "still working" in the window, then sends the answer through response_url once', async () => {
    // The worker is down while the window runs out.
    await sut.worker.close();
    const message = await sim.send(bot.id, 'late', '怎么更改登录密码?');
    const bubble = await sim.finalFor(message, 10_000);
    expect(bubble).toMatchObject({ via: 'stream', content: aibotMessages.zh.stillWorking, expired: false });
    expect(bubble.snapshots).toEqual([aibotMessages.zh.placeholder, aibotMessages.zh.stillWorking]);

    sut.worker = await startWorker(sut.config, createLogger({ name: 'worker', level: 'error' }));
    const late = await sim.waitFor(
      (b) => b.via === 'response_url' && b.inReplyTo === message.msgid,
      60_000,
      'the answer through response_url',
    );
    expect(late.content).toBe(passwordAnswer);
    await sut.idle();
    expect(sim.bubbles.filter((b) => b.inReplyTo === message.msgid)).toHaveLength(2);
    expect(bubble.content).toBe(aibotMessages.zh.stillWorking);
  });
});
