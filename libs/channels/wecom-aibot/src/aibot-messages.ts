/**
 * What the AI bot says on its own (not the FAQ's answers): Chinese first, English for bots whose
 * `language` is `en`. Answers, suggestions and hand-over notices come from the worker's decision.
 */
export interface AibotMessages {
  /** The stream's first content, shown until the answer replaces it. */
  placeholder: string;
  /** The reply to `enter_chat` (the first time a person opens the chat that day). */
  welcome: string;
  /** Ends a stream whose answer did not come within the stream window; the answer follows as a new message. */
  stillWorking: string;
  /** Ends a refresh for a stream this bot does not know (expired, or never ours). */
  unknownStream: string;
}

export const aibotMessages: Record<'zh' | 'en', AibotMessages> = {
  zh: {
    placeholder: '正在查找答案…',
    welcome: '您好，我是智能助手。请直接输入您的问题，例如“怎么修改登录密码？”。需要人工时请发送“转人工”。',
    stillWorking: '问题还在处理中，答案稍后会单独发给您。',
    unknownStream: '',
  },
  en: {
    placeholder: 'Looking for the answer…',
    welcome:
      'Hello, I am the help desk assistant. Type your question, e.g. "How do I change my password?". Send "agent" to talk to a person.',
    stillWorking: 'Still working on it; the answer will follow in a separate message.',
    unknownStream: '',
  },
};

/** A bot's fixed messages: Chinese unless the bot says English. */
export function messagesFor(language: 'zh' | 'en' | undefined): AibotMessages {
  return aibotMessages[language ?? 'zh'];
}
