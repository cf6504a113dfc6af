/**
 * CIDR blocks as EC2 stores them: IPv4 with the host bits cleared, IPv6 in lower-case compressed
 * form with the host bits cleared. A rule written in canonical form reads back identically, so
 * the drift check compares what AWS returns with what the model holds.
 */

export interface Cidr {
  version: 4 | 6;
  /** The canonical text, e.g. `10.0.0.0/8`, `2001:db8::/32`. */
  canonical: string;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255) ? octets : undefined;
}

/** Eight 16-bit groups, or undefined when not an IPv6 address (no zone ids, no embedded IPv4). */
function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) return undefined;
  const [head = "", tail] = text.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...new Array<string>(missing).fill("0"), ...right];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.map((g) => Number.parseInt(g, 16));
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (≥2) of zero groups as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let best = { start: -1, length: 0 };
  let run = { start: -1, length: 0 };
  groups.forEach((g, i) => {
    if (g === 0) {
      run = run.start === -1 ? { start: i, length: 1 } : { start: run.start, length: run.length + 1 };
      if (run.length > best.length) best = run;
    } else {
      run = { start: -1, length: 0 };
    }
  });
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

function clearHostBits(values: readonly number[], bitsPerValue: number, prefix: number): number[] {
  return values.map((v, i) => {
    const keep = Math.max(0, Math.min(bitsPerValue, prefix - i * bitsPerValue));
    const mask = keep === 0 ? 0 : ((2 ** bitsPerValue - 1) >> (bitsPerValue - keep)) << (bitsPerValue - keep);
    return v & mask;
  });
}

/** The CIDR block `text` names, canonical, or undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  const [, address = "", bits = ""] = match;
  const prefix = Number(bits);
  const v4 = parseIpv4(address);
  if (v4) {
    if (prefix > 32) return undefined;
    return { version: 4, canonical: `${clearHostBits(v4, 8, prefix).join(".")}/${prefix}` };
  }
  const v6 = parseIpv6(address);
  if (v6) {
    if (prefix > 128) return undefined;
    return { version: 6, canonical: `${formatIpv6(clearHostBits(v6, 16, prefix))}/${prefix}` };
  }
  return undefined;
}

/** Whether `ip` is an IPv6 address (targets are registered by address). */
export function isIpv6Address(ip: string): boolean {
  return ip.includes(":");
}
