/**
 * IP address syntax as the two API-server checks that use it define it: the OpenAPI `ipv4`/`ipv6`
 * formats (Go's net.ParseIP; `ipv4` tolerates leading zeros) and the CEL `isIP()` function
 * (Go's netip.ParseAddr without zones or IPv4-mapped IPv6).
 */

/** Four dotted decimal octets; `sloppy` accepts leading zeros as Go's ParseIPSloppy does. */
function parseIPv4(s: string, sloppy: boolean): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    if (!sloppy && part.length > 1 && part.startsWith("0")) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/** Sixteen bytes of an IPv6 address (with an optional trailing dotted IPv4), or undefined. */
function parseIPv6(s: string): number[] | undefined {
  if (!s.includes(":")) return undefined;
  let text = s;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIPv4(last, false);
    if (!v4) return undefined;
    tail = v4;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    for (const g of half.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? "");
  const rest = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (!head || !rest) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** OpenAPI `format: ipv4` as the API server checks it. */
export function isOpenApiIPv4(s: string): boolean {
  return s.includes(".") && (parseIPv4(s, true) !== undefined || parseIPv6(s) !== undefined);
}

/** OpenAPI `format: ipv6` as the API server checks it. */
export function isOpenApiIPv6(s: string): boolean {
  return s.includes(":") && (parseIPv4(s, false) !== undefined || parseIPv6(s) !== undefined);
}

/** The Kubernetes CEL library's `isIP()`. */
export function isCelIP(s: string): boolean {
  if (parseIPv4(s, false)) return true;
  const bytes = parseIPv6(s);
  if (!bytes) return false;
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return !mapped;
}
