import type { DingTalkBotConfig } from '@answerbridge/config';
import { RejectedInputError } from '@answerbridge/core';
import { DingTalkStreamConnection, normalizeRobotMessage, parseRobotMessage } from '@answerbridge/channel-dingtalk';
import { acceptInbound } from '@answerbridge/pipeline';
import { reportRefusedWebhook } from './dingtalk-refused-webhook';
import type { GatewayContext } from './gateway-context';

/**
 * One Stream connection per DingTalk bot in Stream mode, held by this gateway replica. A robot frame
 * is acked only once its message is in Redis; a frame we refuse (malformed, another robot, a group
 * message not addressed to us) is logged and acked, so DingTalk does not push it again.
 */
export function startDingTalkStreams(ctx: GatewayContext): DingTalkStreamConnection[] {
  const bots = [...ctx.bots.values()].filter(
    (b): b is DingTalkBotConfig => b.channel === 'dingtalk' && b.mode === 'stream',
  );
  return bots.map((bot) => {
    const connection = new DingTalkStreamConnection({
      clientId: bot.clientId,
      clientSecret: bot.clientSecret,
      apiBaseUrl: ctx.config.DINGTALK_API_BASE_URL,
      watchdogMs: ctx.config.DINGTALK_STREAM_WATCHDOG_SECONDS * 1000,
      logger: ctx.logger,
      onRobotMessage: async (data) => {
        let parsed;
        try {
          // The socket is opened with the app's credentials, so the frame is DingTalk's: a missing robotCode is not
          // refused here (it is in HTTP mode), but a sessionWebhook outside the allowed origins still is.
          parsed = normalizeRobotMessage(bot, parseRobotMessage(JSON.parse(data)), {
            nowMs: Date.now(),
            webhookOrigins: ctx.config.DINGTALK_WEBHOOK_ORIGINS,
            requireRobotCode: false,
          });
        } catch (error) {
          const reason = error instanceof RejectedInputError ? error.message : 'data is not JSON';
          ctx.logger.warn({ bot: bot.id, reason }, 'dingtalk frame refused (acked and dropped)');
          ctx.metrics.callbacks.inc({ channel: 'dingtalk', result: 'rejected_frame' });
          return;
        }
        if ('ignored' in parsed) {
          ctx.metrics.callbacks.inc({ channel: 'dingtalk', result: 'ignored' });
          return;
        }
        reportRefusedWebhook(ctx, bot, parsed);
        const result = await acceptInbound(ctx.producer, parsed.message);
        ctx.metrics.callbacks.inc({ channel: 'dingtalk', result: result.duplicate ? 'duplicate' : 'accepted' });
      },
    });
    connection.start();
    return connection;
  });
}
