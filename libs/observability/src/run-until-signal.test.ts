import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { routeConsoleToLogger } from './run-until-signal';

describe('routeConsoleToLogger', () => {
  it("turns a library's console output into JSON log lines at the matching level, and undoes it", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      name: 'gateway',
      level: 'debug',
      destination: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const restore = routeConsoleToLogger(logger);
    try {
      console.info('[2026-11-26T00:00:00.000Z] connect success');
      console.warn('ERROR', new Error('socket hang up'));
    } finally {
      restore();
    }
    console.info('after restore: not captured');
    expect(lines.map((l) => [l['level'], l['source'], l['msg']])).toEqual([
      [30, 'console', '[2026-11-26T00:00:00.000Z] connect success'],
      [40, 'console', expect.stringContaining('ERROR Error: socket hang up')],
    ]);
  });
});
