export { wecomKfChannel, type KfGateway } from './wecom-kf-channel';
export {
  KF_CHANNEL,
  KfBotSchema,
  KfReplyTargetSchema,
  KfSettingsSchema,
  type KfBot,
  type KfReplyTarget,
  type KfSettings,
} from './kf-config';
export { KfApi, KF_ERRCODES, type KfSyncItem, type KfSyncPage } from './kf-api';
export { openKfCallback, verifyKfCallbackUrl, type KfCallbackCredentials, type KfPullNotice } from './kf-callback';
export { KfFetcher, KfLockLostError, type KfFetcherDeps } from './kf-fetcher';
export { KfSender, KfSendRefusedError, fitToBudget, KF_SENDS_PER_CUSTOMER_MESSAGE } from './kf-sender';
export { KfHandover } from './kf-handover';
export { kfMessageCatalog, kfMessagesFor, type KfMessages } from './kf-messages';
export {
  conversationIdFor as kfConversationId,
  inboundIdFor as kfInboundId,
  type KfInboundMessage,
} from './kf-inbound';
export { kfKeys, KF_TTL_MS } from './kf-keys';
