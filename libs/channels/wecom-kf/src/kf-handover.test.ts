import { InMemoryKeyValueStore, type InboundMessage } from '@answerbridge/core';
import { WecomApiError } from '@answerbridge/channel-wecom';
import { describe, expect, it } from 'vitest';
import { FakeKfApi, testKfBot } from './fake-kf-api';
import type { KfBot } from './kf-config';
import { KfHandover } from './kf-handover';
import { kfKeys } from './kf-keys';
import { kfMessageCatalog } from './kf-messages';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function setup(overrides: Partial<KfBot>) {
  const bot = testKfBot(overrides);
  const api = new FakeKfApi(bot);
  const store = new InMemoryKeyValueStore();
  const handover = new KfHandover({ apis: () => api, store, messages: () => kfMessageCatalog.zh, logger: silent });
  const message = {
    id: 'wecom-kf-kfbot-msg_1',
    botId: bot.id,
    replyTarget: { channel: 'wecom-kf', openKfId: bot.openKfId, externalUserId: 'wmA' },
  } as unknown as InboundMessage;
  return { api, store, handover, message, keys: kfKeys(bot.corpId, bot.openKfId) };
}

describe('KfHandover', () => {
  it('leaves an inbox bot to the inbox', async () => {
    const { api, handover, message } = setup({ handover: 'inbox' });
    expect(await handover.handOver(message)).toBe('inbox');
    expect(api.transfers).toEqual([]);
  });

  it("moves the session to WeCom's pool, tells the customer through the trans code, and marks it the servicers'", async () => {
    const { api, store, handover, message, keys } = setup({ handover: 'wecom-servicers' });
    expect(await handover.handOver(message)).toBe('channel');
    expect(api.transfers).toEqual([{ user: 'wmA', state: 2, servicer: undefined }]);
    expect(api.onEvent).toEqual([
      expect.objectContaining({ code: 'code_1', content: kfMessageCatalog.zh.handedToPool }),
    ]);
    expect(await store.get(keys.withServicer('wmA'))).not.toBeNull();
    // A retried job finds the session with the servicers already: no second trans, no second notice.
    expect(await handover.handOver(message)).toBe('channel');
    expect(api.transfers).toHaveLength(1);
    expect(api.onEvent).toHaveLength(1);
  });

  it('gives the session to the configured servicer (state 3)', async () => {
    const { api, handover, message } = setup({ handover: 'wecom-servicers', servicerUserId: 'zhangsan' });
    expect(await handover.handOver(message)).toBe('channel');
    expect(api.transfers).toEqual([{ user: 'wmA', state: 3, servicer: 'zhangsan' }]);
    expect(api.onEvent[0]?.content).toBe(kfMessageCatalog.zh.handedToServicer);
  });

  it('falls back to the pool when the servicer is not receiving, and to the inbox when the pool refuses too', async () => {
    const first = setup({ handover: 'wecom-servicers', servicerUserId: 'offline' });
    first.api.failNext.transfer = [new WecomApiError(95014, 'servicer not active', false)];
    expect(await first.handover.handOver(first.message)).toBe('channel');
    expect(first.api.transfers).toEqual([{ user: 'wmA', state: 2, servicer: undefined }]);

    const second = setup({ handover: 'wecom-servicers', servicerUserId: 'offline' });
    second.api.failNext.transfer = [
      new WecomApiError(95014, 'servicer not active', false),
      new WecomApiError(95016, 'not allowed', false),
    ];
    expect(await second.handover.handOver(second.message)).toBe('inbox');
    expect(await second.store.get(second.keys.withServicer('wmA'))).toBeNull();
  });

  it('lets a transient failure be retried by the job', async () => {
    const { api, handover, message } = setup({ handover: 'wecom-servicers' });
    api.failNext.transfer = [new WecomApiError(-1, 'system busy', true)];
    await expect(handover.handOver(message)).rejects.toThrow('system busy');
    expect(await handover.handOver(message)).toBe('channel');
  });
});
