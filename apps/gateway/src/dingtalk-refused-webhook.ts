import type { DingTalkBotConfig } from '@answerbridge/config';
import type { ParsedRobotMessage } from '@answerbridge/channel-dingtalk';
import type { GatewayContext } from './gateway-context';

/**
 * Says so when a message's sessionWebhook was dropped (its reply goes through the OpenAPI). Either
 * DINGTALK_WEBHOOK_ORIGINS lacks a host DingTalk really uses, or, in HTTP mode, someone holding a signed
 * header pair wrote the body to point the bot's answer elsewhere: worth an alert either way.
 */
export function reportRefusedWebhook(ctx: GatewayContext, bot: DingTalkBotConfig, parsed: ParsedRobotMessage): void {
  if (!('message' in parsed) || !parsed.refusedSessionWebhook) return;
  const { origin, reason } = parsed.refusedSessionWebhook;
  ctx.metrics.channelErrors.inc({ channel: 'dingtalk', code: 'SESSION_WEBHOOK_REFUSED' });
  ctx.logger.warn(
    {
      code: 'DINGTALK.SESSION_WEBHOOK_REFUSED',
      bot: bot.id,
      mode: bot.mode,
      webhookOrigin: origin,
      reason,
      msgId: parsed.message.platformMessageId,
    },
    'dingtalk sessionWebhook not allowed (DINGTALK_WEBHOOK_ORIGINS); the reply goes through the OpenAPI',
  );
}
