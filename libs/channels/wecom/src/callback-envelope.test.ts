import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_FIELDS, MAX_ENVELOPE_FIELD_CHARS, readEncryptedField } from './callback-envelope';
import { XmlRejectedError, parseWecomXml, textOf } from './strict-xml';

const ciphertext =
  'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBh+/ab==';
const offsetOf = (body: string): number => {
  try {
    readEncryptedField(body);
  } catch (error) {
    return Number(/at offset (\d+)/.exec((error as Error).message)?.[1]);
  }
  return Number.NaN;
};

describe('readEncryptedField (the only work before the signature is checked)', () => {
  it.each([
    [
      'the official shape (CDATA, newlines between fields)',
      `<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[${ciphertext}]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>`,
    ],
    [
      'plain text, attributes, a declaration and spaces',
      `<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <AgentID a="1">1</AgentID >\n  <Encrypt>  ${ciphertext}\n</Encrypt>\n  <Empty/>\n</xml >\n`,
    ],
    ['Encrypt first, nothing else', `<xml><Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`],
  ])('reads <Encrypt> from %s', (_name, body) => {
    expect(readEncryptedField(body)).toBe(ciphertext);
  });

  it.each([
    ['no <Encrypt>', '<xml><ToUserName>a</ToUserName></xml>', /no <Encrypt>/],
    ['an empty <Encrypt/>', '<xml><Encrypt/></xml>', /no <Encrypt>/],
    ['two <Encrypt>', `<xml><Encrypt>${ciphertext}</Encrypt><Encrypt>x</Encrypt></xml>`, /more than one <Encrypt>/],
    ['a nested element', '<xml><Encrypt><a>1</a></Encrypt></xml>', /only text or one CDATA/],
    ['text mixed with CDATA', '<xml><Encrypt>a<![CDATA[b]]></Encrypt></xml>', /only text or one CDATA/],
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>', /DTDs/],
    ['a comment in a field', '<xml><Encrypt><!-- hi --></Encrypt></xml>', /DTDs/],
    ['a processing instruction between fields', '<xml><?php x ?><Encrypt>a</Encrypt></xml>', /DTDs/],
    ['text between fields', '<xml>junk<Encrypt>a</Encrypt></xml>', /text between fields/],
    ['another root', '<root><Encrypt>a</Encrypt></root>', /root element must be <xml>/],
    ['unclosed tags', '<xml><Encrypt>abc</xml>', /mismatched closing tag/],
    ['an unclosed root', '<xml><Encrypt>abc</Encrypt>', /unclosed <xml>/],
    ['an unterminated CDATA', '<xml><Encrypt><![CDATA[abc</Encrypt></xml>', /unterminated CDATA/],
    ['content after the root', `<xml><Encrypt>a</Encrypt></xml><xml/>`, /content after/],
    ['text only', 'hello', /not an XML document/],
    [
      'an over-long unused field',
      `<xml><ToUserName>${'w'.repeat(MAX_ENVELOPE_FIELD_CHARS + 1)}</ToUserName><Encrypt>a</Encrypt></xml>`,
      /longer than/,
    ],
  ])('refuses %s', (_name, body, reason) => {
    expect(() => readEncryptedField(body)).toThrow(XmlRejectedError);
    expect(() => readEncryptedField(body)).toThrow(reason);
  });

  it('refuses the 16,000 <a/> attack after reading its first fields, wherever <Encrypt> is', () => {
    const attack = `<xml>${'<a/>'.repeat(16_000)}</xml>`;
    const withEncrypt = `<xml><Encrypt><![CDATA[${ciphertext}]]></Encrypt>${'<a/>'.repeat(15_000)}</xml>`;
    expect(() => readEncryptedField(attack)).toThrow(`more than ${MAX_ENVELOPE_FIELDS} fields`);
    expect(() => readEncryptedField(withEncrypt)).toThrow(`more than ${MAX_ENVELOPE_FIELDS} fields`);
    // Work done = bytes read before refusing: the same for 1,000 repeats as for 16,000.
    expect(offsetOf(attack)).toBe(offsetOf(`<xml>${'<a/>'.repeat(1_000)}</xml>`));
    expect(offsetOf(attack)).toBeLessThan(5 + 4 * (MAX_ENVELOPE_FIELDS + 1));
  });

  it('refuses deep nesting at the second level', () => {
    expect(offsetOf(`<xml>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</xml>`)).toBeLessThan(16);
  });

  it('reads what parseWecomXml reads from any valid flat envelope (differential)', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9+/=]{1,60}$/);
    const field = fc.tuple(fc.constantFrom('ToUserName', 'AgentID', 'Other'), value, fc.boolean());
    fc.assert(
      fc.property(
        fc.array(field, { maxLength: 5 }),
        fc.integer({ min: 0, max: 5 }),
        value,
        fc.boolean(),
        (fields, at, encrypted, cdata) => {
          const wrap = (v: string, c: boolean) => (c ? `<![CDATA[${v}]]>` : v);
          const parts = fields.map(([n, v, c]) => `<${n}>${wrap(v, c)}</${n}>`);
          parts.splice(at, 0, `<Encrypt>${wrap(encrypted, cdata)}</Encrypt>`);
          const body = `<xml>${parts.join('\n')}</xml>`;
          expect(readEncryptedField(body)).toBe(textOf(parseWecomXml(body), 'Encrypt'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throws only XmlRejectedError on arbitrary input (fuzz)', () => {
    const unit = fc.constantFrom(
      '<',
      '>',
      '/',
      'x',
      'm',
      'l',
      '!',
      '[',
      ']',
      '&',
      ';',
      '?',
      'C',
      'D',
      'A',
      'T',
      ' ',
      'Encrypt',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(unit, { maxLength: 80 }).map((s) => `<xml>${s.join('')}</xml>`),
        ),
        (body) => {
          try {
            expect(typeof readEncryptedField(body)).toBe('string');
          } catch (error) {
            expect(error).toBeInstanceOf(XmlRejectedError);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
