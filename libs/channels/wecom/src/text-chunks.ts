/** WeCom truncates text messages beyond 2048 bytes of UTF-8; longer answers go out as several. */
export const WECOM_TEXT_LIMIT_BYTES = 2048;

/** Splits text into pieces of at most `limit` UTF-8 bytes, preferring line breaks, never splitting a character. */
export function splitUtf8(text: string, limit = WECOM_TEXT_LIMIT_BYTES): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest, 'utf8') > limit) {
    let bytes = 0;
    let cut = 0;
    let lastBreak = -1;
    for (const ch of rest) {
      const size = Buffer.byteLength(ch, 'utf8');
      if (bytes + size > limit) break;
      bytes += size;
      cut += ch.length;
      if (ch === '\n') lastBreak = cut;
    }
    const at = lastBreak > cut / 2 ? lastBreak : cut;
    chunks.push(rest.slice(0, at).replace(/\n+$/, ''));
    rest = rest.slice(at).replace(/^\n+/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}
