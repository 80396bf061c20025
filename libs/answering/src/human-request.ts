/**
 * Is a message a request to talk to a person? Matched on what people type to reach one (转人工, 找客服,
 * 不想跟机器人说, talk to a human, call me…), and refused on what only looks like it: questions about the bot
 * itself (你是真人吗, are you human?) and the words in other senses (人工智能, 人工费, 人力资源, human
 * resources, agent software). Built from data/intents/human-requests.jsonl and measured on a held-out set
 * written apart from it (data/intents/human-requests-heldout.jsonl, bench/quality/HUMAN-REQUESTS.md).
 */

const FULL_WIDTH = /[\uff01-\uff5e]/g;

/** Lower case, half-width, single spaces: what the patterns are written against. */
function normalize(text: string): string {
  return text
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Who a person can be in a request: the words after 找/要/叫/联系… */
const PERSON = '(?:人工|真人|客服|工作人员|同事|经理|主管|负责人|领导|值班|专员|坐席|hr|it)';

/** Unmistakable: a request for a person whatever else the message says. */
const TRANSFER = /转\s*(?:个|一下|到|给|接)?\s*(?:人工|真人|客服|同事|工作人员|人$)/;

/** Strong, unless the message is about something else (a past conversation, the bot itself). */
const EXPLICIT = [
  /(?:^|[^智])人工\s*(?:客服|服务|坐席|接待|处理|回复|帮忙|帮我|介入|对话|在吗|在么|在不在|呢|吧|$)/,
  /^(?:人工|客服|真人|rg|zrg)(?:[!?.。！？~\s]|$)/,
  /真人\s*(?:客服|服务|回复)/,
];

const CHINESE = [
  new RegExp(`(?:找|要|换|叫|接|来|请|联系|需要|有没有|让|喊)\\s*(?:个|一个|一下|下|你们的?|你们)?\\s*${PERSON}`),
  /(?:找|要|来|喊)\s*(?:个|一个)?\s*人(?![事力资员工口数])/,
  /有\s*(?:没有)?\s*(?:人工|客服|真人|人)\s*(?:在|吗|么|嘛|不|$)/,
  /(?:跟|和|与|同)\s*(?:真人|人工|客服|人)\s*(?:聊|说|谈|对话|沟通|交流|讲)/,
  /(?:不要|不想|不用|别用|别|不愿意?)\s*(?:再)?\s*(?:跟|和|与)?\s*(?:你|这个)?\s*机器人/,
  /我(?:要|想|必须)投诉/,
  /要投诉你们|投诉你们/,
  /给我打(?:个)?电话|打(?:个)?电话给我|电话联系我|回(?:个)?电话?给我|让人回电|回电/,
  new RegExp(`(?:让|请|叫|麻烦)\\s*${PERSON}(?:的人|的同事)?\\s*(?:联系|回复|来|处理|帮|看|跟进|给我)`),
  /(?:客服|人工)\s*(?:在吗|在么|在哪|在不在|呢|电话)/,
  /(?:联系|找|转接)\s*(?:一下)?\s*(?:人工)?\s*客服/,
];

const ENGLISH = [
  /\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a |an |the |your |some |one of your )?(?:human|person|real person|someone|somebody|agent|representative|rep|manager|operator|customer (?:service|support)|support|staff|hr|it)\b/,
  /\b(?:real|live|actual)\s+(?:person|human|agent|people)\b/,
  /\b(?:transfer|connect|escalate|put|pass)\b.{0,30}\b(?:person|human|agent|someone|somebody|representative|operator|staff)\b/,
  /\b(?:contact|call|need|want|get|reach)\s+(?:me\s+)?(?:a\s+)?(?:customer (?:service|support)|human|representative|operator|manager)\b/,
  /^(?:human|humans|operator|representative|agent|person|customer service|support)(?:,? please)?[.!?]*$/,
  /^(?:human|agent|operator)\s+(?:please|now|pls|plz)\b/,
  /\b(?:have|get)\s+(?:someone|somebody)\s+(?:to\s+)?(?:call|contact|help)\b/,
  /\bcall me\b|\bcall me back\b|\bgive me a call\b/,
  /\b(?:is )?(?:anyone|anybody|someone|somebody) (?:there|here|around|available)\b/,
  /\b(?:can|could) (?:someone|somebody|a person|a human) help\b/,
  /\bnot (?:a |the |this )?(?:bot|robot|machine)\b/,
  /\b(?:stop|no more) (?:the )?(?:bot|robot)\b/,
];

/** Looks like a request, is not: the bot asked about itself, or the words in another sense. */
const NOT_A_REQUEST = [
  /(?:你|您)\s*(?:是|是不是|到底是)\s*(?:真人|机器人|人工|人|ai|智能)/,
  /(?:是|是不是)\s*(?:真人|机器人)\s*(?:吗|么|嘛|呢|回复|在回)/,
  /人工智能|人工费|人工湖|人工成本|人工审核|人工工时|人力资源|人事部|人事专员/,
  /(?:刚才|之前|上次|昨天)的?\s*(?:人工|客服)/,
  /客服(?:系统|软件|工具|后台|平台)/,
  /\bare (?:you|u) (?:a |an )?(?:human|bot|robot|real|person|machine|ai)\b/,
  /\bis this (?:a )?(?:real person|bot|human|robot|machine|ai)\b/,
  /\bhuman resources?\b|\bartificial intelligence\b|\breal estate\b/,
  /\bagent (?:software|app|install)|\binstall(?:ing)? the agent\b|\b(?:earn|salary|pay) .*agent|agent (?:earn|salary)/,
];

export function isRequestForPerson(text: string): boolean {
  const t = normalize(text);
  if (!t) return false;
  if (TRANSFER.test(t)) return true;
  if (NOT_A_REQUEST.some((p) => p.test(t))) return false;
  return [...EXPLICIT, ...CHINESE, ...ENGLISH].some((p) => p.test(t));
}
