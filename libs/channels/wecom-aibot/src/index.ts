export { createWecomAibotChannel, wecomAibotChannel } from './wecom-aibot-channel';
export {
  AIBOT_CHANNEL,
  AibotBotSchema,
  AibotReplyTargetSchema,
  AibotSettingsSchema,
  type AibotBot,
  type AibotReplyTarget,
  type AibotSettings,
} from './aibot-schemas';
export { aibotMessages, messagesFor, type AibotMessages } from './aibot-messages';
export { openAibotCallback, openAibotReply, sealAibotReply, verifyAibotUrl, type AibotKeys } from './aibot-envelope';
export {
  parseAibotCallback,
  normalizeAibotMessage,
  stripMention,
  messageIdFor,
  conversationIdFor,
  CALLBACK_LIMITS,
  type AibotCallback,
} from './aibot-callback';
export {
  AibotStreams,
  STREAM_STATE_TTL_MS,
  type StreamRecord,
  type FinalContent,
  type ReplyPath,
} from './aibot-streams';
export { readFeedback, feedbackKey, type AnswerFeedback, type FeedbackVerdict } from './aibot-events';
export { InMemoryAibotRelay, type AibotRelay } from './aibot-relay';
export {
  AibotSender,
  AibotNoReplyPathError,
  truncateUtf8,
  outboxOf,
  AIBOT_CONTENT_LIMIT_BYTES,
  type OutboxItem,
} from './aibot-sender';
export { AibotLongConnection, leaseKeyOf, newReqId } from './aibot-long-connection';
export { AIBOT_CALLBACK_PATH } from './aibot-http-routes';
export { parseJsonObject, type JsonLimits } from './strict-json';
