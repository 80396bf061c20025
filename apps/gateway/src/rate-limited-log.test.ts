import { describe, expect, it } from 'vitest';
import { createLogger } from '@answerbridge/observability';
import { RateLimitedLog } from './rate-limited-log';

function harness(perSecond: number) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  let now = 1_000_000;
  const log = new RateLimitedLog(logger, { perSecond, now: () => now });
  return { lines, log, advance: (ms: number) => void (now += ms) };
}

describe('RateLimitedLog', () => {
  it('writes at most perSecond lines per key per second and reports the dropped count on the next line', () => {
    const { lines, log, advance } = harness(10);
    let written = 0;
    for (let i = 0; i < 1_000; i++) if (log.write('warn', 'WECOM.BAD_SIGNATURE', { i }, 'callback rejected')) written++;
    expect(written).toBe(10);
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.suppressed === undefined)).toBe(true);

    advance(999);
    expect(log.write('warn', 'WECOM.BAD_SIGNATURE', {}, 'callback rejected')).toBe(false);
    advance(1);
    expect(log.write('warn', 'WECOM.BAD_SIGNATURE', { i: 'next' }, 'callback rejected')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ i: 'next', suppressed: 991, level: 40, msg: 'callback rejected' });
    expect(log.write('warn', 'WECOM.BAD_SIGNATURE', {}, 'callback rejected')).toBe(true);
    expect(lines.at(-1)?.suppressed).toBeUndefined();
  });

  it('keeps a separate budget per key, so one flood does not hide another code', () => {
    const { lines, log } = harness(2);
    for (let i = 0; i < 100; i++) log.write('warn', 'WECOM.BAD_XML', {}, 'callback rejected');
    expect(log.write('error', 'GATEWAY.UNAVAILABLE', {}, 'callback failed')).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toMatchObject({ level: 50, msg: 'callback failed' });
  });
});
