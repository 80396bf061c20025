import type { ChannelSendingSettings } from '@answerbridge/config';
import { DingTalkApiClient, DingTalkSender } from '@answerbridge/channel-dingtalk';
import { WecomApiClient, WecomGroupRobot, WecomSender } from '@answerbridge/channel-wecom';
import type { KeyValueStore } from '@answerbridge/core';
import type { Metrics } from '@answerbridge/observability';
import { notifyEachGroupOnce, type AgentGroupNotifier } from '../notify-agent-groups';

/**
 * One sender per channel, each with an API client per configured bot (tokens shared through `store`),
 * and the agents' groups when configured.
 */
export function createChannelSenders(config: ChannelSendingSettings, store: KeyValueStore, metrics: Metrics) {
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
  const agentGroups = agentGroupNotifiers(config, dingtalk);
  return {
    senders: {
      wecom: new WecomSender((id) => wecom.get(id), store),
      dingtalk: new DingTalkSender((id) => dingtalk.get(id), store, {
        webhookOrigins: config.DINGTALK_WEBHOOK_ORIGINS,
        timeoutMs: config.DINGTALK_API_TIMEOUT_MS,
        // The gateway already dropped such webhooks; one reaching here was queued by an older gateway or another path.
        onWebhookRefused: () => metrics.channelErrors.inc({ channel: 'dingtalk', code: 'SESSION_WEBHOOK_REFUSED' }),
      }),
    },
    notifyAgents: agentGroups.length > 0 ? notifyEachGroupOnce(agentGroups, store) : undefined,
  };
}

/** The agents' groups configured: a WeCom group robot, a DingTalk group the app's robot is in, or both. */
function agentGroupNotifiers(
  config: ChannelSendingSettings,
  dingtalk: Map<string, DingTalkApiClient>,
): AgentGroupNotifier[] {
  const notifiers: AgentGroupNotifier[] = [];
  if (config.AGENT_NOTIFY_WECOM_WEBHOOK_KEY) {
    const robot = new WecomGroupRobot(config.WECOM_API_BASE_URL, config.AGENT_NOTIFY_WECOM_WEBHOOK_KEY);
    notifiers.push({ name: 'wecom-robot', send: (text) => robot.sendText(text) });
  }
  const dingBot = config.bots.find((b) => b.channel === 'dingtalk' && b.id === config.AGENT_NOTIFY_DINGTALK_BOT);
  const client = dingBot && dingtalk.get(dingBot.id);
  const conversationId = config.AGENT_NOTIFY_DINGTALK_CONVERSATION_ID;
  if (dingBot?.channel === 'dingtalk' && client && conversationId) {
    const robotCode = dingBot.robotCode ?? dingBot.clientId;
    notifiers.push({
      name: 'dingtalk-group',
      send: (text) => client.sendToGroup(robotCode, conversationId, 'sampleText', { content: text }),
    });
  }
  return notifiers;
}
