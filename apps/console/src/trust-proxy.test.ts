import express from 'express';
import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7', ['10.0.0.0/8', '192.168.1.7']],
  ])('reads %j', (raw, expected) => {
    expect(parseTrustProxy(raw)).toEqual(expected);
  });

  it('refuses true, which would let any client choose its own address', () => {
    expect(() => parseTrustProxy('true')).toThrow(/hop count|number of proxies/);
  });

  it('refuses empty entries', () => {
    expect(() => parseTrustProxy('loopback,,10.0.0.1')).toThrow(/empty entry/);
  });

  it('gives express values it accepts (a bad address fails when set, at start-up)', () => {
    const app = express();
    expect(() => app.set('trust proxy', parseTrustProxy('loopback, 10.0.0.0/8'))).not.toThrow();
    expect(() => app.set('trust proxy', parseTrustProxy('not-an-address'))).toThrow(/invalid IP address/);
  });
});
