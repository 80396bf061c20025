import { describe, expect, it } from 'vitest';
import { clientNetwork } from './client-network';

describe('clientNetwork', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0:0:0:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('counts %s against %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it('puts addresses of one /64 together and other /64s apart', () => {
    expect(clientNetwork('2001:db8:5:6::1')).toBe(clientNetwork('2001:db8:5:6:ffff::9'));
    expect(clientNetwork('2001:db8:5:6::1')).not.toBe(clientNetwork('2001:db8:5:7::1'));
  });
});
