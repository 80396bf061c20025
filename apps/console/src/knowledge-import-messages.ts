/**
 * What the 导入 (import) tab of the knowledge pages says, Chinese first: the API's refusals (merged into
 * knowledgeMessages) and the page's own words (merged into knowledgeText, served as /knowledge/messages.js).
 */
export const importMessages = {
  importNoName:
    '请在 name 中给出文件名（含扩展名，如 常见问题.xlsx）。Give the file name, with its extension, in the name parameter.',
  importBadMode: (mode: string) =>
    `导入方式 ${mode} 不存在：应为 replace（全部替换）、upsert（更新或新增）或 append（仅新增）。mode must be replace, upsert or append.`,
  importTooLarge: (mb: number) =>
    `文件超过 ${mb} MB，未读取。请把文件拆成几份分别导入。The file is larger than ${mb} MB: split it and import the parts.`,
  importEmpty: '文件是空的，没有可导入的内容。The file is empty.',
  importUnreadable: (name: string, why: string) => `无法导入「${name}」：${why}`,
  importNoRows: (name: string) =>
    `「${name}」里没有可导入的条目，知识库未作任何修改。请按下面列出的问题修改文件后重新预览。No valid rows: nothing was changed.`,
  importPreviewGone:
    '预览已过期或已发布过，请重新选择文件并预览。The preview expired or was already published: preview the file again.',
  importChangedMeanwhile:
    '预览之后知识库被其他人修改过（或有新的已审核条目、问法），为免覆盖别人的修改，本次未发布。请重新预览后再发布。The knowledge base changed since the preview: preview again.',
  importNoPreviewId: '缺少 previewId：请先预览。previewId is required: preview the file first.',
  importPublished: (version: number | null, added: number, changed: number, removed: number) =>
    `已发布${version === null ? '' : ` v${version}`}：新增 ${added} 条，修改 ${changed} 条，删除 ${removed} 条。机器人现在按新版本回答。Published: the bot answers from the new version now.`,
};

/**
 * A problem the FAQ readers found (their detail is English, shared with kb ingest), in Chinese first. A detail
 * no pattern knows is passed on after a Chinese lead, so nothing is lost.
 */
const ISSUE_WORDS: [RegExp, (...m: string[]) => string][] = [
  [
    /^the first row must name the columns 问题 and 答案.*?(?:; it has: (.*)|; the file is empty)$/,
    (has) => (has ? `第一行应为列名，至少要有「问题」和「答案」两列；现在是：${has}` : '文件是空的'),
  ],
  [
    /^no worksheet has a header row naming the columns 问题 and 答案$/,
    () => '没有哪个工作表的第一行写着「问题」和「答案」列名',
  ],
  [/^skipped: no header row naming 问题 and 答案$/, () => '已跳过：这个工作表没有「问题」「答案」列名'],
  [
    /^a row with similar questions but no entry above it to add them to$/,
    () => '这一行只有相似问题，但上面没有可以归属的条目',
  ],
  [/^an answer without a question \(问题 is empty\)$/, () => '有答案但「问题」是空的'],
  [/^"(.*)" has no answer \(答案 is empty\)$/s, (q) => `「${q}」没有答案（「答案」是空的）`],
  [/^"(.*)" is already a question on line (\d+)$/s, (q, line) => `「${q}」与第 ${line} 行的问题重复`],
  [/^id (.*) is already used on line (\d+)$/, (id, line) => `编号 ${id} 与第 ${line} 行重复`],
  [/^"(.*)" is also on an earlier sheet$/s, (q) => `「${q}」在前面的工作表里已经有了`],
  [/^no FAQ entries found$/, () => '没有找到 FAQ 条目'],
  [/^duplicate entry id (\S+) \("(.*)"\)$/s, (id, q) => `条目编号 ${id} 重复（「${q}」）`],
  [/^heading "(.*)" has no answer text$/s, (h) => `标题「${h}」下面没有答案文字`],
  [/^question "(.*)" has no "A:" line$/s, (q) => `问题「${q}」后面没有「A:」答案行`],
  [/^question "(.*)" has an empty answer$/s, (q) => `问题「${q}」的答案是空的`],
  [/^empty question$/, () => '问题是空的'],
  [/^"A:" without a question before it$/, () => '「A:」前面没有问题'],
  [/^second "A:" for the same question$/, () => '同一个问题有两个「A:」'],
  [/^expected "A:" or another "Q:" after a question$/, () => '问题后面应是「A:」或另一个「Q:」'],
  [/^expected a line starting with "Q:"$/, () => '这一行应以「Q:」开头'],
  [/^the document has no text$/, () => '文档里没有文字'],
  [
    /^no entries found: give each question a heading style/,
    () => '没有找到条目：请给每个问题设置标题样式（标题 1–3），或按「问：…」「答：…」分段书写',
  ],
  [/^not a Word \.docx document/, () => '不是 Word .docx 文档（旧的 .doc 请先另存为 .docx）'],
  [/^not an Excel \.xlsx workbook/, () => '不是 Excel .xlsx 工作簿（旧的 .xls 请先另存为 .xlsx）'],
  [/^more than (\d+) rows: split the workbook$/, (n) => `超过 ${n} 行，请把工作簿拆开`],
  [/^not valid CSV/, () => '不是有效的 CSV（引号可能没有配对）'],
  [/^binary file, not text/, () => '这是二进制文件，不是文本：请另存为 CSV，或以 .xlsx/.docx 导入'],
  [
    /^the file is neither UTF-8 nor GBK\/GB18030 text/,
    () => '文件既不是 UTF-8 也不是 GBK/GB18030 文本，读出来会是乱码：请在 Excel 中另存为「CSV UTF-8」',
  ],
  [
    /^cannot import "(.*)" files/,
    (ext) => `不能导入 ${ext} 文件：请用 .xlsx、.csv、.docx、.md、.jsonl 或 .txt（旧的 .xls 请另存为 .xlsx）`,
  ],
  [/^the file is larger than (\d+) MB$/, (mb) => `文件超过 ${mb} MB`],
  [/^not a JSON object$/, () => '这一行不是 JSON 对象（JSON Lines 每行一个对象）'],
  [/^[\w.]*: /, () => '这一行不是有效的条目：每行应是一个 JSON 对象，至少要有非空的 question 和 answer'],
];

export function issueInWords(detail: string): string {
  for (const [pattern, words] of ISSUE_WORDS) {
    const match = pattern.exec(detail);
    if (match) return `${words(...match.slice(1).map((m) => m ?? ''))}。${detail}`;
  }
  return `文件有问题：${detail}`;
}

/** The 导入 tab's words (Chinese only, as the rest of the page). */
export const importText = {
  tabImport: '导入',
  importHint:
    '从文件批量导入问答：Excel（.xlsx，列名 问题/答案/相似问题/分类/标签）、CSV（UTF-8 或 GBK 都可以）、Word（.docx，标题即问题）、Markdown、JSON Lines。先预览，确认无误再发布。',
  importFile: '选择文件',
  importNoFile: '未选择文件',
  importMode: '导入方式',
  modeUpsert: '更新或新增（推荐）',
  modeUpsertHint: '文件里的问题已存在就更新答案、补充相似问题，不存在就新增。文件里没有的条目保持不变。',
  modeAppend: '仅新增',
  modeAppendHint: '只添加知识库里还没有的问题；已有的问题一律不改，文件里没有的条目也保持不变。',
  modeReplace: '全部替换',
  modeReplaceHint:
    '以文件为准：文件里没有的条目会从知识库中删除（客服保存并审核过的条目除外）。请确认文件是完整的知识库。',
  importPreview: '预览',
  importPreviewing: '正在读取文件并比较…',
  importChooseFile: '请先选择一个文件。',
  importTooLarge: '文件超过 {mb} MB，请拆成几份分别导入。',
  importSummary: '{file}：共读到 {rows} 条。发布后知识库共 {total} 条。',
  importEncoding: '文件编码：{encoding}',
  importAdded: '新增 {n} 条',
  importChanged: '修改 {n} 条',
  importRemoved: '删除 {n} 条',
  importUnchanged: '不变 {n} 条',
  importSkipped: '文件中有 {n} 条已存在，未改动',
  importIssues: '有问题的行（{n} 处，这些行不会导入）',
  importIssueLine: '第 {line} 行',
  importIssueSheet: '工作表「{sheet}」',
  importIssueFile: '整个文件',
  importMore: '还有 {n} 条未列出',
  importNothing: '导入后知识库不会有任何变化，无需发布。',
  importKept: '保留客服保存的条目 {saved} 条，学到的问法 {learned} 个。',
  importRemovedWarning: '注意：发布后这 {n} 个条目会从知识库删除，机器人将不再用它们回答。',
  importPublish: '发布',
  importConfirm: '确认发布？发布后机器人立即按新版本回答。',
  importConfirmReplace: '确认发布？将删除 {n} 个条目，机器人立即按新版本回答。',
  importConfirmYes: '确认发布',
  importCancel: '取消',
  importPublishing: '正在发布（为每个问法生成向量，条目多时需要一会儿）…',
  importFieldQuestion: '问题',
  importFieldAnswer: '答案',
  importFieldCategory: '分类',
  importFieldTags: '标签',
  questionsAdded: '新增问法',
  questionsRemoved: '删除问法',
  importSimilarCount: '相似问题 {n} 个',
  before: '原来',
  after: '改为',
};
