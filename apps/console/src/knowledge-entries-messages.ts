/**
 * The words of the 条目 tab (entries, draft, publishing, version history): the API's refusals (Chinese, then
 * English, merged into knowledgeMessages) and the page's own (Chinese, merged into knowledgeText).
 */
const fieldNames: Record<string, string> = {
  id: '条目编号',
  question: '标准问题',
  answer: '答案',
  similar: '相似问题',
  category: '分类',
  tags: '标签',
  wording: '问法',
};
const fieldName = (field: string) => fieldNames[field] ?? field;

export const entriesMessages = {
  entryFieldRequired: (field: string) => `请填写${fieldName(field)}。${field} is required.`,
  entryFieldNotText: (field: string) =>
    `${fieldName(field)}格式不对：应为文字${field === 'similar' || field === 'tags' ? '列表' : ''}。${field} has the wrong type.`,
  entryFieldTooLong: (field: string, max: number) =>
    `${fieldName(field)}太长（每项最多 ${max} 个字）。${field} is longer than ${max} characters.`,
  entryFieldTooMany: (field: string, max: number) =>
    field === 'id'
      ? `草稿里的条目已达上限 ${max} 个。The draft holds ${max} entries already.`
      : `${fieldName(field)}太多（最多 ${max} 个）。At most ${max} ${field}.`,
  wordingTaken: (wording: string, question: string) =>
    `「${wording}」已经是条目「${question}」的问题，同一问法不能属于两个条目：请改写，或编辑那个条目。That wording belongs to another entry.`,
  noDraft: '这个知识库目前没有草稿：先修改一个条目。There is no draft.',
  noDraftEntry: (entryId: string) =>
    `草稿中没有条目 ${entryId}（可能已被删除，请刷新）。The draft has no entry ${entryId}.`,
  noLiveEntry: (entryId: string) => `没有条目 ${entryId}。No entry ${entryId}.`,
  draftStale:
    '在你编辑草稿期间，有人发布了新版本，这份草稿是在旧版本上改的，发布会覆盖对方的改动：请放弃草稿，在最新版本上重新修改。Someone published meanwhile: discard your draft and make your changes again on the new version.',
  draftUnchanged: '草稿和当前版本没有差别，无需发布。The draft changes nothing.',
  draftEmpty: '发布后知识库将没有任何条目：请至少保留一个条目。The knowledge base would be empty.',
  draftBusy: '其他编辑正在同时修改这份草稿，请稍后重试。The draft kept changing; try again.',
  badView: 'view 只能是 live（当前版本）或 draft（草稿）。view must be live or draft.',
  badCount: 'offset 和 limit 应为不小于 0 的整数。offset and limit must be whole numbers ≥ 0.',
  badSearch: (max: number) => `搜索词应为文字，最多 ${max} 个字。The search must be text of at most ${max} characters.`,
  savedToDraft: '已保存到草稿，发布后生效。Saved to the draft.',
  deletedInDraft: '已在草稿中删除，发布后生效。Deleted in the draft.',
  draftConflict: (questions: string[]) =>
    `草稿和在此期间发布的新版本都改了这些条目：${questions.join('、')}。请先放弃草稿，再在新版本上重新修改。` +
    ` The draft and a version published meanwhile both changed: ${questions.join(', ')}. Discard the draft and edit the new version.`,
  indexFailed: (reason: string) =>
    `改动已记录，但检索索引没有生成成功（${reason}），机器人仍按上一版本回答：请确认向量服务正常后，再次查看改动并点「确认发布」。Recorded, but the search index was not built; publish again.`,
  badAgainst: 'against 只能是 live（当前版本）或 draft（草稿）。against must be live or draft.',
  badVersionId: '版本编号应为正整数。The version id must be a positive integer.',
  noSuchVersion: (id: number) => `没有版本 #${id}。No version #${id}.`,
  versionGone: (id: number) =>
    `版本 #${id} 的检索索引已被清理，无法直接回滚到它：请从版本历史查看它的改动，再通过草稿重新修改发布。Its search index is gone.`,
  versionActive: '这已经是当前在线的版本。That version is already live.',
  publishedMessage: (added: number, changed: number, removed: number) =>
    `已发布：新增 ${added}、修改 ${changed}、删除 ${removed} 个条目，机器人现在按新版本回答。Published.`,
  rolledBackMessage: (version: number) => `已回滚：机器人现在按 v${version} 回答。Rolled back.`,
  discardedMessage: '草稿已放弃，当前版本不受影响。Draft discarded.',
};

/** The 条目 tab's words (the page is for the FAQ owners of Chinese companies). */
export const entriesText = {
  tabEntries: '条目',
  entriesHint: '修改先存入草稿，员工看到的仍是当前版本；查看改动并确认发布后才会生效。',
  searchPlaceholder: '搜索问题、答案、分类或标签',
  search: '搜索',
  viewLive: '当前版本',
  viewDraft: '草稿',
  newEntryButton: '新增条目',
  entriesCount: '共 {count} 个条目',
  entriesFound: '找到 {count} 个条目（共 {total} 个）',
  entriesLoading: '正在读取…',
  entriesTruncated: '（只显示前 {shown} 个，请用搜索缩小范围）',
  noEntries: '没有符合条件的条目。',
  similarCount: '{count} 个相似问题',
  edit: '编辑',
  delete: '删除',
  confirmDelete: '确定删除，再点一次',
  formTitleNew: '新增条目',
  formTitleEdit: '编辑条目',
  fieldQuestion: '标准问题',
  fieldAnswer: '答案',
  fieldSimilar: '相似问题（每行一个）',
  fieldCategory: '分类',
  fieldTags: '标签（用逗号分隔）',
  saveToDraft: '保存到草稿',
  draftBanner: '草稿：新增 {added}、修改 {changed}、删除 {removed}（{by} 于 {at} 最后修改）',
  draftBannerStale: '有人在你编辑期间发布了新版本，这份草稿已过时，只能放弃后重新修改。',
  reviewAndPublish: '查看改动并发布',
  discardDraft: '放弃草稿',
  confirmDiscard: '确定放弃，再点一次',
  diffTitle: '发布前请确认以下改动',
  diffAdded: '新增',
  diffChanged: '修改',
  diffRemoved: '删除',
  diffNothing: '草稿和当前版本没有差别。',
  diffRebuild: '上次发布的检索索引没有生成成功，机器人仍按更早的版本回答；确认发布将重新生成。',
  diffBefore: '修改前',
  diffAfter: '修改后',
  confirmPublish: '确认发布',
  publishing: '正在发布（生成新版本的索引）…',
  closeDiff: '返回编辑',
  historyTitle: '版本历史',
  historyEmpty: '还没有版本记录：第一次发布后开始记录。',
  historyLine: '#{id} · {at} · {by} · {mode} · {source}',
  historyCounts: '条目 {count} 个：新增 {added}、修改 {changed}、删除 {removed}',
  historyLive: '在线',
  historyGone: '索引已清理',
  historyFailed: '生成失败',
  historyBuilding: '生成中',
  showChanges: '查看改动',
  rollbackTo: '回滚到此版本',
  confirmRollback: '确定回滚，再点一次',
  modes: {
    console: '知识库页面',
    upsert: '导入（更新）',
    append: '导入（追加）',
    replace: '导入（替换）',
    rollback: '回滚',
  } as Record<string, string>,
  fields: {
    question: '标准问题',
    answer: '答案',
    similar: '相似问题',
    category: '分类',
    tags: '标签',
  } as Record<string, string>,
  noCategory: '未分类',
  hitTestAgainstLive: '测当前版本',
  hitTestAgainstDraft: '测草稿',
  hitTestSearchedDraft: '以下是按草稿检索的结果（草稿尚未发布）。',
  hitTestNoDraft: '这个机器人没有草稿，以下是当前版本的结果。',
};
