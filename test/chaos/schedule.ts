// A chaos schedule: the steps one run takes, drawn from a seeded generator so a run is reproduced
// from its seed alone, and printable as JSON so a shrunk schedule can be read and replayed.
// Not a test file itself.

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Step =
  /** Create or change a Gateway: one HTTP listener per port. */
  | { op: "gateway"; name: string; ports: number[] }
  | { op: "delete-gateway"; name: string }
  /** Create or change an HTTPRoute on `gateway`: one PathPrefix rule to `backend` (namespace/name). */
  | { op: "route"; name: string; gateway: string; path: string; backend: string }
  | { op: "delete-route"; name: string }
  /** A Service with one ready endpoint (its EndpointSlice), or a new endpoint address for it. */
  | { op: "service"; backend: string; ip: string }
  | { op: "delete-service"; backend: string }
  /** The ReferenceGrant letting routes in `apps` reach Services in `shared`. */
  | { op: "grant" }
  | { op: "revoke" }
  /**
   * Hands up to `count` undelivered events to ingest in one batch: `shuffle` reorders them,
   * `duplicate` delivers each twice (SQS at-least-once).
   */
  | { op: "deliver"; count: number; shuffle: boolean; duplicate: boolean }
  /** A body that is not a change event: the one thing that belongs in the dead-letter queue. */
  | { op: "malformed" }
  /**
   * Runs up to `count` reconcile messages. `concurrent`: each is delivered twice at once (a
   * redelivery while the first still runs: lease and conditional-write conflicts). `crashAfter`:
   * the handler dies right after AWS accepted its Nth ELB operation. `leaseExpiry`: the first
   * mutating ELB call is held past the lease while a second reconciler takes over.
   */
  | { op: "reconcile"; count: number; concurrent: boolean; crashAfter?: number; leaseExpiry: boolean }
  /** Runs up to `count` status messages. */
  | { op: "status"; count: number }
  /** Half of all AWS calls answer Throttling until turned off. */
  | { op: "throttle"; on: boolean }
  /** The next `count` AWS calls answer 500 InternalFailure. */
  | { op: "burst5xx"; count: number }
  /** The cluster's API server refuses status writes until up again. */
  | { op: "status-endpoint"; up: boolean }
  /** The forwarder restarts after a 410: undelivered watch events are lost, a relist replaces them. */
  | { op: "relist" };

const GATEWAYS = ["g1", "g2", "g3"];
const ROUTES = ["r1", "r2", "r3", "r4"];
export const BACKENDS = ["apps/s1", "apps/s2", "shared/x1"];
const PATHS = ["/a", "/b", "/c"];

export function generateSchedule(seed: number, length: number): Step[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const chance = (p: number) => rnd() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const ip = () => `10.0.${int(1, 3)}.${int(10, 40)}`;
  // Every run starts with something to reconcile; the rest is drawn by weight.
  const steps: Step[] = [
    { op: "service", backend: pick(BACKENDS), ip: ip() },
    { op: "gateway", name: pick(GATEWAYS), ports: [80] },
  ];
  const table: [number, () => Step][] = [
    [5, () => ({ op: "gateway", name: pick(GATEWAYS), ports: chance(0.7) ? [80] : [80, 8080] })],
    [2, () => ({ op: "delete-gateway", name: pick(GATEWAYS) })],
    [
      6,
      () => ({ op: "route", name: pick(ROUTES), gateway: pick(GATEWAYS), path: pick(PATHS), backend: pick(BACKENDS) }),
    ],
    [2, () => ({ op: "delete-route", name: pick(ROUTES) })],
    [4, () => ({ op: "service", backend: pick(BACKENDS), ip: ip() })],
    [1, () => ({ op: "delete-service", backend: pick(BACKENDS) })],
    [2, () => (chance(0.6) ? { op: "grant" } : { op: "revoke" })],
    [8, () => ({ op: "deliver", count: int(1, 6), shuffle: chance(0.5), duplicate: chance(0.3) })],
    [1, () => ({ op: "malformed" })],
    [
      8,
      () => ({
        op: "reconcile",
        count: int(1, 3),
        concurrent: chance(0.25),
        ...(chance(0.25) ? { crashAfter: int(1, 4) } : {}),
        leaseExpiry: chance(0.1),
      }),
    ],
    [3, () => ({ op: "status", count: int(1, 5) })],
    [1, () => ({ op: "throttle", on: chance(0.6) })],
    [1, () => ({ op: "burst5xx", count: int(1, 6) })],
    [1, () => ({ op: "status-endpoint", up: chance(0.5) })],
    [1, () => ({ op: "relist" })],
  ];
  const total = table.reduce((n, [w]) => n + w, 0);
  while (steps.length < length) {
    let at = rnd() * total;
    for (const [weight, make] of table) {
      at -= weight;
      if (at < 0) {
        steps.push(make());
        break;
      }
    }
  }
  return steps;
}

export function describeStep(step: Step): string {
  const { op, ...rest } = step;
  const args = Object.entries(rest)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`)
    .join(" ");
  return args ? `${op} ${args}` : op;
}
