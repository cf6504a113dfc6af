/**
 * Planning against the in-memory ELB: plans converge, are idempotent, cost the fewest writes for
 * common changes, and never open a 404 gap for a request served before and after a change.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { evaluateListener } from "../../../shared/elb/evaluate.ts";
import type { LoadBalancerModel } from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type CreatedRules, simulate } from "../../../shared/testing/index.ts";
import { translate } from "../../../shared/translate.ts";
import { albGatewayManifests } from "../../fixtures/gateways.ts";
import { serviceManifests } from "../../fixtures/services.ts";

const BASE = `
${albGatewayManifests()}${["a", "b", "c", "d"].map((name, i) => serviceManifests({ name, addresses: [`10.0.${i}.1`, `10.0.${i}.2`] })).join("")}
`;

interface RouteSpec {
  name: string;
  host?: string;
  path: string;
  backends: [string, number][];
}

function route(r: RouteSpec, created: number): string {
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${r.name}, namespace: apps, creationTimestamp: "2026-01-01T00:00:${String(created).padStart(2, "0")}Z"}
spec:
  parentRefs: [{name: gw}]
  ${r.host ? `hostnames: [${r.host}]` : ""}
  rules:
  - matches: [{path: {type: PathPrefix, value: ${r.path}}}]
    backendRefs: [${r.backends.map(([n, w]) => `{name: ${n}, port: 80, weight: ${w}}`).join(", ")}]
`;
}

function model(routes: readonly RouteSpec[], extra = ""): LoadBalancerModel {
  const loaded = loadManifests(BASE + routes.map(route).join("") + extra, "test.yaml");
  expect(loaded.rejected).toEqual([]);
  const { loadBalancers } = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: "test" });
  const lb = loadBalancers[0]?.model;
  if (!lb) throw new Error("no load balancer built");
  return lb;
}

function run(observed: ObservedElb, ops: readonly ElbOperation[], onStep?: (s: ObservedElb) => void): ObservedElb {
  const created: CreatedRules = new Map();
  let state = observed;
  for (const op of ops) {
    state = simulate(state, op, created);
    onStep?.(state);
  }
  return state;
}

function applyModel(desired: LoadBalancerModel, from: ObservedElb = emptyObserved()): ObservedElb {
  return run(from, planElb(desired, from).operations);
}

/** What a request gets: backends with weights, or a status code. Comparable across states. */
function outcome(state: ObservedElb, host: string, path: string): string {
  const listener = state.listeners.find((l) => l.port === 80);
  if (!listener) return "no listener";
  const result = evaluateListener(listener.rules, listener.defaultActions, {
    method: "GET",
    scheme: "http",
    host,
    port: 80,
    path,
  });
  if (result.kind === "forward") {
    const names = new Map(state.targetGroups.map((tg) => [tg.id, tg.id.split(":")[0]]));
    return result.targetGroups.map((t) => `${names.get(t.targetGroupId)}=${t.weight}`).join(",");
  }
  return result.kind === "fixed-response" ? String(result.statusCode) : result.kind;
}

const ROUTES: RouteSpec[] = [
  { name: "r1", path: "/a", backends: [["a", 1]] },
  { name: "r2", path: "/b", backends: [["b", 1]] },
  { name: "r3", host: "x.example.com", path: "/", backends: [["c", 1]] },
];

describe("planning listener rules and target groups", () => {
  it("an empty account gets every resource and converges to the model", () => {
    const desired = model(ROUTES);
    const state = applyModel(desired);
    const listener = state.listeners[0];
    expect(listener?.rules.map((r) => r.conditions)).toEqual(desired.listeners[0]?.rules.map((r) => r.conditions));
    expect(state.targetGroups.map((tg) => tg.id).sort()).toEqual(desired.targetGroups.map((tg) => tg.id).sort());
    expect(state.targetGroups.every((tg) => tg.targets.length === 2)).toBe(true);
  });

  it("planning again after applying changes nothing", () => {
    const desired = model(ROUTES);
    const state = applyModel(desired);
    expect(planElb(desired, state).operations).toEqual([]);
  });

  it("new rules are spaced so later inserts find a free priority", () => {
    const state = applyModel(model(ROUTES));
    expect(state.listeners[0]?.rules.map((r) => r.priority)).toEqual([10, 20, 30]);
  });

  it("a changed backend weight is one ModifyRule per changed rule and nothing else", () => {
    const state = applyModel(model(ROUTES));
    const changed = ROUTES.map((r) =>
      r.name === "r1"
        ? {
            ...r,
            backends: [
              ["a", 90],
              ["b", 10],
            ] as [string, number][],
          }
        : r,
    );
    const ops = planElb(model(changed), state).operations;
    expect(ops.map((o) => o.op)).toEqual(["ModifyRule"]);
  });

  it("a new route between existing rules is created at a free priority between its neighbours", () => {
    const state = applyModel(model(ROUTES));
    const added = [...ROUTES, { name: "r4", path: "/ab", backends: [["d", 1]] as [string, number][] }];
    const ops = planElb(model(added), state).operations;
    // The backend group is admitted to the new targets before they are registered.
    expect(ops.map((o) => o.op)).toEqual([
      "AuthorizeTargetIngress",
      "CreateTargetGroup",
      "RegisterTargets",
      "CreateRule",
    ]);
    const after = run(state, ops);
    expect(planElb(model(added), after).operations).toEqual([]);
  });

  it("a removed route is one DeleteRule, then its unused target group goes", () => {
    const state = applyModel(model(ROUTES));
    const ops = planElb(model(ROUTES.filter((r) => r.name !== "r2")), state).operations;
    // Its targets' rules are released last (the simulator's one target group keeps the rule for the others).
    expect(ops.map((o) => o.op)).toEqual(["DeleteRule", "DeleteTargetGroup", "RevokeTargetIngress"]);
  });

  it("a changed path that moves the rule creates the new rule before deleting the old one", () => {
    const state = applyModel(model(ROUTES));
    const moved = ROUTES.map((r) => (r.name === "r2" ? { ...r, path: "/bee" } : r));
    const ops = planElb(model(moved), state).operations.map((o) => o.op);
    expect(ops.filter((o) => o === "CreateRule" || o === "DeleteRule")).toEqual(["CreateRule", "DeleteRule"]);
  });

  it("contiguous priorities left by another tool are renumbered with one SetRulePriorities", () => {
    const state = applyModel(model(ROUTES));
    const packed: ObservedElb = structuredClone(state);
    for (const l of packed.listeners) {
      l.rules.forEach((r, i) => {
        r.priority = i + 1;
      });
    }
    const added = [...ROUTES, { name: "r4", path: "/ab", backends: [["a", 1]] as [string, number][] }];
    const ops = planElb(model(added), packed).operations;
    expect(ops.filter((o) => o.op === "SetRulePriorities")).toHaveLength(1);
    const after = run(packed, ops);
    expect(planElb(model(added), after).operations).toEqual([]);
  });

  it("changed targets are registered and deregistered as a difference", () => {
    const desired = model(ROUTES);
    const state = applyModel(desired);
    const next = structuredClone(desired);
    const tg = next.targetGroups[0];
    if (!tg) throw new Error("no target group");
    const gone = tg.targets[1]?.id;
    tg.targets = [tg.targets[0] ?? { id: "10.9.9.9", port: 8080 }, { id: "10.9.9.9", port: 8080 }];
    const ops = planElb(next, state).operations;
    expect(ops).toEqual([
      {
        op: "AuthorizeTargetIngress",
        access: [{ ip: "10.9.9.9", protocol: "tcp", port: 8080 }],
        tags: expect.objectContaining({ "switchyard.dev/role": "backend-ingress" }),
      },
      { op: "RegisterTargets", targetGroupId: tg.id, targets: [{ id: "10.9.9.9", port: 8080 }] },
      { op: "DeregisterTargets", targetGroupId: tg.id, targets: [expect.objectContaining({ port: 8080 })] },
      {
        op: "RevokeTargetIngress",
        rules: [expect.objectContaining({ port: 8080, staleTargets: [gone] })],
      },
    ]);
  });

  it("a scheme change replaces the load balancer and says why", () => {
    const state = applyModel(model(ROUTES));
    expect(state.loadBalancer?.scheme).toBe("internal");
    const public_ = { ...model(ROUTES), scheme: "internet-facing" as const, name: "sy-apps-gw-public" };
    const plan = planElb(public_, state);
    expect(plan.replacement).toContain("scheme changes from internal to internet-facing");
    expect(plan.operations[0]?.op).toBe("DeleteLoadBalancer");
    expect(planElb(public_, run(state, plan.operations)).operations).toEqual([]);
  });

  it("mutual TLS is set at creation, turned off explicitly, and stable once applied", () => {
    const withMtls = structuredClone(model(ROUTES));
    const listener = withMtls.listeners[0];
    if (!listener) throw new Error("no listener");
    listener.mutualAuthentication = {
      mode: "verify",
      trustStoreArn: "arn:aws:elasticloadbalancing:us-east-1:1:truststore/ts/1",
    };
    const created = planElb(withMtls, emptyObserved()).operations.find((o) => o.op === "CreateListener");
    expect(created).toMatchObject({ mutualAuthentication: { mode: "verify" } });
    const state = applyModel(withMtls);
    expect(planElb(withMtls, state).operations).toEqual([]);
    const off = planElb(model(ROUTES), state).operations;
    expect(off).toEqual([expect.objectContaining({ op: "ModifyListener", mutualAuthentication: { mode: "off" } })]);
    expect(planElb(model(ROUTES), run(state, off)).operations).toEqual([]);
  });

  it("a deleted Gateway deletes its load balancer, its target groups, then its security groups and rules", () => {
    const state = applyModel(model(ROUTES));
    const ops = planElb(undefined, state).operations.map((o) => o.op);
    expect(ops).toEqual([
      "DeleteLoadBalancer",
      "DeleteTargetGroup",
      "DeleteTargetGroup",
      "DeleteTargetGroup",
      "RevokeTargetIngress",
      "DeleteSecurityGroup",
      "ReleaseBackendSecurityGroup",
    ]);
    const after = run(state, planElb(undefined, state).operations);
    expect(after.targetGroups).toEqual([]);
    expect(after.securityGroups).toEqual({ targetRules: [] });
  });
});

/** `desired` with the rules of its one listener given as path patterns, in that order. */
function withPaths(desired: LoadBalancerModel, paths: readonly (string[] | { regex: string })[]): LoadBalancerModel {
  const next = structuredClone(desired);
  const listener = next.listeners[0];
  const template = listener?.rules[0];
  if (!listener || !template) throw new Error("no rule to copy");
  listener.rules = paths.map((p) => ({
    ...structuredClone(template),
    conditions: [
      Array.isArray(p) ? { field: "path-pattern", values: p } : { field: "path-pattern", regexValues: [p.regex] },
    ],
  }));
  return next;
}

describe("rules whose conditions change in place", () => {
  const base = model(ROUTES.slice(0, 1));

  it("a changed path that keeps the rule's place is one ModifyRule of its conditions and actions", () => {
    const state = applyModel(model(ROUTES));
    const rule = state.listeners[0]?.rules.find((r) => JSON.stringify(r.conditions).includes('"/b"'));
    // /c sorts where /b did: same length, same creation time.
    const moved = model(ROUTES.map((r) => (r.name === "r2" ? { ...r, path: "/c" } : r)));
    const want = moved.listeners[0]?.rules.find((r) => JSON.stringify(r.conditions).includes('"/c"'));
    expect(planElb(moved, state).operations).toEqual([
      {
        op: "ModifyRule",
        listenerId: "HTTP:80",
        rule: { arn: rule?.arn },
        conditions: [{ field: "path-pattern", values: ["/c", "/c/*"] }],
        actions: want?.actions,
      },
    ]);
    expect(planElb(moved, run(state, planElb(moved, state).operations)).operations).toEqual([]);
  });

  it("several rules change in place when none's old paths can match another's new ones", () => {
    const state = applyModel(withPaths(base, [["/a", "/a/*"], ["/b"], ["/c/*"]]));
    const next = withPaths(base, [["/x", "/x/*"], ["/y"], ["/z/*"]]);
    const ops = planElb(next, state).operations;
    expect(ops.map((o) => o.op)).toEqual(["ModifyRule", "ModifyRule", "ModifyRule"]);
    expect(ops.map((o) => (o.op === "ModifyRule" && "arn" in o.rule ? o.rule.arn : ""))).toEqual(
      state.listeners[0]?.rules.map((r) => r.arn),
    );
    expect(planElb(next, run(state, ops)).operations).toEqual([]);
  });

  it("a rule whose old path may match an earlier in-place rule's new one is created and deleted instead", () => {
    // Modifying /ab into /a, then / into /b, would leave /ab unserved in between (neither /a nor /b
    // matches it, and / no longer does): so / → /b is a create before a delete.
    const state = applyModel(withPaths(base, [["/ab"], ["/*"]]));
    const [ab, all] = state.listeners[0]?.rules ?? [];
    const next = withPaths(base, [["/a"], ["/b"]]);
    const ops = planElb(next, state).operations;
    expect(ops).toEqual([
      expect.objectContaining({ op: "CreateRule", conditions: [{ field: "path-pattern", values: ["/b"] }] }),
      expect.objectContaining({
        op: "ModifyRule",
        rule: { arn: ab?.arn },
        conditions: next.listeners[0]?.rules[0]?.conditions,
      }),
      { op: "DeleteRule", listenerId: "HTTP:80", rule: { arn: all?.arn } },
    ]);
  });

  it("a rule whose new path may match an earlier in-place rule's old one is created and deleted instead", () => {
    const state = applyModel(withPaths(base, [["/ab"], ["/q"]]));
    const next = withPaths(base, [["/x"], ["/a*"]]);
    expect(planElb(next, state).operations.map((o) => o.op)).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
  });

  it("'?' is a wildcard: /a?c may match what /abc matched", () => {
    const state = applyModel(withPaths(base, [["/abc"], ["/q"]]));
    const next = withPaths(base, [["/x"], ["/a?c"]]);
    expect(planElb(next, state).operations.map((o) => o.op)).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
    const apart = withPaths(base, [["/x"], ["/b?c"]]);
    expect(planElb(apart, state).operations.map((o) => o.op)).toEqual(["ModifyRule", "ModifyRule"]);
  });

  it("regex paths, and rules without a path, are never taken to be apart", () => {
    const regex = applyModel(withPaths(base, [["/a"], { regex: "^/q$" }]));
    const next = withPaths(base, [["/x"], { regex: "^/r$" }]);
    expect(planElb(next, regex).operations.map((o) => o.op)).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
    const hostOnly = structuredClone(withPaths(base, [["/x"], ["/r"]]));
    const second = hostOnly.listeners[0]?.rules[1];
    if (second) second.conditions = [{ field: "host-header", values: ["r.example.com"] }];
    const plain = applyModel(withPaths(base, [["/a"], ["/q"]]));
    expect(planElb(hostOnly, plain).operations.map((o) => o.op)).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
    // The same with the rule without a path on the old side.
    const hostBefore = structuredClone(withPaths(base, [["/a"], ["/q"]]));
    const old = hostBefore.listeners[0]?.rules[1];
    if (old) old.conditions = [{ field: "host-header", values: ["q.example.com"] }];
    const fromHost = applyModel(hostBefore);
    const toPaths = withPaths(base, [["/x"], ["/r"]]);
    expect(planElb(toPaths, fromHost).operations.map((o) => o.op)).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
  });

  it("modifications come in the listener's order, whether a rule's path or only its actions change", () => {
    const before = withPaths(base, [["/a"], ["/b"]]);
    const state = applyModel(before);
    const next = withPaths(base, [["/x"], ["/b"]]);
    const second = next.listeners[0]?.rules[1];
    if (second) second.actions = [{ type: "fixed-response", statusCode: "503" }];
    const ops = planElb(next, state).operations;
    expect(ops.map((o) => (o.op === "ModifyRule" && "arn" in o.rule ? o.rule.arn : o.op))).toEqual(
      state.listeners[0]?.rules.map((r) => r.arn),
    );
    expect(ops.map((o) => (o.op === "ModifyRule" ? o.conditions : []))).toEqual([
      [{ field: "path-pattern", values: ["/x"] }],
      [{ field: "path-pattern", values: ["/b"] }],
    ]);
  });

  it("in-place rules stay between the rules kept around them, and extra new ones follow them", () => {
    const state = applyModel(withPaths(base, [["/keep1"], ["/old"], ["/keep2"]]));
    const next = withPaths(base, [["/keep1"], ["/new"], ["/more"], ["/keep2"]]);
    const ops = planElb(next, state).operations;
    expect(ops.map((o) => o.op)).toEqual(["CreateRule", "ModifyRule"]);
    const after = run(state, ops);
    const byPriority = [...(after.listeners[0]?.rules ?? [])].sort((a, b) => a.priority - b.priority);
    expect(byPriority.map((r) => r.conditions[0])).toEqual(next.listeners[0]?.rules.map((r) => r.conditions[0]));
    expect(planElb(next, after).operations).toEqual([]);
  });
});

describe("hitless rule changes", () => {
  const probes = ["/a", "/a/x", "/ab", "/b", "/bee", "/c", "/", "/zzz"].flatMap((path) =>
    ["x.example.com", "y.example.com"].map((host) => ({ host, path })),
  );
  const routeArb = fc.record({
    name: fc.constantFrom("r1", "r2", "r3", "r4", "r5"),
    host: fc.option(fc.constantFrom("x.example.com", "y.example.com"), { nil: undefined }),
    path: fc.constantFrom("/", "/a", "/ab", "/b", "/bee", "/c"),
    backends: fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: 1, max: 3 })), {
      minLength: 1,
      maxLength: 2,
    }),
  });
  const routesArb = fc.uniqueArray(routeArb, { selector: (r) => r.name, maxLength: 5 });

  it("a request served before and after a change never gets the default 404 in between", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(routesArb, routesArb, fc.boolean(), (before, after, packed) => {
        const dedupe = (rs: RouteSpec[]) =>
          rs.map((r) => ({ ...r, backends: [...new Map(r.backends).entries()] as [string, number][] }));
        const start = applyModel(model(dedupe(before)));
        // Half the runs start from contiguous priorities, which forces the renumbering path.
        if (packed) {
          for (const l of start.listeners) {
            l.rules.forEach((r, i) => {
              r.priority = i + 1;
            });
          }
        }
        const target = model(dedupe(after));
        const plan = planElb(target, start);
        const old = probes.map((p) => outcome(start, p.host, p.path));
        const end = run(start, plan.operations, (mid) => {
          probes.forEach((p, i) => {
            const now = outcome(mid, p.host, p.path);
            if (old[i] !== "404" && now === "404") {
              const final = outcome(run(start, plan.operations), p.host, p.path);
              expect(final, `${p.host}${p.path} hit a 404 gap mid-plan`).toBe("404");
            }
          });
        });
        const again = planElb(target, end).operations;
        expect(again, JSON.stringify({ plan: plan.operations, end: end.listeners, again })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
