import { AnswerbridgeError } from '@answerbridge/core';

export class XmlRejectedError extends AnswerbridgeError {
  constructor(message: string) {
    super('WECOM.XML_REJECTED', message, false);
  }
}

export type XmlValue = string | XmlRecord | XmlValue[];
export interface XmlRecord {
  [name: string]: XmlValue;
}

/**
 * How much one document may hold. A WeCom message has 10–20 elements a level or two deep and its longest
 * field is a 2,048-byte text; these limits are generous for that and keep every document's cost small.
 */
export interface XmlLimits {
  /** Elements in the whole document, the root included. */
  maxElements: number;
  /** Nesting depth; the root is at depth 1. */
  maxDepth: number;
  /** Characters of one element's text (text and CDATA together, before trimming). */
  maxTextChars: number;
}

export const WECOM_XML_LIMITS: Readonly<XmlLimits> = { maxElements: 256, maxDepth: 8, maxTextChars: 16_384 };

/** Longest element name accepted (WeCom's longest is about 25 characters). */
export const MAX_XML_NAME_CHARS = 64;
/** An element name; sticky, for reading at a position. */
export const XML_NAME = /[A-Za-z_][\w.-]*/y;
/** Attributes (accepted and ignored); sticky. Linear: each repetition starts with whitespace and a name. */
export const XML_ATTRIBUTES = /(?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*/y;
export const XML_MARKUP_REFUSED = 'DTDs, entities, comments and processing instructions are not accepted';
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlRejectedError(`bare "&" in text near offset ${at}`);
    if (ref in PREDEFINED) return PREDEFINED[ref] ?? '';
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#([0-9]{1,7})$/.exec(ref)?.[1];
    if (code !== undefined) {
      const cp = ref.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        throw new XmlRejectedError(`invalid character reference &${ref};`);
      return String.fromCodePoint(cp);
    }
    // Only the five predefined entities exist without a DTD, and DTDs are refused.
    throw new XmlRejectedError(`undefined entity &${ref};`);
  });
}

/**
 * A strict parser for the small documents WeCom sends: elements, text, CDATA and the five predefined
 * entities. It refuses DTDs, entity declarations, comments and processing instructions (no XXE, no
 * entity expansion), keeps every value a string (MsgId is 64-bit and must not become a Number), and
 * bounds the element count, the nesting and each field's length (`limits`). One forward pass: its cost
 * is linear in the input, and the limits make it small. Hand-written because it sits on the hot path of
 * every callback: it is a few times faster than a general parser plus its validator, and its whole
 * grammar fits on one screen.
 */
export function parseWecomXml(text: string, limits: Readonly<XmlLimits> = WECOM_XML_LIMITS): XmlRecord {
  let pos = 0;
  let elements = 0;
  const fail = (why: string): never => {
    throw new XmlRejectedError(`${why} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
  };
  const readName = (): string => {
    XML_NAME.lastIndex = pos;
    const m = XML_NAME.exec(text);
    if (!m) return fail('expected an element name');
    if (m[0].length > MAX_XML_NAME_CHARS) fail(`element name longer than ${MAX_XML_NAME_CHARS} characters`);
    pos += m[0].length;
    return m[0];
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, pos)) fail(`expected "${s}"`);
    pos += s.length;
  };

  /** Parses one element at `pos` (which is at "<"); returns its name and value. */
  const element = (depth: number): [string, XmlValue] => {
    if (depth > limits.maxDepth) fail(`XML nested deeper than ${limits.maxDepth}`);
    if (++elements > limits.maxElements) fail(`XML has more than ${limits.maxElements} elements`);
    expect('<');
    const name = readName();
    XML_ATTRIBUTES.lastIndex = pos;
    pos += XML_ATTRIBUTES.exec(text)?.[0].length ?? 0;
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return [name, ''];
    }
    expect('>');
    let textValue = '';
    // Null prototype: an element named __proto__ is a field like any other, not the record's prototype.
    let children: XmlRecord | null = null;
    const addText = (raw: string) => {
      textValue += raw;
      if (textValue.length > limits.maxTextChars)
        fail(`text of <${name}> longer than ${limits.maxTextChars} characters`);
    };
    for (;;) {
      if (pos >= text.length) fail(`unclosed <${name}>`);
      const next = text.indexOf('<', pos);
      if (next === -1) fail(`unclosed <${name}>`);
      if (next > pos) {
        // Checked before decoding too, so an over-long run of entities is refused without being decoded.
        if (next - pos > limits.maxTextChars) fail(`text of <${name}> longer than ${limits.maxTextChars} characters`);
        addText(decodeText(text.slice(pos, next), pos));
        pos = next;
      }
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end === -1) fail('unterminated CDATA section');
        addText(text.slice(pos + 9, end));
        pos = end + 3;
      } else if (text.startsWith('</', pos)) {
        pos += 2;
        if (readName() !== name) fail(`mismatched closing tag for <${name}>`);
        skipSpace();
        expect('>');
        return [name, children ?? textValue.trim()];
      } else if (text.startsWith('<!', pos) || text.startsWith('<?', pos)) {
        fail(XML_MARKUP_REFUSED);
      } else {
        const [childName, value] = element(depth + 1);
        children ??= Object.create(null) as XmlRecord;
        const existing = children[childName];
        // A repeated element collects into one array, appended in place: copying it per repeat made a
        // document of n repeats cost n² (issue 10).
        if (existing === undefined) children[childName] = value;
        else if (Array.isArray(existing)) existing.push(value);
        else children[childName] = [existing, value];
      }
    }
  };

  skipSpace();
  if (text.startsWith('<?xml', pos)) {
    const end = text.indexOf('?>', pos);
    if (end === -1 || !/^<\?xml(\s[^<>]*)?$/.test(text.slice(pos, end))) fail('malformed XML declaration');
    pos = end + 2;
    skipSpace();
  }
  if (text.startsWith('<!', pos) || text.startsWith('<?', pos)) fail(XML_MARKUP_REFUSED);
  if (text[pos] !== '<') fail('not an XML document');
  const [rootName, root] = element(1);
  skipSpace();
  if (pos !== text.length) fail('content after the root element');
  if (rootName !== 'xml') throw new XmlRejectedError('root element must be <xml>');
  if (typeof root !== 'object' || Array.isArray(root)) throw new XmlRejectedError('<xml> must contain elements');
  return root;
}

/** A child element's text, or undefined when absent or not text. */
export function textOf(record: XmlRecord, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}
