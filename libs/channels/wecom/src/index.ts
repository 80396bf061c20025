export { wecomChannel } from './wecom-channel';
export {
  WecomBotSchema,
  WecomReplyTargetSchema,
  WecomSettingsSchema,
  type WecomBotConfig,
  type WecomReplyTarget,
  type WecomSettings,
} from './wecom-bot';
export {
  computeSignature,
  verifySignature,
  decryptMessage,
  encryptMessage,
  decodeAesKey,
  pkcs7Pad,
  pkcs7Unpad,
  WecomCryptoError,
  WECOM_BLOCK_SIZE,
  type DecryptedMessage,
} from './wecom-crypto';
export { parseWecomXml, textOf, XmlRejectedError, type XmlRecord, type XmlValue } from './strict-xml';
export { readEncryptedField } from './callback-envelope';
export {
  parseCallbackQuery,
  verifyCallbackUrl,
  openCallback,
  type CallbackQuery,
  type CallbackCheckOptions,
} from './wecom-callback';
export { WecomApiClient, WecomApiError, type WecomApiClientOptions } from './wecom-api-client';
export { WecomSender } from './wecom-sender';
export { splitUtf8, WECOM_TEXT_LIMIT_BYTES } from './text-chunks';
export { WecomGroupRobot } from './wecom-group-robot';
