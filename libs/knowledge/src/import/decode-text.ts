import { FaqParseError } from '../faq-entry';

/** The encodings an FAQ file is read in: what Excel, WPS and Notepad on Chinese Windows save. */
export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a text file whose encoding nobody told us. A byte-order mark decides; otherwise bytes that are
 * valid UTF-8 are UTF-8 (GBK text almost never is: its two-byte sequences break UTF-8's continuation rules),
 * and anything else is read as GB18030, the superset of GBK and GB2312 that "CSV (逗号分隔)" is saved in on
 * Chinese Windows. Bytes that are not GB18030 either are refused, never shown as replacement characters.
 */
export function decodeText(bytes: Uint8Array, source: string): { text: string; encoding: TextEncodingName } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: strict('utf-8', bytes.subarray(3), source), encoding: 'utf-8-bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: strict('utf-16le', bytes.subarray(2), source), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: strict('utf-16be', bytes.subarray(2), source), encoding: 'utf-16be' };
  if (bytes.includes(0))
    throw new FaqParseError(source, null, 'binary file, not text: save it as CSV, or import it as .xlsx/.docx');
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: strict('gb18030', bytes, source), encoding: 'gb18030' };
  }
}

function strict(encoding: string, bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FaqParseError(
      source,
      null,
      `the file is neither UTF-8 nor GBK/GB18030 text (read as ${encoding}, it has invalid bytes): save it again as "CSV UTF-8"`,
    );
  }
}
