export { acceptInbound, type AcceptResult } from './accept-inbound';
export { answerInbound, type AnswerInboundDeps } from './answer-inbound';
export { sendReply, type SendReplyDeps } from './send-reply';
export { createKnowledgeServices, searchDefaults, type KnowledgeServices, type Language } from './knowledge-services';
