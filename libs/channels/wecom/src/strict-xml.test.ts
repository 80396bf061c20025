import { XMLParser } from 'fast-xml-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XmlRejectedError, parseWecomXml } from './strict-xml';

describe('parseWecomXml', () => {
  it('reads CDATA and plain values, keeps MsgId beyond 2^53 as an exact string', () => {
    const xml = '<xml>\n<FromUserName><![CDATA[ChenJiaShun]]></FromUserName>\n<MsgId>4561255354251345929</MsgId><Content><![CDATA[a < b & c]]></Content></xml>';
    const out = parseWecomXml(xml);
    expect(out.FromUserName).toBe('ChenJiaShun');
    expect(out.MsgId).toBe('4561255354251345929');
    expect(out.Content).toBe('a < b & c');
  });

  it('decodes the predefined entities only', () => {
    expect(parseWecomXml('<xml><Content>a &lt; b &amp; c</Content></xml>').Content).toBe('a < b & c');
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE xml><xml><a>1</a></xml>'],
    ['an external entity', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>'],
    ['a billion laughs', '<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;">]><xml><a>&b;</a></xml>'],
    ['a comment', '<xml><!-- hi --><a>1</a></xml>'],
    ['a processing instruction', '<xml><?php echo 1 ?><a>1</a></xml>'],
    ['unclosed tags', '<xml><a>1</xml>'],
    ['another root', '<root><a>1</a></root>'],
    ['deep nesting', `<xml>${'<a>'.repeat(50)}x${'</a>'.repeat(50)}</xml>`],
    ['text only', 'hello'],
  ])('refuses %s', (_name, xml) => {
    expect(() => parseWecomXml(xml)).toThrow(XmlRejectedError);
  });

  it('accepts an XML declaration at the start', () => {
    expect(parseWecomXml('<?xml version="1.0" encoding="UTF-8"?><xml><a>1</a></xml>').a).toBe('1');
  });

  it('throws only XmlRejectedError on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: fc.constantFrom('<', '>', '/', 'x', 'm', 'l', '!', '[', ']', '&', ';', '?', 'C', 'D', 'A', 'T', ' ') , maxLength: 200 }).map((s) => `<xml>${s}</xml>`)), (text) => {
        try {
          parseWecomXml(text);
        } catch (error) {
          expect(error).toBeInstanceOf(XmlRejectedError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseWecomXml agrees with fast-xml-parser on valid documents (differential)', () => {
  const oracle = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false });
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // Characters XML 1.0 forbids are left out: the oracle and we may legitimately differ on them.
  // eslint-disable-next-line no-control-regex
  const value = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes(']]>') && s.trim() === s && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s));
  const field = fc.tuple(fc.constantFrom('ToUserName', 'FromUserName', 'Content', 'MsgId', 'Event', 'EventKey'), value, fc.boolean());

  it('yields the same record', () => {
    fc.assert(
      fc.property(fc.uniqueArray(field, { selector: (f) => f[0], minLength: 1, maxLength: 6 }), (fields) => {
        const xml = `<xml>${fields.map(([n, v, cdata]) => `<${n}>${cdata ? `<![CDATA[${v}]]>` : escape(v)}</${n}>`).join('\n')}</xml>`;
        expect(parseWecomXml(xml)).toEqual((oracle.parse(xml) as { xml: unknown }).xml);
      }),
      { numRuns: 1000 },
    );
  });
});
