import { XMLParser, XMLValidator } from 'fast-xml-parser';

export class XmlRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRejectedError';
  }
}

const MAX_DEPTH = 8;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
});

/**
 * Parses the small XML documents WeCom sends into a flat record of the root's children.
 * Refuses DTDs, entity declarations and processing instructions outright (no XXE, no entity expansion),
 * keeps every value a string (MsgId is 64-bit and must not become a Number), and bounds nesting.
 */
export function parseWecomXml(text: string): Record<string, string | Record<string, unknown>> {
  const markup = /<([!?])(\[CDATA\[)?/g;
  for (let m = markup.exec(text); m; m = markup.exec(text)) {
    if (m[1] === '!' && m[2]) continue;
    if (m[1] === '?' && m.index === text.search(/\S/) && /^<\?xml\s/.test(text.slice(m.index))) continue;
    throw new XmlRejectedError(m[1] === '!' ? 'DTDs, entities and comments are not accepted' : 'processing instructions are not accepted');
  }
  let depth = 0;
  let maxDepth = 0;
  for (const tag of text.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (tag[1]) depth--;
    else if (!tag[2]) maxDepth = Math.max(maxDepth, ++depth);
  }
  if (maxDepth > MAX_DEPTH) throw new XmlRejectedError(`XML nested deeper than ${MAX_DEPTH}`);
  // The validator and the parser throw errors of their own on some malformed input ("<A/"); any
  // failure of theirs is a malformed document to us.
  let doc: unknown;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw new XmlRejectedError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
    doc = parser.parse(text);
  } catch (error) {
    if (error instanceof XmlRejectedError) throw error;
    throw new XmlRejectedError(`malformed XML: ${(error as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || !('xml' in doc)) throw new XmlRejectedError('root element must be <xml>');
  const root = (doc as { xml: unknown }).xml;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new XmlRejectedError('<xml> must contain elements');
  return root as Record<string, string | Record<string, unknown>>;
}

/** A child element's text, or undefined when absent or not text. */
export function textOf(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}
