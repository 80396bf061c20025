import type { HttpErrorVocabulary } from '@answerbridge/core';
import { channelLabels } from '@answerbridge/pipeline';

/**
 * What the console API says to people, Chinese first (the page shows `message` as it is; tools read the
 * stable `error` code). One catalog, so wording is changed in one place and no route invents its own.
 */
export const consoleMessages = {
  loginRequired: '请先登录。Log in first.',
  csrf: '页面已过期，请刷新后重试。Missing or wrong X-CSRF-Token: reload the page.',
  adminsOnly: '仅管理员可以执行此操作。Admins only.',
  editorsOnly: '仅知识编辑或管理员可以执行此操作（审核、发布、导入知识库）。Editors and admins only.',
  userExists: (username: string) => `账号 ${username} 已存在，请换一个账号名。The username ${username} is taken.`,
  userNotFound: (username: string) => `没有账号 ${username}。No such account.`,
  lastAdmin: (username: string) =>
    `${username} 是最后一位可登录的管理员，不能停用或改为其他角色；请先把另一个账号设为管理员。${username} is the last active admin: make another account admin first.`,
  userCreated: (username: string) => `已添加账号 ${username}。Account added.`,
  userUpdated: (username: string) =>
    `已保存账号 ${username}；如改了角色或停用，该账号需重新登录。Saved: after a role change or disabling, the account logs in again.`,
  passwordReset: (username: string) =>
    `已重置 ${username} 的密码，该账号已登录的页面需用新密码重新登录。Password reset: its sessions have ended.`,
  badUsername:
    '账号名须为 2–32 位小写字母、数字或 . _ -。The username must be 2-32 characters: a-z, 0-9, dot, underscore, hyphen.',
  badRole: '角色须为 agent（客服）、editor（知识编辑）或 admin（管理员）。The role must be agent, editor or admin.',
  badPassword: (min: number, max: number) =>
    `密码长度须为 ${min}–${max} 个字符。The password must be ${min}-${max} characters.`,
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
  linkSubmitted:
    '已提交新问法：管理员审核通过后，机器人会把这种问法当作该条目的相似问题。Submitted: once an admin approves it, the bot answers this wording with the entry.',
  linkLive:
    '已加入该条目的相似问题，机器人现在可以直接回答这种问法。Added: the bot answers this wording with the entry now.',
  linkAlreadyLive: '该条目已经有这种问法，无需重复添加。The entry already has this wording.',
  linkNoSuchEntry: (entryId: string) =>
    `知识库当前版本中没有条目 ${entryId}，请确认条目编号。No entry ${entryId} in the live knowledge base.`,
  linkEntryGone: (entryId: string) =>
    `条目 ${entryId} 已不在当前知识库中，此问法已自动驳回。The entry is gone from the live knowledge base: the wording was set aside.`,
  candidatesNotHolder: (holder: string) =>
    `只有接手此会话的客服或管理员可以为它查找条目（此会话由 ${holder} 处理）。Only the agent holding this conversation (${holder}) or an admin may look up entries for it.`,
  candidatesNotHeld: (state: string) =>
    `此会话${stateNames[state] ?? state}，由你接入后才能查找条目。The conversation is ${state}: claim it before looking up entries.`,
  candidatesQueryRequired:
    '请输入要查找的问题（q 不能为空）。The search text q is empty: type the question to look up.',
  candidatesQueryTooLong: (max: number) =>
    `要查找的问题太长（最多 ${max} 个字），请删减后再查。The search text q is longer than ${max} characters.`,
  candidatesNoQuestion:
    '用户在这段对话里还没有发过文字消息，请输入要查找的问题（q）。The asker wrote nothing here to look up: give q.',
  faqDraftNotFound: (detail: string) => `FAQ 草稿不存在（${detail}）。No such FAQ draft.`,
  faqDraftDecided: (detail: string) =>
    `草稿已被处理，未重复操作（${detail}）。Not done: the draft was already decided.`,
  personWithAgent: (held: { conversationId: string; agentId: string }[]) => {
    const list = held.map((c) => `${c.conversationId}（${c.agentId}）`).join('、');
    return `此人有会话正由客服处理（${list}），请先结束该会话再删除其数据；该会话未删除任何内容。An agent is talking with this person: resolve the conversation first, then ask again.`;
  },
  quickReplyFull: (max: number) =>
    `快捷回复已达上限（${max} 条），请先删除不用的再添加。At most ${max} quick replies: delete one first.`,
  quickReplyNotFound: (id: string) => `快捷回复不存在或已被删除（${id}）。No such quick reply.`,
  tooLarge: '请求内容过大。Request too large.',
  badRequest: '请求格式有误。Bad request.',
  noSuchRoute: '没有这个地址。No such route.',
  internalError: '服务器内部错误，请稍后重试。Internal error: try again later.',
} as const;

const stateNames: Record<string, string> = { waiting: '等待接入', 'with-agent': '处理中', resolved: '已结束' };

/**
 * Why a conversation action was refused, in words, from the escalation's own (English) detail; null when
 * the detail is not one it knows. `nameOf` gives agents' display names.
 */
export function conflictReason(detail: string, nameOf: (agentId: string) => string = (id) => id): string | null {
  const claimed = /^already claimed by (.+)$/.exec(detail);
  if (claimed) return `此会话已由 ${nameOf(claimed[1] ?? '')} 接入`;
  const held = /^conversation is held by (.+)$/.exec(detail);
  if (held) return `此会话正由 ${nameOf(held[1] ?? '')} 处理`;
  const state = /^conversation is (waiting|with-agent|resolved)(; claim it first)?$/.exec(detail);
  if (state) return `此会话${stateNames[state[1] ?? ''] ?? ''}${state[2] ? '，请先接入' : ''}`;
  if (detail === 'conversation changed hands meanwhile') return '此会话刚刚转给了其他客服';
  return null;
}

/** The people-facing message for an error code the console answers with, around the code's own detail. */
/** Codes whose refusal is worded for people already (Chinese first): passed on as they are. */
const worded = new Set(['CONSOLE.BAD_ROLE', 'CONSOLE.BAD_PASSWORD', 'CONSOLE.BAD_USERNAME']);

export function messageForError(code: string, detail: string, nameOf?: (agentId: string) => string): string {
  if (worded.has(code)) return detail;
  if (code === 'ESCALATION.CONFLICT') {
    const reason = conflictReason(detail, nameOf);
    // The detail stays in brackets for tools and logs that match it; the sentence before it is for people.
    return reason
      ? `操作未执行：${reason}（${detail}）。Not done: the conversation is held by someone else or has changed.`
      : consoleMessages.conflict(detail);
  }
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

/**
 * The inbox page's own words (served to it as /inbox/messages.js). `{name}` marks where the page puts a
 * value. Kept here with the API's messages so the console speaks with one voice.
 */
export const inboxText = {
  appTitle: '人工客服工作台',
  titleWaiting: '({count}) 人工客服工作台',
  viewWaiting: '等待接入',
  viewMine: '我的会话',
  viewAll: '全部',
  empty: '暂无会话',
  noText: '（无文字）',
  waitedFor: '已等待 {time}',
  heldBy: '客服 {agent}',
  seconds: '{n} 秒',
  minutes: '{n} 分钟',
  hours: '{n} 小时',
  pick: '选择左侧的一个会话',
  stateWaiting: '等待接入',
  stateWithAgent: '处理中：{agent}',
  stateResolved: '已结束',
  groupChat: '群聊 {group}',
  directChat: '单聊',
  infoChannel: '渠道',
  infoUser: '用户',
  infoChat: '会话',
  infoEscalatedAt: '转人工时间',
  infoReason: '转人工原因',
  infoAgent: '接入客服',
  infoWaited: '（等待 {time}）',
  escalatedAtShort: '{time} 转人工',
  reasons: {
    'asked-for-human': '用户要求转人工',
    'answer-not-helpful': '用户表示机器人的回答没有帮助',
    'repeated-suggestions': '多次给出建议仍未解决',
    'below-suggest-threshold': '知识库里没有足够匹配的答案',
    'no-candidates': '知识库里没有找到答案',
    'between-thresholds': '匹配度不够，机器人无法确定',
    'keyword-fallback': '只有关键词匹配，机器人无法确定',
    'embedder-unavailable': '语义检索暂不可用',
    'search-unavailable': '检索服务暂不可用',
    'no-text': '用户发来的不是文字',
  } as Record<string, string>,
  reasonOther: '其他原因（{reason}）',
  from: { asker: '用户', bot: '机器人', agent: '客服', system: '系统' } as Record<string, string>,
  botAnswered: '机器人回答',
  botSuggested: '机器人给出的建议',
  botHandedOver: '机器人转人工',
  earlierDivider: '转人工前的对话',
  escalatedDivider: '{time} 转人工 · {reason}',
  score: '匹配度 {percent}%',
  keywordScore: '关键词匹配',
  candidatesTitle: '机器人找到的候选答案',
  useCandidate: '填入回复框',
  delivery: { sending: '发送中…', queued: '发送中…', sent: '已送达', failed: '发送失败' } as Record<string, string>,
  sendFailed: '发送失败：{reason}',
  retry: '重试',
  retried: '已重试',
  editReply: '改一改',
  claim: '接入',
  transferTo: '转给',
  saveFaq: '保存为 FAQ',
  handback: '转回机器人',
  resolve: '已解决',
  back: '返回列表',
  composerPlaceholder: '回复用户（通过原渠道发送）',
  composerHint: 'Enter 发送，Shift+Enter 换行',
  send: '发送',
  quickReplyPick: '快捷回复…',
  quickRepliesManage: '管理快捷回复',
  knowledgePages: '知识库',
  quickRepliesTitle: '快捷回复',
  quickRepliesEmpty: '还没有快捷回复。',
  quickReplyTitle: '标题',
  quickReplyText: '内容',
  quickReplyAdd: '添加',
  quickReplySave: '保存',
  quickReplyEdit: '编辑',
  quickReplyDelete: '删除',
  quickReplyDeleteConfirm: '删除快捷回复“{title}”？',
  quickReplySaved: '快捷回复已保存。',
  linkEntry: '关联到已有条目',
  linkDialogTitle: '关联到已有条目',
  linkHint: '把用户的一句话关联到回答它的已有条目，这句话会成为该条目的相似问题；客服提交的需管理员审核后生效。',
  linkMessage: '要学习的用户消息',
  linkMessageOption: '{time} {text}',
  linkTriggerMark: '（转人工）',
  linkNoMessages: '用户在这段对话里还没有发过文字消息，无法关联。',
  linkSearchLabel: '查找条目',
  linkSearchPlaceholder: '输入问题或关键词，查找知识库里的条目',
  linkSearchButton: '查找',
  linkSearching: '正在查找…',
  linkSearchRequired: '请输入要查找的问题。',
  linkNoCandidates: '没有找到匹配的条目，换个说法再查一次。',
  linkCandidatesTitle: '知识库中的条目（选择回答这句话的一条）',
  linkPickEntry: '请先选择回答这句话的条目。',
  linkSubmit: '提交',
  linkTooLong: '这条消息超过 {max} 个字，太长的消息不能作为问法学习，请选择用户的另一句话。',
  viewReview: '待审核',
  reviewTitle: 'FAQ 草稿待审核',
  reviewEmpty: '没有待审核的草稿。',
  reviewRefresh: '刷新',
  kindPhrasing: '新问法',
  kindEntry: '新条目',
  sources: {
    'picked-suggestion': '提问者选择了推荐',
    'agent-link': '客服关联',
    'unanswered-queue': '未解决问题',
  } as Record<string, string>,
  sourceSaved: '客服保存为 FAQ',
  reviewAskerWords: '提问者的说法',
  reviewJoins: '加入条目',
  reviewEntryGone: '条目 {entryId}（当前知识库中已不存在）',
  reviewQuestion: '问题',
  reviewAnswer: '答案',
  reviewMeta: '{source} · 提交人 {name} · {time}',
  savedByAsker: '提问者',
  approve: '通过',
  reject: '驳回',
  rejectReason: '驳回原因（可不填）',
  rejectConfirm: '确认驳回',
  faqDialogTitle: '保存为 FAQ',
  faqQuestion: '问题',
  faqAnswer: '答案',
  faqRequired: '问题和答案都要填写。',
  cancel: '取消',
  confirm: '确定',
  close: '关闭',
  logout: '退出',
  adminSuffix: '（管理员）',
  editorSuffix: '（知识编辑）',
  usersManage: '账号管理',
  usersTitle: '账号与角色',
  usersEmpty: '还没有账号。',
  roles: { agent: '客服', editor: '知识编辑', admin: '管理员' } as Record<string, string>,
  roleHint: '客服：接入会话、回复、提交草稿；知识编辑：另可审核草稿、发布知识库；管理员：另可管理账号与运维。',
  userUsername: '账号',
  userDisplayName: '显示名',
  userRole: '角色',
  userPassword: '初始密码',
  userState: '状态',
  userActive: '正常',
  userDisabled: '已停用',
  userDisable: '停用',
  userEnable: '启用',
  userResetPassword: '重置密码',
  userNewPassword: '{username} 的新密码（至少 8 位）',
  userAdd: '添加账号',
  userAddTitle: '添加账号',
  userSave: '保存',
  userDisableConfirm: '停用账号 {username}？该账号将立即退出，无法再登录。',
  userYou: '（你）',
  notificationsEnable: '开启桌面通知',
  notificationsOn: '桌面通知已开启',
  notificationsBlocked: '浏览器已禁止桌面通知，可在浏览器设置中开启。',
  newWaitingTitle: '新的转人工会话',
  newWaitingBody: '{channel} · {user}：{question}',
  connectionLost: '与服务器的连接已断开，正在重新连接…',
  connectionBack: '已重新连接，列表已更新。',
  evicted: '{message} 刷新页面可恢复实时更新。',
  requestFailed: '请求失败（HTTP {status}），请稍后重试。',
  networkFailed: '无法连接服务器，请检查网络后重试。',
  actionFailed: '操作失败，请稍后重试。',
  /** Each channel's name on screen, from the channel registry (a channel names itself). */
  channels: Object.fromEntries(channelLabels().map((c) => [c.name, c.label.zh])) as Record<string, string>,
};
