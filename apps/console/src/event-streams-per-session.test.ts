import { describe, expect, it } from 'vitest';
import { EventStreamsPerSession } from './event-streams-per-session';

describe('EventStreamsPerSession', () => {
  const stream = (name: string, evicted: string[]) => ({ evict: () => evicted.push(name) });

  it('evicts the oldest stream of a session beyond the cap, and only that session', () => {
    const evicted: string[] = [];
    const streams = new EventStreamsPerSession(2);
    streams.open('s1', stream('a', evicted));
    streams.open('s1', stream('b', evicted));
    streams.open('s2', stream('x', evicted));
    expect(evicted).toEqual([]);
    streams.open('s1', stream('c', evicted));
    expect(evicted).toEqual(['a']);
    expect(streams.count('s1')).toBe(2);
    expect(streams.count('s2')).toBe(1);
  });

  it('forgets streams that end, and closes all of a session at logout', () => {
    const evicted: string[] = [];
    const streams = new EventStreamsPerSession(2);
    const endA = streams.open('s1', stream('a', evicted));
    streams.open('s1', stream('b', evicted));
    endA();
    endA();
    streams.open('s1', stream('c', evicted));
    expect(evicted).toEqual([]);
    streams.closeAll('s1');
    expect(evicted).toEqual(['b', 'c']);
    expect(streams.count('s1')).toBe(0);
  });
});
