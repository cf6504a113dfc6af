/**
 * Creation timestamps as precedence reads them: older first, and a missing or unreadable one as
 * the newest, so a route the API server has not stamped never overtakes one it has.
 * Instants are compared, not strings, because RFC 3339 allows offsets and fractional seconds.
 */

export interface Instant {
  /** Seconds since the Unix epoch, UTC. */
  seconds: number;
  /** Nanoseconds within that second. */
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function parseRFC3339(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  // The pattern guarantees the six groups; the defaults only satisfy the index checks.
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  // Second 60 is a leap second; the others are plain calendar ranges.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const offsetSign = m[8] === "-" ? -1 : 1;
  const offsetMinutes = m[8] === undefined ? 0 : offsetSign * (Number(m[9]) * 60 + Number(m[10]));
  const epochMillis = Date.UTC(year, month - 1, day, hour, minute, second);
  return {
    seconds: epochMillis / 1000 - offsetMinutes * 60,
    nanos: Number((m[7] ?? "").slice(0, 9).padEnd(9, "0")),
  };
}

// Sorting compares each timestamp O(log n) times; parse each distinct string once. Bounded so a
// long-lived process never grows it without limit; clearing only costs re-parsing.
const parsed = new Map<string, Instant | undefined>();
const PARSED_LIMIT = 100_000;

function instantOf(text: string): Instant | undefined {
  if (parsed.has(text)) return parsed.get(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  const instant = parseRFC3339(text);
  parsed.set(text, instant);
  return instant;
}

/** Negative when `a` is older. */
export function compareCreationTimestamps(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  const ia = a === undefined ? undefined : instantOf(a);
  const ib = b === undefined ? undefined : instantOf(b);
  if (ia === undefined || ib === undefined) return Number(ia === undefined) - Number(ib === undefined);
  return ia.seconds - ib.seconds || ia.nanos - ib.nanos;
}
