export class XmlRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRejectedError';
  }
}

export type XmlValue = string | XmlRecord | XmlValue[];
export interface XmlRecord {
  [name: string]: XmlValue;
}

const MAX_DEPTH = 8;
const NAME = /[A-Za-z_][\w.-]*/y;
const ATTRIBUTES = /(?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlRejectedError(`bare "&" in text near offset ${at}`);
    if (ref in PREDEFINED) return PREDEFINED[ref] ?? '';
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#([0-9]{1,7})$/.exec(ref)?.[1];
    if (code !== undefined) {
      const cp = ref.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlRejectedError(`invalid character reference &${ref};`);
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
 * bounds nesting. Hand-written because it sits on the hot path of every callback: it is a few times
 * faster than a general parser plus its validator, and its whole grammar fits on one screen.
 */
export function parseWecomXml(text: string): XmlRecord {
  let pos = 0;
  const fail = (why: string): never => {
    throw new XmlRejectedError(`${why} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (!m) return fail('expected an element name');
    pos += m[0].length;
    return m[0];
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, pos)) fail(`expected "${s}"`);
    pos += s.length;
  };

  /** Parses one element at `pos` (which is at "<"); returns its name and value. */
  const element = (depth: number): [string, XmlValue] => {
    if (depth > MAX_DEPTH) fail(`XML nested deeper than ${MAX_DEPTH}`);
    expect('<');
    const name = readName();
    ATTRIBUTES.lastIndex = pos;
    pos += ATTRIBUTES.exec(text)?.[0].length ?? 0;
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return [name, ''];
    }
    expect('>');
    let textValue = '';
    let children: XmlRecord | null = null;
    for (;;) {
      if (pos >= text.length) fail(`unclosed <${name}>`);
      const next = text.indexOf('<', pos);
      if (next === -1) fail(`unclosed <${name}>`);
      if (next > pos) {
        textValue += decodeText(text.slice(pos, next), pos);
        pos = next;
      }
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end === -1) fail('unterminated CDATA section');
        textValue += text.slice(pos + 9, end);
        pos = end + 3;
      } else if (text.startsWith('</', pos)) {
        pos += 2;
        if (readName() !== name) fail(`mismatched closing tag for <${name}>`);
        skipSpace();
        expect('>');
        return [name, children ?? textValue.trim()];
      } else if (text.startsWith('<!', pos) || text.startsWith('<?', pos)) {
        fail('DTDs, entities, comments and processing instructions are not accepted');
      } else {
        const [childName, value] = element(depth + 1);
        children ??= {};
        const existing = children[childName];
        children[childName] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
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
  if (text.startsWith('<!', pos) || text.startsWith('<?', pos)) fail('DTDs, entities, comments and processing instructions are not accepted');
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
