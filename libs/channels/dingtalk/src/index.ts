export { dingTalkChannel } from './dingtalk-channel';
export {
  DingTalkBotSchema,
  DingTalkReplyTargetSchema,
  DingTalkSettingsSchema,
  type DingTalkBotConfig,
  type DingTalkReplyTarget,
  type DingTalkSettings,
} from './dingtalk-bot';
export { dingTalkSign, verifyDingTalkSign } from './dingtalk-signature';
export {
  parseRobotMessage,
  normalizeRobotMessage,
  type RobotMessage,
  type ParsedRobotMessage,
  type NormalizeOptions,
} from './dingtalk-message';
export { openHttpCallback, type HttpCallbackOptions } from './dingtalk-http-callback';
export { allowedSessionWebhook, type SessionWebhookCheck } from './session-webhook';
export { SignatureLedger } from './signature-ledger';
export { DingTalkApiClient, DingTalkApiError, type DingTalkApiClientOptions } from './dingtalk-api-client';
export { DingTalkSender, looksLikeMarkdown, type DingTalkSenderOptions } from './dingtalk-sender';
export { DingTalkStreamConnection, type DingTalkStreamOptions, type StreamLogger } from './dingtalk-stream-connection';
