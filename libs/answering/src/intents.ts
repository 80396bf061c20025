import { isRequestForPerson } from './human-request';

/** What a message is before it is a question: recognized without searching the knowledge base. */
export type Intent =
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  | { kind: 'human' }
  | { kind: 'unhelpful' }
  | { kind: 'pick'; index: number }
  | { kind: 'question' };

// Messages are matched whole after trimming punctuation, so "你好，年假有几天" is still a question.
const TRIM = /^[\s\p{P}\p{S}~～]+|[\s\p{P}\p{S}~～]+$/gu;
const GREETING =
  /^(你好|您好|hi|hello|hey|嗨|哈喽|在吗|在么|在不在|早上好|中午好|下午好|晚上好|早安|晚安|你好呀|您好呀|hi there)$/i;
const THANKS =
  /^(谢谢|谢谢你|谢谢您|多谢|感谢|非常感谢|好的谢谢|好的，谢谢|ok谢谢|thanks|thank you|thx|ty|明白了谢谢|知道了谢谢|收到谢谢)$/i;
const UNHELPFUL =
  /^(没用|没有用|没帮助|没有帮助|不对|不是这个|答非所问|不是我要的|没解决|还是不行|not helpful|that didn'?t help|wrong answer|no)$/i;
const FULL_WIDTH_DIGITS = /[０-９]/g;

export function classifyIntent(text: string): Intent {
  const whole = text.replace(FULL_WIDTH_DIGITS, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(TRIM, '');
  if (/^[1-9]$/.test(whole)) return { kind: 'pick', index: Number(whole) };
  if (isRequestForPerson(text)) return { kind: 'human' };
  if (GREETING.test(whole)) return { kind: 'greeting' };
  if (THANKS.test(whole)) return { kind: 'thanks' };
  if (UNHELPFUL.test(whole)) return { kind: 'unhelpful' };
  return { kind: 'question' };
}
