/** Loopback addresses handed out by the live-conformance pieces (load balancers, pods). */

/** The n-th address (0-based) counting up from `first` (IPv4). */
export function addressAt(first: string, offset: number): string {
  const octets = first.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`${JSON.stringify(first)} is not an IPv4 address`);
  }
  const base = (((octets[0] ?? 0) * 256 + (octets[1] ?? 0)) * 256 + (octets[2] ?? 0)) * 256 + (octets[3] ?? 0);
  const n = base + offset;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
