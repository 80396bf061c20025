import type { ChannelHandover, ChannelLogger, InboundMessage, KeyValueStore } from '@answerbridge/core';
import { WecomApiError } from '@answerbridge/channel-wecom';
import type { KfApiPort } from './kf-api';
import { KfReplyTargetSchema } from './kf-config';
import { KF_TTL_MS, kfKeys, platformMsgId } from './kf-keys';
import type { KfMessages } from './kf-messages';

export interface KfHandoverDeps {
  apis: (botId: string) => KfApiPort | undefined;
  store: KeyValueStore;
  messages: (botId: string) => KfMessages;
  logger: ChannelLogger;
}

/**
 * For a bot configured `handover: 'wecom-servicers'`: service_state/trans to the 接待池 (2) or to the
 * configured servicer (3), then the catalog's notice through send_msg_on_event with the trans's msg_code
 * (send_msg is refused once the session left the bot). The session is marked as the servicers' so the
 * fetcher queues nothing for the bot and the sender sends nothing, until WeCom reports it ended
 * (session_status_change 3) or service_state says so. Running it twice is harmless: a session already
 * in 2/3 is not transferred again.
 */
export class KfHandover implements ChannelHandover {
  constructor(private readonly deps: KfHandoverDeps) {}

  async handOver(message: InboundMessage): Promise<'channel' | 'inbox'> {
    const api = this.deps.apis(message.botId);
    const target = KfReplyTargetSchema.safeParse(message.replyTarget);
    if (!api || !target.success || api.bot.handover !== 'wecom-servicers') return 'inbox';
    const user = target.data.externalUserId;
    const keys = kfKeys(api.bot.corpId, api.bot.openKfId);
    const { state } = await api.serviceState(user);
    if (state === 2 || state === 3) {
      await this.deps.store.set(keys.withServicer(user), '', KF_TTL_MS.withServicer);
      return 'channel';
    }
    const servicer = api.bot.servicerUserId;
    let code: string | undefined;
    let to: 2 | 3 = servicer ? 3 : 2;
    try {
      code = await api.transfer(user, to, servicer);
    } catch (error) {
      if (!(error instanceof WecomApiError) || error.retryable) throw error;
      // The named servicer is not 接待中 (95014) or the like: the pool, then our inbox, rather than no one.
      this.deps.logger.warn({ errcode: error.errcode, servicer }, 'service_state/trans refused');
      if (to === 2) return 'inbox';
      try {
        to = 2;
        code = await api.transfer(user, 2);
      } catch (poolError) {
        if (!(poolError instanceof WecomApiError) || poolError.retryable) throw poolError;
        this.deps.logger.warn(
          { errcode: poolError.errcode },
          'service_state/trans to the pool refused; escalating to the inbox',
        );
        return 'inbox';
      }
    }
    await this.deps.store.set(keys.withServicer(user), servicer && to === 3 ? servicer : '', KF_TTL_MS.withServicer);
    if (code) {
      const messages = this.deps.messages(message.botId);
      try {
        await api.sendOnEvent(
          code,
          to === 3 ? messages.handedToServicer : messages.handedToPool,
          platformMsgId('handover', message.id),
        );
      } catch (error) {
        // The session is with the servicers already; a missing notice must not undo or repeat that.
        this.deps.logger.warn({ err: error }, 'the handover notice was not sent');
      }
    }
    return 'channel';
  }
}
