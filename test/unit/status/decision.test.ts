// The status write decision: what is merged, what is kept, and when nothing is written.
import { describe, expect, test } from "vitest";
import type { Condition } from "../../../shared/k8s/meta.ts";
import { decideStatusWrite, type StatusIntent, sameJson } from "../../../shared/status/writer/decision.ts";

const T1 = "2026-11-22T10:00:00Z";
const T2 = "2026-11-22T11:00:00Z";
const ME = "switchyard.io/gateway-controller";
const OTHER = "example.com/other";

function cond(type: string, status: boolean, extra: Partial<Condition> = {}): Condition {
  return { type, status: status ? "True" : "False", reason: type, message: type, ...extra };
}

function gateway(programmed: boolean, generation = 2): StatusIntent {
  return {
    kind: "Gateway",
    namespace: "apps",
    name: "web",
    observedGeneration: generation,
    conditions: [cond("Accepted", true), cond("Programmed", programmed)],
    listeners: [
      {
        name: "http",
        supportedKinds: [{ kind: "HTTPRoute" }],
        attachedRoutes: 0,
        conditions: [cond("Accepted", true)],
      },
    ],
    addresses: programmed ? [{ type: "Hostname", value: "lb.example.com" }] : [],
    attachedListenerSets: 0,
  };
}

function route(): StatusIntent {
  return {
    kind: "HTTPRoute",
    namespace: "apps",
    name: "web",
    observedGeneration: 3,
    controllerNames: [ME],
    parents: [{ parentRef: { name: "web" }, controllerName: ME, conditions: [cond("Accepted", true)] }],
  };
}

/** The same JSON value with every object's keys in reverse order, as another serialiser might send it. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

function write(intent: StatusIntent, status: Record<string, unknown>, now = T1) {
  const decision = decideStatusWrite(intent, { resourceVersion: "7", status }, now);
  if (!decision.write) throw new Error(`expected a write, got ${decision.reason}`);
  return decision.status;
}

describe("status write decision", () => {
  test("conditions get the intent's observedGeneration and now as lastTransitionTime", () => {
    const status = write(gateway(true), {});
    expect(status.conditions).toEqual([
      cond("Accepted", true, { observedGeneration: 2, lastTransitionTime: T1 }),
      cond("Programmed", true, { observedGeneration: 2, lastTransitionTime: T1 }),
    ]);
    expect(status.addresses).toEqual([{ type: "Hostname", value: "lb.example.com" }]);
  });

  test("merging into what it wrote itself changes nothing: no write", () => {
    const first = write(gateway(true), {});
    expect(decideStatusWrite(gateway(true), { resourceVersion: "8", status: first }, T2)).toEqual({
      write: false,
      reason: "unchanged",
    });
  });

  test("an intent computed for another object of the same name (uid) is stale, whatever its generation", () => {
    const replaced = { ...gateway(true, 5), uid: "uid-old" };
    expect(decideStatusWrite(replaced, { resourceVersion: "8", uid: "uid-new", status: {} }, T2)).toEqual({
      write: false,
      reason: "stale",
    });
    const own = { ...gateway(true, 1), uid: "uid-new" };
    expect(decideStatusWrite(own, { resourceVersion: "8", uid: "uid-new", status: {} }, T2).write).toBe(true);
    // An intent without a uid (e.g. from `switchyard plan`) is judged by generation alone.
    expect(decideStatusWrite(gateway(true, 1), { resourceVersion: "8", uid: "uid-new", status: {} }, T2).write).toBe(
      true,
    );
  });

  test("key order in the stored status does not count as a change", () => {
    const first = write(gateway(true), {});
    const reordered = reverseKeys(first) as Record<string, unknown>;
    expect(decideStatusWrite(gateway(true), { resourceVersion: "8", status: reordered }, T2).write).toBe(false);
  });

  test("a condition that flips gets a new lastTransitionTime; one that holds keeps its own", () => {
    const first = write(gateway(false), {}, T1);
    const second = write(gateway(true), first, T2) as { conditions: Condition[] };
    expect(second.conditions.find((c) => c.type === "Accepted")?.lastTransitionTime).toBe(T1);
    expect(second.conditions.find((c) => c.type === "Programmed")?.lastTransitionTime).toBe(T2);
  });

  test("conditions of other controllers and unknown status fields survive", () => {
    const audited = cond("example.com/Audited", true, { lastTransitionTime: T1 });
    const status = write(gateway(true), { conditions: [audited], "example.com/extra": 1 }) as {
      conditions: Condition[];
    };
    expect(status.conditions.map((c) => c.type)).toEqual(["Accepted", "Programmed", "example.com/Audited"]);
    expect(status).toMatchObject({ "example.com/extra": 1 });
  });

  test("route parents of other controllers survive in place; ours are replaced", () => {
    const theirs = { parentRef: { name: "other" }, controllerName: OTHER, conditions: [cond("Accepted", false)] };
    const stale = { parentRef: { name: "old" }, controllerName: ME, conditions: [cond("Accepted", true)] };
    const status = write(route(), { parents: [theirs, stale] }) as { parents: { controllerName: string }[] };
    expect(status.parents).toEqual([
      theirs,
      {
        parentRef: { name: "web" },
        controllerName: ME,
        conditions: [cond("Accepted", true, { observedGeneration: 3, lastTransitionTime: T1 })],
      },
    ]);
  });

  test("a status computed from an older generation than the one written is not written", () => {
    const newer = write(gateway(true, 5), {});
    expect(decideStatusWrite(gateway(false, 4), { resourceVersion: "9", status: newer }, T2)).toEqual({
      write: false,
      reason: "stale",
    });
    const newerRoute = write({ ...route(), observedGeneration: 9 }, {});
    expect(decideStatusWrite(route(), { resourceVersion: "9", status: newerRoute }, T2)).toEqual({
      write: false,
      reason: "stale",
    });
  });

  test("another controller's newer generation does not make ours stale", () => {
    const theirs = cond("example.com/Audited", true, { observedGeneration: 99, lastTransitionTime: T1 });
    expect(decideStatusWrite(gateway(true), { resourceVersion: "1", status: { conditions: [theirs] } }, T1).write).toBe(
      true,
    );
  });

  test("sameJson ignores key order but not array order or values", () => {
    expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: null }, { a: 0 })).toBe(false);
  });
});
