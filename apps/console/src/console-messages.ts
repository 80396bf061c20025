import type { HttpErrorVocabulary } from '@answerbridge/core';

/**
 * What the console API says to people, Chinese first (the page shows `message` as it is; tools read the
 * stable `error` code). One catalog, so wording is changed in one place and no route invents its own.
 */
export const consoleMessages = {
  loginRequired: '请先登录。Log in first.',
  csrf: '页面已过期，请刷新后重试。Missing or wrong X-CSRF-Token: reload the page.',
  adminsOnly: '仅管理员可以执行此操作。Admins only.',
  loginFieldsRequired: '请输入账号和密码。Username and password are required.',
  badCredentials: '账号或密码错误。Wrong username or password.',
  loginThrottled: (minutes: number) =>
    `登录失败次数过多，请 ${minutes} 分钟后再试。Too many failed logins: try again in ${minutes} minutes.`,
  tooManyEventStreams: (max: number) =>
    `打开的工作台页面过多（最多 ${max} 个），已关闭最早的一个。More than ${max} live queues open for this session: the oldest was closed.`,
  conflict: (detail: string) =>
    `操作未执行：会话已由其他客服处理或状态已变化（${detail}）。Not done: the conversation is held by someone else or has changed.`,
  notFound: (detail: string) => `会话不存在或已结束（${detail}）。No such conversation.`,
  badInput: (detail: string) => `输入有误（${detail}）。Bad input.`,
  refused: (detail: string) => `操作未执行（${detail}）。Not done.`,
  faqNotHolder: (holder: string) =>
    `只有接手此会话的客服或管理员可以保存为 FAQ（此会话由 ${holder} 处理）。Only the agent holding this conversation (${holder}) or an admin may save from it.`,
  faqNotHeld: (state: string) =>
    `此会话不在处理中（${state}），接入后才能保存为 FAQ。The conversation is ${state}: claim it before saving from it.`,
  faqDraftSubmitted:
    '已提交 FAQ 草稿：管理员审核通过后，机器人才会用它回答。Saved as a draft: the bot answers with it once an admin approves it.',
  faqSavedLive: '已保存为 FAQ，机器人现在可以回答这个问题。Saved: the bot answers with it now.',
  faqDraftApproved: '已审核通过，机器人现在可以回答这个问题。Approved: the bot answers with it now.',
  faqDraftRejected: '已驳回，机器人不会使用这条草稿。Rejected: the bot will not use this draft.',
  faqDraftNotFound: (detail: string) => `FAQ 草稿不存在（${detail}）。No such FAQ draft.`,
  faqDraftDecided: (detail: string) =>
    `草稿已被处理，未重复操作（${detail}）。Not done: the draft was already decided.`,
  personWithAgent: (held: { conversationId: string; agentId: string }[]) => {
    const list = held.map((c) => `${c.conversationId}（${c.agentId}）`).join('、');
    return `此人有会话正由客服处理（${list}），请先结束该会话再删除其数据；该会话未删除任何内容。An agent is talking with this person: resolve the conversation first, then ask again.`;
  },
  tooLarge: '请求内容过大。Request too large.',
  badRequest: '请求格式有误。Bad request.',
  noSuchRoute: '没有这个地址。No such route.',
  internalError: '服务器内部错误，请稍后重试。Internal error: try again later.',
} as const;

/** The people-facing message for an error code the console answers with, around the code's own detail. */
export function messageForError(code: string, detail: string): string {
  if (code === 'ESCALATION.CONFLICT') return consoleMessages.conflict(detail);
  if (code === 'ESCALATION.NOT_FOUND') return consoleMessages.notFound(detail);
  if (code === 'CONSOLE.BAD_INPUT') return consoleMessages.badInput(detail);
  return consoleMessages.refused(detail);
}

/** The console's words for refusals that are not ours (the body parser's) and for its own failures. */
export const consoleErrors: HttpErrorVocabulary = {
  tooLarge: { code: 'CONSOLE.TOO_LARGE', message: consoleMessages.tooLarge },
  badRequest: { code: 'CONSOLE.BAD_REQUEST', message: consoleMessages.badRequest },
  failure: { status: 500, code: 'CONSOLE.ERROR', message: consoleMessages.internalError },
};
