export { acceptInbound, type AcceptResult } from './accept-inbound';
export { answerInbound, type AnswerInboundDeps } from './answer-inbound';
export { sendReply, type SendReplyDeps } from './send-reply';
export { createKnowledgeServices, type KnowledgeServices } from './knowledge-services';
