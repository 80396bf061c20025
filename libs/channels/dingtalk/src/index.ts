export { dingtalkSign, verifyDingtalkSign } from './dingtalk-signature';
export { parseRobotMessage, normalizeRobotMessage, type RobotMessage, type ParsedRobotMessage } from './dingtalk-message';
export { openHttpCallback } from './dingtalk-http-callback';
export { DingTalkApiClient, DingTalkApiError, type DingTalkApiClientOptions } from './dingtalk-api-client';
export { DingTalkSender, looksLikeMarkdown } from './dingtalk-sender';
export { DingTalkStreamConnection, type DingTalkStreamOptions, type StreamLogger } from './dingtalk-stream-connection';
