import { BlockList, isIP } from 'node:net';

/**
 * Which resolved addresses a feed may connect to. Non-public ranges (loopback, private,
 * link-local incl. cloud metadata 169.254.169.254, CGNAT incl. 100.100.100.200, multicast,
 * reserved) are refused unless the allowlist names the host or a CIDR that covers the address.
 */
const NON_PUBLIC_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const NON_PUBLIC_V6: ReadonlyArray<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

const nonPublic = new BlockList();
for (const [net, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(net, prefix, 'ipv6');

/** IPv4 addresses embedded in IPv6 forms (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96) are checked as IPv4. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = parseInt(hex[1] ?? '0', 16);
  const low = parseInt(hex[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function isPublicAddress(address: string): boolean {
  const v4 = isIP(address) === 4 ? address : embeddedIpv4(address);
  if (v4) return !nonPublic.check(v4, 'ipv4');
  if (isIP(address) === 6) return !nonPublic.check(address, 'ipv6');
  return false;
}

export interface AddressPolicy {
  /** May `host` (as written in the URL) connect to `address` (what it resolved to)? */
  allows(host: string, address: string): boolean;
}

/**
 * Allowlist entries are host names (`data.example.gov.cn`), single addresses (`127.0.0.1`)
 * or CIDRs (`10.1.0.0/16`, `fd00::/8`).
 */
export function createAddressPolicy(allowlist: readonly string[] = []): AddressPolicy {
  const allowedHosts = new Set<string>();
  const allowedNets = new BlockList();
  for (const entry of allowlist) {
    const [net, prefixText] = entry.split('/');
    const family = isIP(net ?? '');
    if (family === 0) {
      allowedHosts.add(entry.toLowerCase().replace(/\.$/, ''));
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) allowedNets.addAddress(net as string, type);
    else allowedNets.addSubnet(net as string, Number(prefixText), type);
  }
  const inAllowedNet = (address: string): boolean => {
    const v4 = isIP(address) === 4 ? address : embeddedIpv4(address);
    if (v4 && allowedNets.check(v4, 'ipv4')) return true;
    return isIP(address) === 6 && allowedNets.check(address, 'ipv6');
  };
  return {
    allows(host, address) {
      if (allowedHosts.has(host.toLowerCase().replace(/\.$/, ''))) return true;
      return isPublicAddress(address) || inAllowedNet(address);
    },
  };
}

/** Validates allowlist entries up front, so a typo is a config error, not a silent refusal. */
export function isValidAllowlistEntry(entry: string): boolean {
  const [net, prefixText, extra] = entry.split('/');
  if (extra !== undefined || !net) return false;
  const family = isIP(net);
  if (family === 0) return prefixText === undefined && /^[a-z0-9.-]+$/i.test(net);
  if (prefixText === undefined) return true;
  const prefix = Number(prefixText);
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128);
}
