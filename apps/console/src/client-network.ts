import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a login attempt is counted against: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber usually gets a whole /64, so counting single IPv6 addresses would let one client
 * rotate through 2^64 of them past the per-address limit); IPv4-mapped IPv6 as the IPv4 address.
 */
export function clientNetwork(address: string): string {
  const plain = address.split('%')[0] ?? address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(plain) || !isIPv6(plain)) return plain;
  const [head = '', tail] = plain.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const expanded =
    tail === undefined
      ? groups(head)
      : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return `${expanded
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
