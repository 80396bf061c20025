import type { AppConfig } from '@answerbridge/config';
import { DingTalkApiClient, DingTalkSender } from '@answerbridge/channel-dingtalk';
import { WecomApiClient, WecomGroupRobot, WecomSender } from '@answerbridge/channel-wecom';
import type { KeyValueStore } from '@answerbridge/core';
import type { Metrics } from '@answerbridge/observability';

/**
 * One sender per channel, each with an API client per configured bot (tokens shared through `store`),
 * and the agents' group robot when one is configured.
 */
export function createChannelSenders(config: AppConfig, store: KeyValueStore, metrics: Metrics) {
  const wecom = new Map<string, WecomApiClient>();
  const dingtalk = new Map<string, DingTalkApiClient>();
  for (const bot of config.bots) {
    if (bot.channel === 'wecom') {
      wecom.set(
        bot.id,
        new WecomApiClient({
          baseUrl: config.WECOM_API_BASE_URL,
          corpId: bot.corpId,
          agentId: bot.agentId,
          secret: bot.secret,
          store,
          timeoutMs: config.WECOM_API_TIMEOUT_MS,
          onApiError: (code) => metrics.channelErrors.inc({ channel: 'wecom', code: String(code) }),
        }),
      );
    } else {
      dingtalk.set(
        bot.id,
        new DingTalkApiClient({
          baseUrl: config.DINGTALK_API_BASE_URL,
          appKey: bot.clientId,
          appSecret: bot.clientSecret,
          store,
          timeoutMs: config.DINGTALK_API_TIMEOUT_MS,
          onApiError: (code) => metrics.channelErrors.inc({ channel: 'dingtalk', code }),
        }),
      );
    }
  }
  const robot = config.AGENT_NOTIFY_WECOM_WEBHOOK_KEY ? new WecomGroupRobot(config.WECOM_API_BASE_URL, config.AGENT_NOTIFY_WECOM_WEBHOOK_KEY) : null;
  return {
    senders: {
      wecom: new WecomSender((id) => wecom.get(id), store),
      dingtalk: new DingTalkSender((id) => dingtalk.get(id), store, config.DINGTALK_API_TIMEOUT_MS),
    },
    notifyAgents: robot ? (text: string) => robot.sendText(text) : undefined,
  };
}
