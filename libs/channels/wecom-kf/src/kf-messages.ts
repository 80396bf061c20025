/** What the 微信客服 channel itself says to a customer (the answers come from the knowledge base). */
export interface KfMessages {
  /** Sent on enter_session through send_msg_on_event, unless the bot configures its own. */
  welcome: string;
  /** After service_state/trans to the 接待池 (state 2). */
  handedToPool: string;
  /** After service_state/trans to a named servicer (state 3). */
  handedToServicer: string;
  /** Appended when an answer is cut to fit the messages left for this customer message (5 per message). */
  truncated: string;
}

const zh: KfMessages = {
  welcome: '您好，我是智能助手，请直接输入您的问题。需要人工服务时，请回复“转人工”。',
  handedToPool: '正在为您转接人工客服，请稍候，客服接入后会在这里回复您。',
  handedToServicer: '已为您转接人工客服，请稍候，客服会在这里回复您。',
  truncated: '……（内容较长，未能全部发送，请换个问法或回复“转人工”）',
};

const en: KfMessages = {
  welcome: 'Hello, I am the assistant: type your question. For a person, reply "agent".',
  handedToPool: 'Connecting you to a customer service agent; they will answer here shortly.',
  handedToServicer: 'You have been handed to a customer service agent; they will answer here shortly.',
  truncated: '… (the answer was too long to send in full; try asking differently or reply "agent")',
};

/** Chinese first: a bot's `language` picks the catalog, Chinese when unsure. */
export const kfMessageCatalog: Record<'zh' | 'en', KfMessages> = { zh, en };

export const kfMessagesFor = (language: string | undefined): KfMessages => (language === 'en' ? en : zh);
