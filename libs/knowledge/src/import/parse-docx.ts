import mammoth from 'mammoth';
import { FaqParseError, type FaqEntry } from '../faq-entry';
import { parseFaqMarkdown } from '../parse-markdown';
import { parseQaText } from '../parse-qa-text';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
const decodeEntities = (text: string) =>
  text
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, name: string) => ENTITIES[name] ?? '')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)));
const inline = (html: string) =>
  decodeEntities(
    html
      .replace(/<br\s*\/?>/g, '\n')
      .replace(/<[^>]+>/g, '')
      .trim(),
  );

/**
 * The text of a Word document as Markdown lines: its headings (Word's 标题 1–6 styles) as "#" headings,
 * paragraphs, list items as "- ", table rows as "a | b". Images and formatting are left out: an answer is
 * sent as chat text.
 */
export async function docxToMarkdown(bytes: Uint8Array, source: string): Promise<string> {
  let html: string;
  try {
    ({ value: html } = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { convertImage: mammoth.images.imgElement(async () => ({ src: '' })) },
    ));
  } catch (error) {
    throw new FaqParseError(
      source,
      null,
      `not a Word .docx document (${(error as Error).message}); an old .doc must be saved as .docx first`,
    );
  }
  // mammoth writes flat, well-formed HTML: one block element after another, so a block-level scan is exact.
  const lines: string[] = [];
  for (const block of html.matchAll(/<(h[1-6]|p|li|tr)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
    const [, tag = 'p', content = ''] = block;
    if (tag === 'tr') {
      const cells = [...content.matchAll(/<t[dh]\b[^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => inline(c[1] ?? ''));
      if (cells.some(Boolean)) lines.push(cells.join(' | '));
    } else if (tag.startsWith('h')) lines.push('', `${'#'.repeat(Number(tag.slice(1)))} ${inline(content)}`, '');
    else if (tag === 'li') lines.push(`- ${inline(content)}`);
    else if (!/<\/?(li|tr|td)\b/.test(content)) lines.push(inline(content));
  }
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A Word FAQ: headings become entries (as in Markdown: a heading phrased as a question is an FAQ entry, any
 * other a document section); a document without headings is read as 问：/答： paragraphs.
 */
export async function parseFaqDocx(bytes: Uint8Array, source: string): Promise<FaqEntry[]> {
  return entriesOfDocxText(await docxToMarkdown(bytes, source), source);
}

/** The entries of a Word document's text (`docxToMarkdown`). */
export function entriesOfDocxText(markdown: string, source: string): FaqEntry[] {
  if (!markdown) throw new FaqParseError(source, null, 'the document has no text');
  if (/^#{1,6} /m.test(markdown)) return parseFaqMarkdown(markdown, source);
  if (/^\s*(?:Q|问)\s*[:：]/im.test(markdown)) return parseQaText(markdown, source);
  throw new FaqParseError(
    source,
    null,
    'no entries found: give each question a heading style (标题 1–3), or write the pairs as 问：… / 答：… paragraphs',
  );
}
