// The behaviour every LeaseStore + StateStore pair must have, registered against a factory: the
// in-memory stores run it in the unit tier (memory.test.ts), the DynamoDB stores against DynamoDB
// Local in the integration tier (test/integration/store-dynamodb.test.ts). Time is passed as `now`.
import { beforeEach, describe, expect, test } from "vitest";
import { type ClusterGatewayKey, clusterGatewayKey, InvalidGatewayKey } from "../../../shared/keys.ts";
import { MAX_ITEM_BYTES } from "../../../shared/store/dynamodb/item-size.ts";
import {
  type ApplyingMarker,
  type Claim,
  type ClaimRequest,
  FencedOut,
  type GatewayState,
  type Lease,
  type LeaseStore,
  type StateStore,
  StateTooLarge,
} from "../../../shared/store/state.ts";
import { largeStateOf, oversizeStateOf, stateOf, T0, TTL, writerOf } from "./fixtures.ts";

export interface Stores {
  leases: LeaseStore;
  states: StateStore;
}

/** Returns fresh, empty stores sharing one table; called before each test. */
export type StoresFactory = () => Promise<Stores>;

const GW = clusterGatewayKey("cluster-a", "default", "web");
const AFTER_EXPIRY = T0 + TTL + 1;

export function storeContract(createStores: StoresFactory): void {
  let leases: LeaseStore;
  let states: StateStore;

  beforeEach(async () => {
    ({ leases, states } = await createStores());
  });

  async function mustAcquire(gatewayKey: ClusterGatewayKey, owner: string, now: number): Promise<Lease> {
    const lease = await leases.acquire(gatewayKey, owner, now, TTL);
    if (lease === undefined) throw new Error(`${owner} could not acquire ${gatewayKey} at ${now}`);
    return lease;
  }

  function markerOf(owner: string, now: number): ApplyingMarker {
    return { startedAt: now, desiredHash: `sha256:${owner}-desired`, callsLandBy: now + TTL + 20_000 };
  }

  function claimOf(owner: string, now: number, extra: Partial<ClaimRequest> = {}): Promise<Claim> {
    const { dataPlane, account, region, applied } = stateOf(GW, `initial-${owner}`);
    return states.claim({
      gatewayKey: GW,
      owner,
      now,
      ttlMs: TTL,
      applying: markerOf(owner, now),
      initial: { dataPlane, account, region, applied },
      ...extra,
    });
  }

  async function mustClaim(owner: string, now: number, extra: Partial<ClaimRequest> = {}): Promise<Lease> {
    const claim = await claimOf(owner, now, extra);
    if (claim.kind !== "claimed") throw new Error(`${owner} could not claim at ${now}: ${claim.kind}`);
    return claim.lease;
  }

  /** A current record (applied `sha256:current`, checked at T0 - 1_000, no marker) and its lease released. */
  async function putCurrent(): Promise<GatewayState> {
    const lease = await mustAcquire(GW, "writer", T0 - 2_000);
    const { applying: _, ...state } = {
      ...stateOf(GW, "writer"),
      appliedHash: "sha256:current",
      lastDriftCheck: T0 - 1_000,
    };
    await states.put(state, lease, { release: true });
    return { ...state, fencingToken: lease.token };
  }

  async function listAll(): Promise<GatewayState[]> {
    const all: GatewayState[] = [];
    for await (const state of states.list()) all.push(state);
    return all;
  }

  describe("leases", () => {
    test("acquire on a free gateway returns a lease held until now + ttl", async () => {
      const lease = await leases.acquire(GW, "a", T0, TTL);
      expect(lease).toEqual({ gatewayKey: GW, owner: "a", token: expect.any(Number), expiresAt: T0 + TTL });
      expect(lease?.token).toBeGreaterThan(0);
    });

    test("a second owner cannot acquire while the lease is unexpired", async () => {
      await mustAcquire(GW, "a", T0);
      expect(await leases.acquire(GW, "b", T0 + 1, TTL)).toBeUndefined();
    });

    test("a lease is held through its expiresAt millisecond", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      expect(await leases.acquire(GW, "b", lease.expiresAt, TTL)).toBeUndefined();
      expect(await leases.acquire(GW, "b", lease.expiresAt + 1, TTL)).toBeDefined();
    });

    test("after expiry another owner acquires with a higher token", async () => {
      const first = await mustAcquire(GW, "a", T0);
      const second = await leases.acquire(GW, "b", AFTER_EXPIRY, TTL);
      expect(second).toMatchObject({ owner: "b", expiresAt: AFTER_EXPIRY + TTL });
      expect(second?.token).toBeGreaterThan(first.token);
    });

    test("every acquisition gets a higher token than all before it, whoever acquires and however the last ended", async () => {
      const tokens: number[] = [];
      tokens.push((await mustAcquire(GW, "a", T0)).token);
      tokens.push((await mustAcquire(GW, "a", T0 + 1)).token); // same owner again
      tokens.push((await mustAcquire(GW, "b", T0 + 1 + TTL + 1)).token); // after expiry
      const released = await mustAcquire(GW, "c", T0 + 3 * TTL);
      tokens.push(released.token);
      await leases.release(released);
      tokens.push((await mustAcquire(GW, "a", T0 + 3 * TTL + 1)).token); // after release
      for (let i = 1; i < tokens.length; i++)
        expect(tokens[i]).toBeGreaterThan(tokens[i - 1] ?? Number.POSITIVE_INFINITY);
    });

    test("a lease on one gateway does not hold another", async () => {
      await mustAcquire(clusterGatewayKey("cluster-a", "default", "other"), "a", T0);
      expect(await leases.acquire(GW, "b", T0, TTL)).toBeDefined();
    });

    test("renew by the holder extends the lease", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const renewed = await leases.renew(lease, T0 + TTL - 1, TTL);
      expect(renewed).toEqual({ ...lease, expiresAt: T0 + 2 * TTL - 1 });
      expect(await leases.acquire(GW, "b", AFTER_EXPIRY, TTL)).toBeUndefined();
    });

    test("renew after the lease was lost fails and leaves the new holder's lease alone", async () => {
      const lost = await mustAcquire(GW, "a", T0);
      await mustAcquire(GW, "b", AFTER_EXPIRY);
      expect(await leases.renew(lost, AFTER_EXPIRY + 1, TTL)).toBeUndefined();
      expect(await leases.acquire(GW, "c", AFTER_EXPIRY + 2, TTL)).toBeUndefined();
    });

    test("release lets another owner acquire at once", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await leases.release(lease);
      const next = await leases.acquire(GW, "b", T0 + 1, TTL);
      expect(next?.owner).toBe("b");
      expect(next?.token).toBeGreaterThan(lease.token);
    });

    test("release of a lease already lost leaves the new holder's lease alone", async () => {
      const lost = await mustAcquire(GW, "a", T0);
      await mustAcquire(GW, "b", AFTER_EXPIRY);
      await leases.release(lost);
      expect(await leases.acquire(GW, "c", AFTER_EXPIRY + 1, TTL)).toBeUndefined();
    });

    test("a malformed gateway key is refused with InvalidGatewayKey, not stored under", async () => {
      // Cast as a caller bypassing the constructors would: the store still checks.
      const unchecked = (text: string) => text as ClusterGatewayKey;
      await expect(leases.acquire(unchecked("default/web"), "a", T0, TTL)).rejects.toBeInstanceOf(InvalidGatewayKey);
      await expect(states.get(unchecked("cluster-a/default/Web"))).rejects.toMatchObject({ part: "name" });
    });

    test("a released lease cannot be renewed", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await leases.release(lease);
      expect(await leases.renew(lease, T0 + 1, TTL)).toBeUndefined();
    });
  });

  describe("state under fencing", () => {
    test("get of a gateway without a record is undefined", async () => {
      expect(await states.get(GW)).toBeUndefined();
    });

    test("put under the current lease succeeds and records the lease's token", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const state = stateOf(GW, "a");
      await states.put(state, lease);
      expect(await states.get(GW)).toEqual({ ...state, fencingToken: lease.token });
    });

    test("every optional field of a record reads back as written", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const state: GatewayState = {
        ...stateOf(GW, "a"),
        lastDriftCheck: T0 - 1,
        applying: { startedAt: T0, desiredHash: "sha256:next", callsLandBy: T0 + TTL + 20_000 },
      };
      await states.put(state, lease);
      expect(await states.get(GW)).toEqual({ ...state, fencingToken: lease.token });
    });

    test("put under a superseded lease throws FencedOut and leaves the newer record intact", async () => {
      const stale = await mustAcquire(GW, "a", T0);
      const current = await mustAcquire(GW, "b", AFTER_EXPIRY);
      await states.put(stateOf(GW, "b"), current);

      const refused = states.put(stateOf(GW, "a"), stale);
      await expect(refused).rejects.toBeInstanceOf(FencedOut);
      await expect(refused).rejects.toMatchObject({ name: "FencedOut", gatewayKey: GW });
      await expect(refused).rejects.toThrow(
        `lease token ${stale.token} of a is superseded (now token ${current.token} of b)`,
      );
      expect(await states.get(GW)).toEqual({ ...stateOf(GW, "b"), fencingToken: current.token });
    });

    test("put under a superseded lease is refused even before the new holder has written", async () => {
      const stale = await mustAcquire(GW, "a", T0);
      await states.put(stateOf(GW, "a"), stale);
      await mustAcquire(GW, "b", AFTER_EXPIRY);
      await expect(states.put(stateOf(GW, "a2"), stale)).rejects.toBeInstanceOf(FencedOut);
      expect(writerOf(await states.get(GW))).toBe("a");
    });

    test("re-acquiring by the same owner fences its own earlier lease", async () => {
      const earlier = await mustAcquire(GW, "a", T0);
      const later = await mustAcquire(GW, "a", T0 + 1);
      await expect(states.put(stateOf(GW, "a"), earlier)).rejects.toBeInstanceOf(FencedOut);
      await states.put(stateOf(GW, "a"), later);
    });

    test("an expired lease nobody has taken over still writes: fencing is by token, not by clock", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      // No `now` reaches put: the token is still the latest, so no newer holder can have written.
      await states.put(stateOf(GW, "a"), lease);
      expect(writerOf(await states.get(GW))).toBe("a");
    });

    test("put after release throws FencedOut", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await leases.release(lease);
      await expect(states.put(stateOf(GW, "a"), lease)).rejects.toBeInstanceOf(FencedOut);
      expect(await states.get(GW)).toBeUndefined();
    });

    test("put without ever holding a lease throws FencedOut", async () => {
      const forged: Lease = { gatewayKey: GW, owner: "a", token: 1, expiresAt: T0 + TTL };
      await expect(states.put(stateOf(GW, "a"), forged)).rejects.toBeInstanceOf(FencedOut);
    });

    test("a record cannot be written under another gateway's lease", async () => {
      const lease = await mustAcquire(clusterGatewayKey("cluster-a", "default", "other"), "a", T0);
      await expect(states.put(stateOf(GW, "a"), lease)).rejects.toThrow(/under the lease of cluster-a\/default\/other/);
      expect(await states.get(GW)).toBeUndefined();
    });

    test("of two reconcilers racing to acquire and write, only one writes, every time", async () => {
      for (let i = 0; i < 50; i++) {
        const gatewayKey = clusterGatewayKey("cluster-a", "race", `gw-${i}`);
        const attempt = async (owner: string) => {
          const lease = await leases.acquire(gatewayKey, owner, T0, TTL);
          if (lease === undefined) return undefined;
          await states.put(stateOf(gatewayKey, owner), lease);
          return lease;
        };
        const outcomes = await Promise.all([attempt("a"), attempt("b")]);
        const winners = outcomes.filter((lease) => lease !== undefined);
        expect(winners, gatewayKey).toHaveLength(1);
        const stored = await states.get(gatewayKey);
        expect(writerOf(stored), gatewayKey).toBe(winners[0]?.owner);
        expect(stored?.fencingToken, gatewayKey).toBe(winners[0]?.token);
      }
    });

    test("a stale holder writing while two others race never overwrites the winner", async () => {
      // The stale write lands at each point of the race: concurrently with it, after the winner
      // took the lease but before it wrote, and after it wrote. Only in the first can it be
      // written (if it lands before any takeover); in the others only fencing refuses it.
      const when = ["concurrently", "before the winner writes", "after the winner wrote"] as const;
      for (let i = 0; i < 48; i++) {
        const gatewayKey = clusterGatewayKey("cluster-a", "race", `gw-${i}`);
        const moment = when[i % when.length];
        const stale = await mustAcquire(gatewayKey, "stale", T0);
        const staleWrite = () =>
          states.put(stateOf(gatewayKey, "stale"), stale).then(
            () => "wrote",
            (error: unknown) => (error instanceof FencedOut ? "fenced" : Promise.reject(error)),
          );
        let staleOutcome: Promise<string> | undefined;
        const contend = async (owner: string) => {
          const lease = await leases.acquire(gatewayKey, owner, AFTER_EXPIRY, TTL);
          if (lease === undefined) return undefined;
          if (moment === "before the winner writes") {
            staleOutcome = staleWrite();
            await staleOutcome;
          }
          await states.put(stateOf(gatewayKey, owner), lease);
          return lease;
        };
        if (moment === "concurrently") staleOutcome = staleWrite();
        const [a, b] = await Promise.all([contend("a"), contend("b")]);
        if (moment === "after the winner wrote") staleOutcome = staleWrite();
        const winners = [a, b].filter((lease) => lease !== undefined);
        expect(winners, gatewayKey).toHaveLength(1);
        const outcome = await staleOutcome;
        if (moment === "concurrently") expect(["wrote", "fenced"], gatewayKey).toContain(outcome);
        else expect(outcome, `${gatewayKey}: stale write ${moment}`).toBe("fenced");
        const stored = await states.get(gatewayKey);
        expect(writerOf(stored), gatewayKey).toBe(winners[0]?.owner);
        expect(stored?.fencingToken, gatewayKey).toBe(winners[0]?.token);
      }
    });

    test("delete under the current lease removes the record", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await states.put(stateOf(GW, "a"), lease);
      await states.delete(GW, lease);
      expect(await states.get(GW)).toBeUndefined();
    });

    test("delete under a superseded lease throws FencedOut and keeps the record", async () => {
      const stale = await mustAcquire(GW, "a", T0);
      const current = await mustAcquire(GW, "b", AFTER_EXPIRY);
      await states.put(stateOf(GW, "b"), current);
      await expect(states.delete(GW, stale)).rejects.toBeInstanceOf(FencedOut);
      expect(writerOf(await states.get(GW))).toBe("b");
    });

    test("delete of a gateway without a record succeeds under the current lease", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await states.delete(GW, lease);
      expect(await states.get(GW)).toBeUndefined();
    });
  });

  describe("claims", () => {
    test("a claim on a Gateway without a record takes the lease and starts the record from `initial` with its marker", async () => {
      const claim = await claimOf("a", T0);
      expect(claim).toEqual({ kind: "claimed", lease: { gatewayKey: GW, owner: "a", token: 1, expiresAt: T0 + TTL } });
      const initial = stateOf(GW, "initial-a");
      expect(await states.get(GW)).toEqual({
        gatewayKey: GW,
        dataPlane: initial.dataPlane,
        account: initial.account,
        region: initial.region,
        applied: initial.applied,
        applying: markerOf("a", T0),
        fencingToken: 1,
      });
    });

    test("a claim returns the record as it was and replaces only its marker and fencing token", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const before = { ...stateOf(GW, "a"), fencingToken: lease.token };
      await states.put(before, lease, { release: true });
      const claim = await claimOf("b", T0 + 1);
      const token = lease.token + 1;
      expect(claim).toEqual({
        kind: "claimed",
        lease: { gatewayKey: GW, owner: "b", token, expiresAt: T0 + 1 + TTL },
        previous: before,
      });
      expect(await states.get(GW)).toEqual({ ...before, applying: markerOf("b", T0 + 1), fencingToken: token });
    });

    test("a claim limited to other data planes takes nothing and names the record's plane; its own plane, or no record, is taken", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const before = { ...stateOf(GW, "a"), dataPlane: "alb" as const, fencingToken: lease.token };
      await states.put(before, lease, { release: true });
      expect(await claimOf("b", T0 + 1, { planes: ["lattice"] })).toEqual({ kind: "elsewhere", dataPlane: "alb" });
      // Nothing was written: no marker, the lease free for the next claim.
      expect(await states.get(GW)).toEqual(before);
      expect(await claimOf("b", T0 + 2, { planes: ["alb", "nlb"] })).toMatchObject({
        kind: "claimed",
        previous: before,
      });
      const other = clusterGatewayKey("test", "apps", "other");
      const fresh = await states.claim({
        gatewayKey: other,
        owner: "c",
        now: T0,
        ttlMs: TTL,
        applying: markerOf("c", T0),
        initial: { dataPlane: "lattice", account: before.account, region: before.region, applied: before.applied },
        planes: ["lattice"],
      });
      expect(fresh.kind).toBe("claimed");
    });

    test("a busy Gateway is busy whatever plane its record names", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await states.put({ ...stateOf(GW, "a"), dataPlane: "alb" }, lease);
      expect((await claimOf("b", T0 + 1, { planes: ["lattice"] })).kind).toBe("busy");
    });

    test("a current record of another plane is elsewhere, not current", async () => {
      const current = await putCurrent();
      const claim = await claimOf("b", T0, {
        planes: ["lattice"],
        unlessCurrent: { appliedHash: "sha256:current", checkedAfter: T0 - 5_000 },
      });
      expect(claim).toEqual({ kind: "elsewhere", dataPlane: "alb" });
      expect(current.dataPlane).toBe("alb");
    });

    test("a claim holds the lease: another owner cannot acquire or claim until it expires", async () => {
      const lease = await mustClaim("a", T0);
      expect(await leases.acquire(GW, "b", lease.expiresAt, TTL)).toBeUndefined();
      expect(await claimOf("b", lease.expiresAt)).toEqual({
        kind: "busy",
        holder: { owner: "a", expiresAt: lease.expiresAt },
      });
      expect(await claimOf("b", lease.expiresAt + 1)).toMatchObject({ kind: "claimed", lease: { owner: "b" } });
    });

    test("a busy claim writes nothing: the holder's record and lease are untouched", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await states.put(stateOf(GW, "a"), lease);
      expect((await claimOf("b", T0 + 1)).kind).toBe("busy");
      expect(await states.get(GW)).toEqual({ ...stateOf(GW, "a"), fencingToken: lease.token });
      await states.put(stateOf(GW, "a2"), lease);
      expect(writerOf(await states.get(GW))).toBe("a2");
    });

    test("a claim takes a higher token than every lease before it and fences their holders", async () => {
      const acquired = await mustAcquire(GW, "a", T0);
      const claimed = await mustClaim("b", AFTER_EXPIRY);
      expect(claimed.token).toBe(acquired.token + 1);
      await expect(states.put(stateOf(GW, "a"), acquired)).rejects.toBeInstanceOf(FencedOut);
      expect(await leases.renew(acquired, AFTER_EXPIRY, TTL)).toBeUndefined();
      const next = await leases.acquire(GW, "c", claimed.expiresAt + 1, TTL);
      expect(next?.token).toBe(claimed.token + 1);
    });

    test("the holder's own claim is not blocked by its lease, and fences its earlier lease", async () => {
      const earlier = await mustClaim("a", T0);
      const later = await mustClaim("a", T0 + 1);
      expect(later.token).toBe(earlier.token + 1);
      await expect(states.put(stateOf(GW, "a"), earlier)).rejects.toBeInstanceOf(FencedOut);
      await states.put(stateOf(GW, "a"), later);
    });

    test("of two reconcilers claiming at once, exactly one takes the lease, every time", async () => {
      for (let i = 0; i < 50; i++) {
        const gatewayKey = clusterGatewayKey("cluster-a", "claim-race", `gw-${i}`);
        const claim = (owner: string) => claimOf(owner, T0, { gatewayKey });
        const outcomes = await Promise.all([claim("a"), claim("b")]);
        const kinds = outcomes.map((c) => c.kind).sort();
        expect(kinds, gatewayKey).toEqual(["busy", "claimed"]);
        const winner = outcomes.find((c) => c.kind === "claimed");
        const loser = outcomes.find((c) => c.kind === "busy");
        expect(loser?.kind === "busy" && loser.holder.owner, gatewayKey).toBe(
          winner?.kind === "claimed" && winner.lease.owner,
        );
      }
    });

    test("with unlessCurrent, a current record takes nothing and is returned as stored", async () => {
      const stored = await putCurrent();
      const claim = await claimOf("b", T0, {
        unlessCurrent: { appliedHash: "sha256:current", checkedAfter: T0 - 1_001 },
      });
      expect(claim).toEqual({ kind: "current", state: stored });
      expect(await states.get(GW)).toEqual(stored);
      // No lease was taken: the next acquisition is the very next token, at once.
      expect((await leases.acquire(GW, "c", T0, TTL))?.token).toBe(stored.fencingToken + 1);
    });

    test("with unlessCurrent, a record is current only if every condition holds", async () => {
      const stored = await putCurrent();
      const check = async (appliedHash: string, checkedAfter: number) => {
        const claim = await claimOf("b", T0, { unlessCurrent: { appliedHash, checkedAfter } });
        if (claim.kind === "claimed") await states.put(stored, claim.lease, { release: true });
        return claim.kind;
      };
      expect(await check("sha256:current", T0 - 1_001)).toBe("current");
      expect(await check("sha256:other", T0 - 1_001)).toBe("claimed");
      // Drift-checked exactly at the cut-off is not after it.
      expect(await check("sha256:current", T0 - 1_000)).toBe("claimed");
    });

    test("with unlessCurrent, a record with an applying marker is never current", async () => {
      const lease = await mustAcquire(GW, "a", T0 - 2_000);
      const marked = { ...stateOf(GW, "a"), appliedHash: "sha256:current", lastDriftCheck: T0 - 1_000 };
      await states.put(marked, lease, { release: true });
      const claim = await claimOf("b", T0, { unlessCurrent: { appliedHash: "sha256:current", checkedAfter: 0 } });
      expect(claim).toMatchObject({ kind: "claimed", previous: { applying: marked.applying } });
    });

    test("with unlessCurrent, a record never drift-checked counts as checked at 0", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const { applying: _, lastDriftCheck: __, ...unchecked } = { ...stateOf(GW, "a"), appliedHash: "sha256:current" };
      await states.put(unchecked, lease, { release: true });
      const current = { appliedHash: "sha256:current" };
      expect((await claimOf("b", T0 + 1, { unlessCurrent: { ...current, checkedAfter: -1 } })).kind).toBe("current");
      expect((await claimOf("b", T0 + 1, { unlessCurrent: { ...current, checkedAfter: 0 } })).kind).toBe("claimed");
    });

    test("with unlessCurrent, another owner's lease in force is busy even on a current record", async () => {
      const stored = await putCurrent();
      const held = await mustAcquire(GW, "a", T0);
      expect(await claimOf("b", T0 + 1, { unlessCurrent: { appliedHash: "sha256:current", checkedAfter: 0 } })).toEqual(
        {
          kind: "busy",
          holder: { owner: "a", expiresAt: held.expiresAt },
        },
      );
      expect(writerOf(await states.get(GW))).toBe(writerOf(stored));
    });

    test("with unlessCurrent, a current record under an expired lease is current", async () => {
      const stored = await putCurrent();
      await mustAcquire(GW, "crashed", T0 - TTL - 1);
      const claim = await claimOf("b", T0, { unlessCurrent: { appliedHash: "sha256:current", checkedAfter: 0 } });
      expect(claim).toEqual({ kind: "current", state: { ...stored } });
    });
  });

  describe("writes that release the lease", () => {
    test("put with release writes the record and frees the lease in one write", async () => {
      const lease = await mustClaim("a", T0);
      await states.put(stateOf(GW, "a"), lease, { release: true });
      expect(await states.get(GW)).toEqual({ ...stateOf(GW, "a"), fencingToken: lease.token });
      // Free at once, not at expiry; and the released holder can write no more.
      expect((await leases.acquire(GW, "b", T0 + 1, TTL))?.token).toBe(lease.token + 1);
      await expect(states.put(stateOf(GW, "a2"), lease)).rejects.toBeInstanceOf(FencedOut);
    });

    test("put without release keeps the lease held", async () => {
      const lease = await mustClaim("a", T0);
      await states.put(stateOf(GW, "a"), lease);
      expect(await leases.acquire(GW, "b", T0 + 1, TTL)).toBeUndefined();
      await states.put(stateOf(GW, "a2"), lease, { release: true });
      expect(writerOf(await states.get(GW))).toBe("a2");
    });

    test("delete with release removes the record and frees the lease; the token carries on", async () => {
      const lease = await mustClaim("a", T0);
      await states.delete(GW, lease, { release: true });
      expect(await states.get(GW)).toBeUndefined();
      expect(await listAll()).toEqual([]);
      const next = await claimOf("b", T0 + 1);
      expect(next).toEqual({
        kind: "claimed",
        lease: { gatewayKey: GW, owner: "b", token: lease.token + 1, expiresAt: T0 + 1 + TTL },
      });
    });

    test("delete without release keeps the lease held", async () => {
      const lease = await mustClaim("a", T0);
      await states.delete(GW, lease);
      expect(await states.get(GW)).toBeUndefined();
      expect(await leases.acquire(GW, "b", T0 + 1, TTL)).toBeUndefined();
      await states.put(stateOf(GW, "a"), lease, { release: true });
      expect(writerOf(await states.get(GW))).toBe("a");
    });

    test("a superseded put with release is FencedOut and releases nothing", async () => {
      const stale = await mustClaim("a", T0);
      const current = await mustClaim("b", AFTER_EXPIRY);
      await expect(states.put(stateOf(GW, "a"), stale, { release: true })).rejects.toBeInstanceOf(FencedOut);
      await expect(states.delete(GW, stale, { release: true })).rejects.toBeInstanceOf(FencedOut);
      expect(await leases.acquire(GW, "c", AFTER_EXPIRY + 1, TTL)).toBeUndefined();
      await states.put(stateOf(GW, "b"), current, { release: true });
      expect(writerOf(await states.get(GW))).toBe("b");
    });
  });

  describe("records", () => {
    test("list returns every record and nothing else", async () => {
      const keys = Array.from({ length: 12 }, (_, i) => clusterGatewayKey(`cluster-${i % 3}`, `ns-${i}`, "gw"));
      for (const key of keys) await states.put(stateOf(key, `w${key}`), await mustAcquire(key, "a", T0));
      // Leases without records (held, released) are in the same table and must not show up.
      await mustAcquire(clusterGatewayKey("cluster-0", "held", "gw"), "a", T0);
      await leases.release(await mustAcquire(clusterGatewayKey("cluster-0", "released", "gw"), "a", T0));

      const listed = await listAll();
      expect(listed.map((s) => s.gatewayKey).sort()).toEqual([...keys].sort());
      for (const state of listed) expect(writerOf(state)).toBe(`w${state.gatewayKey}`);
    });

    test("list of an empty store yields nothing", async () => {
      expect(await listAll()).toEqual([]);
    });

    test("a record changed by the caller after put is not changed in the store", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const state = stateOf(GW, "a");
      await states.put(state, lease);
      state.applied.strayLoadBalancers.push("arn:changed");
      expect((await states.get(GW))?.applied.strayLoadBalancers).toEqual([]);
    });

    test("a record read and then changed by the caller is not changed in the store", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await states.put(stateOf(GW, "a"), lease);
      const read = await states.get(GW);
      read?.applied.strayLoadBalancers.push("arn:changed");
      if (read?.applying !== undefined) read.applying.desiredHash = "sha256:changed";
      for await (const listed of states.list()) listed.applied.strayLoadBalancers.push("arn:listed");
      expect(await states.get(GW)).toEqual({ ...stateOf(GW, "a"), fencingToken: lease.token });
    });

    test("a large applied state (500 rules, 5,000 targets) round-trips exactly", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      const state = largeStateOf(GW);
      expect(state.applied.targetGroups.flatMap((g) => g.targets)).toHaveLength(5_000);
      expect(JSON.stringify(state.applied).length).toBeGreaterThan(MAX_ITEM_BYTES);
      await states.put(state, lease);
      expect(await states.get(GW)).toEqual({ ...state, fencingToken: lease.token });
    });

    test("an oversize record is refused with its size, and the previous record stays", async () => {
      const lease = await mustAcquire(GW, "a", T0);
      await states.put(stateOf(GW, "a"), lease);

      const refused = states.put(oversizeStateOf(GW), lease);
      await expect(refused).rejects.toBeInstanceOf(StateTooLarge);
      const error = await refused.catch((e: unknown) => e);
      expect(error).toMatchObject({ gatewayKey: GW, limit: MAX_ITEM_BYTES });
      const bytes = error instanceof StateTooLarge ? error.bytes : 0;
      expect(bytes).toBeGreaterThan(MAX_ITEM_BYTES);
      expect(String(error)).toContain(`is ${bytes} bytes as a DynamoDB item, over the ${MAX_ITEM_BYTES}-byte`);
      expect(writerOf(await states.get(GW))).toBe("a");
    });
  });
}
