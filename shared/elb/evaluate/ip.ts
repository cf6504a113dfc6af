/**
 * IP addresses and CIDR blocks for `source-ip` conditions, IPv4 and IPv6 (SourceIpConditionConfig).
 * The families are kept apart: an IPv4 client never falls in an IPv6 block, IPv4-mapped ones
 * (`::ffff:192.0.2.1`) included, because nothing documents ALB folding them together.
 */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4Bits(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseHextets(groups: readonly string[], ipv4Last: boolean): bigint[] | undefined {
  const hextets: bigint[] = [];
  for (const [index, group] of groups.entries()) {
    if (ipv4Last && index === groups.length - 1 && group.includes(".")) {
      const v4 = parseIpv4Bits(group);
      if (v4 === undefined) return undefined;
      hextets.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-f]{1,4}$/i.test(group)) hextets.push(BigInt(`0x${group}`));
    else return undefined;
  }
  return hextets;
}

const groupsOf = (text: string): string[] => (text === "" ? [] : text.split(":"));

function parseIpv6Bits(text: string): bigint | undefined {
  const gap = text.indexOf("::");
  let hextets: bigint[] | undefined;
  if (gap === -1) {
    hextets = parseHextets(groupsOf(text), true);
    if (hextets?.length !== 8) return undefined;
  } else {
    if (text.indexOf("::", gap + 1) !== -1) return undefined;
    // An embedded IPv4 address may only close the whole address, so never before the gap.
    const head = parseHextets(groupsOf(text.slice(0, gap)), false);
    const tail = parseHextets(groupsOf(text.slice(gap + 2)), true);
    if (head === undefined || tail === undefined) return undefined;
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    hextets = [...head, ...Array<bigint>(missing).fill(0n), ...tail];
  }
  return hextets.reduce((value, hextet) => (value << 16n) | hextet, 0n);
}

export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (bare.includes(":")) {
    const value = parseIpv6Bits(bare);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4Bits(bare);
  return value === undefined ? undefined : { family: 4, value };
}

/**
 * Is the address inside the CIDR block? Host bits set in the block (`192.0.2.10/24`) are ignored.
 * A block without a prefix length is a single address. Malformed input never matches.
 */
export function cidrContains(cidr: string, address: string): boolean {
  const slash = cidr.indexOf("/");
  const network = parseIp(slash === -1 ? cidr : cidr.slice(0, slash));
  const ip = parseIp(address);
  if (network === undefined || ip === undefined || network.family !== ip.family) return false;
  const bits = BITS[network.family];
  const lengthText = slash === -1 ? String(bits) : cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return false;
  const length = Number(lengthText);
  if (length > bits) return false;
  const hostBits = BigInt(bits - length);
  return network.value >> hostBits === ip.value >> hostBits;
}
