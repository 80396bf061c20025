import { XMLParser } from 'fast-xml-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WECOM_XML_LIMITS, XmlRejectedError, parseWecomXml } from './strict-xml';

describe('parseWecomXml', () => {
  it('reads CDATA and plain values, keeps MsgId beyond 2^53 as an exact string', () => {
    const xml =
      '<xml>\n<FromUserName><![CDATA[ChenJiaShun]]></FromUserName>\n<MsgId>4561255354251345929</MsgId><Content><![CDATA[a < b & c]]></Content></xml>';
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
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc
            .string({
              unit: fc.constantFrom(
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
              ),
              maxLength: 200,
            })
            .map((s) => `<xml>${s}</xml>`),
        ),
        (text) => {
          try {
            parseWecomXml(text);
          } catch (error) {
            expect(error).toBeInstanceOf(XmlRejectedError);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('parseWecomXml limits (issue 10: cost linear in the input, capped)', () => {
  const { maxElements, maxTextChars } = WECOM_XML_LIMITS;

  it('refuses the 64 KB body of 16,000 repeated <a/> by its element cap', () => {
    const attack = `<xml>${'<a/>'.repeat(16_000)}</xml>`;
    expect(attack.length).toBeLessThanOrEqual(64 * 1024);
    expect(() => parseWecomXml(attack)).toThrow(new RegExp(`more than ${maxElements} elements`));
  });

  it('stops reading at the cap: the refusal comes at the same offset however long the rest is', () => {
    const offsetOf = (repeats: number) => {
      try {
        parseWecomXml(`<xml>${'<a/>'.repeat(repeats)}</xml>`);
      } catch (error) {
        return Number(/at offset (\d+)/.exec((error as Error).message)?.[1]);
      }
      return Number.NaN;
    };
    expect(offsetOf(8_000)).toBe(offsetOf(16_000));
    expect(offsetOf(16_000)).toBeLessThan(5 + 4 * maxElements);
  });

  it('collects repeated elements into one array, in order, up to the cap', () => {
    const items = Array.from({ length: maxElements - 2 }, (_, i) => `<Item>${i}</Item>`).join('');
    const out = parseWecomXml(`<xml><List>${items}</List></xml>`);
    const list = out.List as { Item: string[] };
    expect(list.Item).toHaveLength(maxElements - 2);
    expect(list.Item[0]).toBe('0');
    expect(list.Item.at(-1)).toBe(String(maxElements - 3));
  });

  it('accepts a field of the maximum length and refuses a longer one, whether text, CDATA or entities', () => {
    expect(parseWecomXml(`<xml><Content>${'x'.repeat(maxTextChars)}</Content></xml>`).Content).toHaveLength(
      maxTextChars,
    );
    expect(() => parseWecomXml(`<xml><Content>${'x'.repeat(maxTextChars + 1)}</Content></xml>`)).toThrow(/longer than/);
    expect(() => parseWecomXml(`<xml><Content><![CDATA[${'x'.repeat(maxTextChars)}]]>y</Content></xml>`)).toThrow(
      /longer than/,
    );
    expect(() => parseWecomXml(`<xml><Content>${'&lt;'.repeat(maxTextChars)}</Content></xml>`)).toThrow(/longer than/);
  });

  it('refuses an over-long element name', () => {
    expect(() => parseWecomXml(`<xml><${'N'.repeat(65)}>1</${'N'.repeat(65)}></xml>`)).toThrow(/name longer than/);
  });

  it('takes limits from the caller', () => {
    expect(() => parseWecomXml('<xml><a>1</a><b>2</b></xml>', { ...WECOM_XML_LIMITS, maxElements: 2 })).toThrow(
      /more than 2 elements/,
    );
    expect(parseWecomXml('<xml><a>1</a><b>2</b></xml>', { ...WECOM_XML_LIMITS, maxElements: 3 })).toEqual({
      a: '1',
      b: '2',
    });
  });

  it("keeps an element named __proto__ a field, not the record's prototype", () => {
    const out = parseWecomXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.__proto__).toEqual({ polluted: '1' });
  });
});

describe('parseWecomXml agrees with fast-xml-parser on valid documents (differential)', () => {
  const oracle = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
  });
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // Characters XML 1.0 forbids are left out: the oracle and we may legitimately differ on them.
  // eslint-disable-next-line no-control-regex
  const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
  const value = fc
    .string({ unit: 'grapheme', maxLength: 40 })
    .filter((s) => !s.includes(']]>') && s.trim() === s && !forbidden.test(s));
  const field = fc.tuple(
    fc.constantFrom('ToUserName', 'FromUserName', 'Content', 'MsgId', 'Event', 'EventKey'),
    value,
    fc.boolean(),
  );

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
