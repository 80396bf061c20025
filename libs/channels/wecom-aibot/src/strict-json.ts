import { RejectedInputError } from '@answerbridge/core';

export interface JsonLimits {
  maxBytes: number;
  /** Objects and arrays nested deeper than this are refused before parsing. */
  maxDepth: number;
}

/**
 * JSON.parse behind two limits checked in one linear pass first: the size, and the nesting depth (a deeply
 * nested body costs the parser and every walker after it, and no callback nests beyond a few levels).
 * Returns a plain object or throws RejectedInputError (400) naming what was wrong.
 */
export function parseJsonObject(text: string, limits: JsonLimits, what: string): Record<string, unknown> {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes)
    throw new RejectedInputError('AIBOT.TOO_LARGE', `${what}: more than ${limits.maxBytes} bytes`, 413);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.maxDepth)
        throw new RejectedInputError('AIBOT.TOO_DEEP', `${what}: nested deeper than ${limits.maxDepth}`, 400);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RejectedInputError('AIBOT.BAD_JSON', `${what}: not JSON`, 400);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RejectedInputError('AIBOT.BAD_JSON', `${what}: not a JSON object`, 400);
  return value as Record<string, unknown>;
}
