import { MAX_XML_NAME_CHARS, XML_ATTRIBUTES, XML_MARKUP_REFUSED, XML_NAME, XmlRejectedError } from './strict-xml';

/** Fields an envelope may hold: WeCom sends ToUserName, AgentID and Encrypt; the rest is room to spare. */
export const MAX_ENVELOPE_FIELDS = 16;
/** Characters of a field other than <Encrypt> (a CorpID, an AgentID): read past, never used. */
export const MAX_ENVELOPE_FIELD_CHARS = 1_024;
const MAX_DECLARATION_CHARS = 256;

const isXmlSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Reads the <Encrypt> value out of a callback envelope
 * (`<xml><ToUserName>…</ToUserName><Encrypt><![CDATA[…]]></Encrypt><AgentID>…</AgentID></xml>`).
 * This is all the work done on a body before its signature is checked, so it is one forward pass with
 * fixed bounds: at most MAX_ENVELOPE_FIELDS flat fields, each text or one CDATA section, no nesting, no
 * entity decoding (nothing but <Encrypt> is used, and that is base64), and DTDs, comments and
 * processing instructions refused like everywhere else. The decrypted message, once authenticated, is
 * parsed in full by parseWecomXml.
 */
export function readEncryptedField(body: string): string {
  let pos = 0;
  const fail = (why: string): never => {
    throw new XmlRejectedError(`${why} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (pos < body.length && isXmlSpace(body.charCodeAt(pos))) pos++;
  };
  const expect = (s: string) => {
    if (!body.startsWith(s, pos)) fail(`expected "${s}"`);
    pos += s.length;
  };
  const refuseMarkup = () => {
    if (body.startsWith('<?', pos) || (body.startsWith('<!', pos) && !body.startsWith('<![CDATA[', pos)))
      fail(XML_MARKUP_REFUSED);
  };
  const readName = (): string => {
    XML_NAME.lastIndex = pos;
    const m = XML_NAME.exec(body);
    if (!m) return fail('expected an element name');
    if (m[0].length > MAX_XML_NAME_CHARS) fail(`element name longer than ${MAX_XML_NAME_CHARS} characters`);
    pos += m[0].length;
    return m[0];
  };
  /** `<name attr="…">` or `<name/>`; true when it is empty (self-closing). */
  const openTag = (): [string, boolean] => {
    expect('<');
    const name = readName();
    XML_ATTRIBUTES.lastIndex = pos;
    pos += XML_ATTRIBUTES.exec(body)?.[0].length ?? 0;
    if (body.startsWith('/>', pos)) {
      pos += 2;
      return [name, true];
    }
    expect('>');
    return [name, false];
  };
  const closeTag = (name: string) => {
    expect('</');
    if (readName() !== name) fail(`mismatched closing tag for <${name}>`);
    skipSpace();
    expect('>');
  };
  /** The text of a field whose open tag was just read: plain text, or one CDATA section with spaces around. */
  const fieldText = (name: string): string => {
    const start = pos;
    let value: string;
    skipSpace();
    if (body.startsWith('<![CDATA[', pos)) {
      const end = body.indexOf(']]>', pos + 9);
      if (end === -1) fail('unterminated CDATA section');
      value = body.slice(pos + 9, end);
      pos = end + 3;
      skipSpace();
    } else {
      const next = body.indexOf('<', pos);
      if (next === -1) fail(`unclosed <${name}>`);
      value = body.slice(start, next);
      pos = next;
    }
    if (!body.startsWith('</', pos)) {
      refuseMarkup();
      fail(`field <${name}> may hold only text or one CDATA section`);
    }
    closeTag(name);
    if (name !== 'Encrypt' && value.length > MAX_ENVELOPE_FIELD_CHARS)
      fail(`field <${name}> longer than ${MAX_ENVELOPE_FIELD_CHARS} characters`);
    return value.trim();
  };

  skipSpace();
  if (body.startsWith('<?xml', pos)) {
    const end = body.indexOf('?>', pos);
    if (end === -1 || end - pos > MAX_DECLARATION_CHARS || !/^<\?xml(\s[^<>]*)?$/.test(body.slice(pos, end)))
      fail('malformed XML declaration');
    pos = end + 2;
    skipSpace();
  }
  refuseMarkup();
  if (body[pos] !== '<') fail('not an XML document');
  const [rootName, rootEmpty] = openTag();
  if (rootName !== 'xml') fail('root element must be <xml>');
  let encrypted: string | undefined;
  let fields = 0;
  while (!rootEmpty) {
    skipSpace();
    if (pos >= body.length) fail('unclosed <xml>');
    if (body.startsWith('</', pos)) {
      closeTag('xml');
      break;
    }
    refuseMarkup();
    if (body[pos] !== '<' || body.startsWith('<![CDATA[', pos)) fail('text between fields');
    if (++fields > MAX_ENVELOPE_FIELDS) fail(`more than ${MAX_ENVELOPE_FIELDS} fields`);
    const [name, empty] = openTag();
    const value = empty ? '' : fieldText(name);
    if (name === 'Encrypt') {
      if (encrypted !== undefined) fail('more than one <Encrypt>');
      encrypted = value;
    }
  }
  skipSpace();
  if (pos !== body.length) fail('content after </xml>');
  if (!encrypted)
    throw new XmlRejectedError('no <Encrypt> (a WeCom callback body is <xml>…<Encrypt>ciphertext</Encrypt>…</xml>)');
  return encrypted;
}
