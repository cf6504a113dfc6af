/**
 * The planner's operations one by one, on hand-built models: which call a change becomes, what it
 * carries, on which listener, rule or target group, in which order, and that nothing unchanged is
 * written. Every plan is applied to the in-memory ELB and must leave nothing more to do.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  ListenerModel,
  ListenerRuleModel,
  LoadBalancerModel,
  TargetGroupModel,
} from "../../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { planElb } from "../../../shared/elb/plan.ts";
import type { RuleAction, RuleCondition } from "../../../shared/elb/rules.ts";
import { type CreatedRules, simulate } from "../../../shared/testing/index.ts";
import { bareAlbModel } from "../../fixtures/gateway-model.ts";

const OK: RuleAction = { type: "fixed-response", statusCode: "200" };
const NOT_FOUND: RuleAction = { type: "fixed-response", statusCode: "404" };
const CERT = (n: number) => `arn:aws:acm:us-east-1:111122223333:certificate/c${n}`;

const lb = bareAlbModel;

function pathRule(path: string, actions: RuleAction[] = [OK]): ListenerRuleModel {
  return {
    priority: 0,
    conditions: [{ field: "path-pattern", values: [path] }],
    actions,
    source: { route: "apps/r", rule: 0, match: 0 },
  };
}

function listener(overrides: Partial<ListenerModel> = {}): ListenerModel {
  return {
    id: "HTTP:80",
    port: 80,
    protocol: "HTTP",
    defaultActions: [NOT_FOUND],
    rules: [],
    gatewayListeners: ["http"],
    tags: { "switchyard.dev/gateway": "apps/gw" },
    ...overrides,
  };
}

function https(certs: number[], overrides: Partial<ListenerModel> = {}): ListenerModel {
  return listener({
    id: "HTTPS:443",
    port: 443,
    protocol: "HTTPS",
    certificates: { arns: certs.map(CERT), pendingSecrets: [] },
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ...overrides,
  });
}

function targetGroup(overrides: Partial<TargetGroupModel> = {}): TargetGroupModel {
  return {
    id: "apps/web:80/HTTP1",
    name: "sy-web-80",
    protocol: "HTTP",
    protocolVersion: "HTTP1",
    port: 80,
    targetType: "ip",
    ipAddressType: "ipv4",
    healthCheck: {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/",
      intervalSeconds: 15,
      timeoutSeconds: 5,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
    },
    attributes: {},
    tags: {},
    targets: [{ id: "10.0.0.1", port: 8080 }],
    backend: "Service apps/web:80",
    ...overrides,
  };
}

const forward = (id: string): RuleAction => ({ type: "forward", targetGroups: [{ targetGroupId: id, weight: 1 }] });

function apply(observed: ObservedElb, ops: readonly ElbOperation[]): ObservedElb {
  const created: CreatedRules = new Map();
  return ops.reduce((state, op) => simulate(state, op, created), observed);
}

/** What exists after building `model` from nothing. */
function built(model: LoadBalancerModel): ObservedElb {
  return apply(emptyObserved(), planElb(model, emptyObserved()).operations);
}

/** The operations from `from` to `model`, after checking that applying them leaves nothing to do. */
function planned(model: LoadBalancerModel, from: ObservedElb): ElbOperation[] {
  const ops = planElb(model, from).operations;
  expect(planElb(model, apply(from, ops)).operations).toEqual([]);
  return ops;
}

/** The first path pattern of a rule's conditions. */
function firstPath(conditions: readonly RuleCondition[] | undefined): string {
  const first = conditions?.[0];
  return first?.field === "path-pattern" ? (first.values?.[0] ?? "?") : "?";
}

/** The one listener's rules as path → priority, in priority order. */
function layout(state: ObservedElb): string[] {
  const rules = [...(state.listeners[0]?.rules ?? [])].sort((a, b) => a.priority - b.priority);
  return rules.map(
    (r) => `${r.conditions[0]?.field === "path-pattern" ? r.conditions[0].values?.[0] : "?"}@${r.priority}`,
  );
}

/** A listener with rules for `paths` at `priorities` (as another tool, or earlier renumberings, left them). */
function rulesAt(paths: string[], priorities: number[]): ObservedElb {
  const state = built(lb({ listeners: [listener({ rules: paths.map((p) => pathRule(p)) })] }));
  state.listeners[0]?.rules.forEach((r, i) => {
    r.priority = priorities[i] ?? 0;
  });
  return state;
}

const withPaths = (paths: string[]) => lb({ listeners: [listener({ rules: paths.map((p) => pathRule(p)) })] });
const arnOf = (state: ObservedElb, path: string) =>
  state.listeners[0]?.rules.find(
    (r) => r.conditions[0]?.field === "path-pattern" && r.conditions[0].values?.[0] === path,
  )?.arn;

describe("target groups", () => {
  it("a new group gets its attributes right after it is created, and registers targets only if it has some", () => {
    const tg = targetGroup({ attributes: { "deregistration_delay.timeout_seconds": "30" }, targets: [] });
    expect(planned(lb({ targetGroups: [tg] }), emptyObserved()).filter((o) => o.op !== "CreateLoadBalancer")).toEqual([
      { op: "CreateTargetGroup", targetGroup: expect.objectContaining({ id: tg.id, name: tg.name, port: 80 }) },
      { op: "ModifyTargetGroupAttributes", targetGroupId: tg.id, attributes: tg.attributes },
    ]);
  });

  it("a changed health check is one ModifyTargetGroup of that group", () => {
    const other = targetGroup({ id: "apps/other:80/HTTP1", name: "sy-other-80" });
    const before = lb({ targetGroups: [targetGroup(), other] });
    const healthCheck = { ...targetGroup().healthCheck, path: "/healthz" };
    const after = lb({ targetGroups: [targetGroup({ healthCheck }), other] });
    expect(planned(after, built(before))).toEqual([
      { op: "ModifyTargetGroup", targetGroupId: targetGroup().id, healthCheck },
    ]);
  });

  it("changed attributes are one ModifyTargetGroupAttributes with only the changed ones", () => {
    const before = lb({ targetGroups: [targetGroup({ attributes: { a: "1", b: "2" } })] });
    const after = lb({ targetGroups: [targetGroup({ attributes: { a: "1", b: "3" } })] });
    expect(planned(after, built(before))).toEqual([
      { op: "ModifyTargetGroupAttributes", targetGroupId: targetGroup().id, attributes: { b: "3" } },
    ]);
  });

  it("a group AWS reports without protocol version or target type is the HTTP1 ip group it was created as", () => {
    const model = lb({ targetGroups: [targetGroup()] });
    const state = built(model);
    for (const tg of state.targetGroups) {
      delete tg.protocolVersion;
      delete tg.targetType;
    }
    expect(planElb(model, state).operations).toEqual([]);
  });

  it("a changed port is a new group, the rules forwarding to it moved over, and the old group deleted last", () => {
    const rule = pathRule("/web", [forward(targetGroup().id)]);
    const before = lb({
      targetGroups: [targetGroup()],
      listeners: [listener({ defaultActions: [forward(targetGroup().id)], rules: [rule] })],
    });
    const state = built(before);
    const after = structuredClone(before);
    after.targetGroups = [targetGroup({ port: 81, name: "sy-web-81" })];
    const ops = planned(after, state);
    expect(ops).toEqual([
      { op: "CreateTargetGroup", targetGroup: expect.objectContaining({ id: targetGroup().id, port: 81 }) },
      { op: "RegisterTargets", targetGroupId: targetGroup().id, targets: targetGroup().targets },
      expect.objectContaining({
        op: "ModifyListener",
        listenerId: "HTTP:80",
        defaultActions: [forward(targetGroup().id)],
      }),
      expect.objectContaining({ op: "ModifyRule", rule: { arn: state.listeners[0]?.rules[0]?.arn } }),
      { op: "DeleteTargetGroup", targetGroupId: targetGroup().id, arn: state.targetGroups[0]?.arn },
    ]);
  });
});

describe("comparing what exists with the model", () => {
  it("fields in another order, and an empty transform list, are no change", () => {
    const model = lb({
      targetGroups: [targetGroup()],
      listeners: [listener({ rules: [pathRule("/a", [forward(targetGroup().id)]), pathRule("/b")] })],
    });
    const state = built(model);
    const reversed = <T extends object>(o: T): T =>
      Object.fromEntries(
        Object.entries(o)
          .reverse()
          .map(([k, v]) => [
            k,
            v && typeof v === "object" && !Array.isArray(v)
              ? reversed(v)
              : Array.isArray(v)
                ? v.map((x) => (x && typeof x === "object" ? reversed(x) : x))
                : v,
          ]),
      ) as T;
    for (const l of state.listeners) {
      l.defaultActions = l.defaultActions.map(reversed);
      l.rules = l.rules.map((r) => ({ ...reversed(r), transforms: [] }));
    }
    for (const tg of state.targetGroups) tg.healthCheck = reversed(tg.healthCheck);
    expect(planElb(model, state).operations).toEqual([]);
  });

  it("transforms are sent when a rule is created and when they change", () => {
    const transforms = [{ type: "url-rewrite" as const, rewrites: [{ regex: "^/a/(.*)$", replace: "/$1" }] }];
    const rule = { ...pathRule("/a"), transforms };
    const create = planElb(lb({ listeners: [listener({ rules: [rule] })] }), emptyObserved()).operations;
    expect(create).toContainEqual(expect.objectContaining({ op: "CreateRule", transforms }));
    const state = built(withPaths(["/a"]));
    expect(planned(lb({ listeners: [listener({ rules: [rule] })] }), state)).toEqual([
      {
        op: "ModifyRule",
        listenerId: "HTTP:80",
        rule: { arn: arnOf(state, "/a") },
        conditions: rule.conditions,
        actions: [OK],
        transforms,
      },
    ]);
  });
});

describe("listeners", () => {
  it("another protocol on the same port is one ModifyListener of that listener, not a new one", () => {
    const state = built(lb({ listeners: [listener({ id: "HTTP:443", port: 443 })] }));
    expect(planned(lb({ listeners: [https([1])] }), state)).toEqual([
      {
        op: "ModifyListener",
        listenerId: "HTTPS:443",
        arn: state.listeners[0]?.arn,
        protocol: "HTTPS",
        defaultCertificate: CERT(1),
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      },
    ]);
  });

  it("certificates: a new default is one ModifyListener, extra ones are added and removed as a difference", () => {
    const state = built(lb({ listeners: [https([1, 2, 3])] }));
    expect(planned(lb({ listeners: [https([4, 2, 5])] }), state)).toEqual([
      { op: "ModifyListener", listenerId: "HTTPS:443", arn: state.listeners[0]?.arn, defaultCertificate: CERT(4) },
      { op: "AddListenerCertificates", listenerId: "HTTPS:443", arns: [CERT(5)] },
      { op: "RemoveListenerCertificates", listenerId: "HTTPS:443", arns: [CERT(3)] },
    ]);
  });

  it("a certificate that stops being the default but stays listed is added to the list when the default moves", () => {
    // ModifyListener replaces the default certificate: the old one is gone unless it is also in the
    // certificate list, so SNI for its hostnames would get the new default until a later reconcile.
    const state = built(lb({ listeners: [https([1, 2])] }));
    expect(planned(lb({ listeners: [https([2, 1])] }), state)).toEqual([
      { op: "ModifyListener", listenerId: "HTTPS:443", arn: state.listeners[0]?.arn, defaultCertificate: CERT(2) },
      { op: "AddListenerCertificates", listenerId: "HTTPS:443", arns: [CERT(1)] },
    ]);
  });

  it("a changed TLS or ALPN policy is one ModifyListener; one the model leaves unset is left as it is", () => {
    const tls = (overrides: Partial<ListenerModel>) =>
      lb({ type: "network", listeners: [https([1], { id: "TLS:443", protocol: "TLS", ...overrides })] });
    const state = built(tls({ alpnPolicy: "HTTP2Preferred" }));
    const arn = state.listeners[0]?.arn;
    expect(planned(tls({ sslPolicy: "ELBSecurityPolicy-2016-08", alpnPolicy: "HTTP2Preferred" }), state)).toEqual([
      { op: "ModifyListener", listenerId: "TLS:443", arn, sslPolicy: "ELBSecurityPolicy-2016-08" },
    ]);
    expect(planned(tls({ alpnPolicy: "HTTP2Only" }), state)).toEqual([
      { op: "ModifyListener", listenerId: "TLS:443", arn, alpnPolicy: "HTTP2Only" },
    ]);
    expect(planElb(tls({ sslPolicy: undefined, alpnPolicy: undefined }), state).operations).toEqual([]);
  });

  it("mutual TLS the model sets off on a listener that has none is no change", () => {
    const state = built(lb({ listeners: [https([1])] }));
    expect(
      planElb(lb({ listeners: [https([1], { mutualAuthentication: { mode: "off" } })] }), state).operations,
    ).toEqual([]);
  });

  it("changed default actions are one ModifyListener of them", () => {
    const state = built(lb({ listeners: [listener()] }));
    expect(planned(lb({ listeners: [listener({ defaultActions: [OK] })] }), state)).toEqual([
      { op: "ModifyListener", listenerId: "HTTP:80", arn: state.listeners[0]?.arn, defaultActions: [OK] },
    ]);
  });

  it("listener attributes are set after the listener is created and when they change", () => {
    const model = lb({ listeners: [listener({ attributes: { "routing.http.response.server.enabled": "false" } })] });
    const ops = planElb(model, emptyObserved()).operations.map((o) => o.op);
    expect(ops.slice(ops.indexOf("CreateListener"))).toEqual(["CreateListener", "ModifyListenerAttributes"]);
    const next = lb({ listeners: [listener({ attributes: { "routing.http.response.server.enabled": "true" } })] });
    expect(planned(next, built(model))).toEqual([
      {
        op: "ModifyListenerAttributes",
        listenerId: "HTTP:80",
        attributes: { "routing.http.response.server.enabled": "true" },
      },
    ]);
  });

  it("a listener on another port is a new listener, not a change of the old one", () => {
    const state = built(lb({ listeners: [listener({ id: "HTTP:81", port: 81 })] }));
    expect(planned(lb({ listeners: [listener()] }), state).map((o) => o.op)).toEqual([
      "CreateListener",
      "DeleteListener",
    ]);
  });

  it("a listener the model drops is deleted after the others are planned, and only that one", () => {
    const both = lb({ listeners: [listener(), listener({ id: "HTTP:81", port: 81 })] });
    const state = built(both);
    const gone = state.listeners.find((l) => l.port === 81);
    expect(planned(lb({ listeners: [listener({ defaultActions: [OK] })] }), state)).toEqual([
      expect.objectContaining({ op: "ModifyListener", listenerId: "HTTP:80" }),
      { op: "DeleteListener", listenerId: gone?.id, arn: gone?.arn },
    ]);
  });
});

describe("the load balancer", () => {
  it("load balancers also tagged for this Gateway are deleted, after the listeners and before unused groups", () => {
    const state = { ...built(lb({ targetGroups: [targetGroup()] })), strayLoadBalancers: ["arn:stray"] };
    const stray = {
      op: "DeleteLoadBalancer",
      arn: "arn:stray",
      reason: "a second load balancer tagged for this Gateway",
    };
    expect(
      planElb(lb({ listeners: [listener()] }), state).operations.map((o) => (o.op === "DeleteLoadBalancer" ? o : o.op)),
    ).toEqual(["CreateListener", stray, "DeleteTargetGroup"]);
    expect(planElb(undefined, state).operations.map((o) => (o.op === "DeleteLoadBalancer" ? o.arn : o.op))).toEqual([
      state.loadBalancer?.arn,
      "arn:stray",
      "DeleteTargetGroup",
    ]);
  });

  it("a Shield protection switchyard made is deleted before the load balancer, when the Gateway goes or it is replaced", () => {
    const state = built(lb());
    if (state.loadBalancer) state.loadBalancer.shieldProtection = { id: "prot-1", managed: true };
    const first = (plan: { operations: ElbOperation[] }) => plan.operations.slice(0, 2).map((o) => o.op);
    expect(first(planElb(undefined, state))).toEqual(["DeleteProtection", "DeleteLoadBalancer"]);
    expect(first(planElb(lb({ scheme: "internal", shieldProtection: true }), state))).toEqual([
      "DeleteProtection",
      "DeleteLoadBalancer",
    ]);
  });

  it("a new name replaces the load balancer, says so, and builds every listener again", () => {
    const before = lb({ listeners: [listener()] });
    const state = built(before);
    const plan = planElb({ ...before, name: "sy-apps-gw-2" }, state);
    expect(plan.replacement).toBe("name changes from sy-apps-gw to sy-apps-gw-2");
    expect(plan.operations.map((o) => o.op)).toEqual(["DeleteLoadBalancer", "CreateLoadBalancer", "CreateListener"]);
    expect(planElb({ ...before, type: "network", listeners: [] }, state).replacement).toBe(
      "load balancer type changes from application to network",
    );
  });

  it("a subnet selector is sent with CreateLoadBalancer", () => {
    const subnetSelector = { "kubernetes.io/role/elb": ["1"] };
    expect(planElb(lb({ subnetSelector }), emptyObserved()).operations).toEqual([
      expect.objectContaining({ op: "CreateLoadBalancer", subnetSelector }),
    ]);
  });

  it("attributes are set right after creation, and later only the changed ones", () => {
    const model = lb({ attributes: { "idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true" } });
    expect(planElb(model, emptyObserved()).operations.map((o) => o.op)).toEqual([
      "CreateLoadBalancer",
      "ModifyLoadBalancerAttributes",
    ]);
    const next = lb({ attributes: { "idle_timeout.timeout_seconds": "120", "routing.http2.enabled": "true" } });
    expect(planned(next, built(model))).toEqual([
      { op: "ModifyLoadBalancerAttributes", attributes: { "idle_timeout.timeout_seconds": "120" } },
    ]);
    expect(planElb(lb(), emptyObserved()).operations.map((o) => o.op)).toEqual(["CreateLoadBalancer"]);
  });

  it("security groups switchyard does not manage are set when they differ as a set, on an ALB that names some", () => {
    const state = built(lb({ securityGroups: ["sg-1", "sg-2"] }));
    expect(planned(lb({ securityGroups: ["sg-2", "sg-3"] }), state)).toEqual([
      { op: "SetSecurityGroups", securityGroups: ["sg-2", "sg-3"] },
    ]);
    expect(planElb(lb({ securityGroups: ["sg-2", "sg-1"] }), state).operations).toEqual([]);
    const reported = built(lb({ securityGroups: ["sg-2", "sg-1"] }));
    expect(planElb(lb({ securityGroups: ["sg-1", "sg-2"] }), reported).operations).toEqual([]);
    expect(planElb(lb({ securityGroups: [] }), state).operations).toEqual([]);
    const nlb = built(lb({ type: "network", securityGroups: ["sg-1"] }));
    expect(planElb(lb({ type: "network", securityGroups: ["sg-3"] }), nlb).operations).toEqual([]);
  });
});

describe("rule priorities", () => {
  /** The plan's rule operations in short: `+path@priority`, `~path`, `-path`, `=[path@priority …]`. */
  function ruleOps(state: ObservedElb, ops: readonly ElbOperation[]): string[] {
    const name = (ref: { arn: string } | { created: string }) =>
      "arn" in ref ? firstPath(state.listeners[0]?.rules.find((r) => r.arn === ref.arn)?.conditions) : ref.created;
    return ops.map((o) =>
      o.op === "CreateRule"
        ? `+${firstPath(o.conditions)}@${o.priority}`
        : o.op === "ModifyRule"
          ? `~${name(o.rule)}`
          : o.op === "DeleteRule"
            ? `-${name(o.rule)}`
            : o.op === "SetRulePriorities"
              ? `=[${o.priorities.map((p) => `${name(p.rule)}@${p.priority}`).join(" ")}]`
              : o.op,
    );
  }
  const plan = (paths: string[], priorities: number[], want: string[]) => {
    const state = rulesAt(paths, priorities);
    return ruleOps(state, planned(withPaths(want), state));
  };

  it("a new rule takes the one free priority between its neighbours without renumbering", () => {
    expect(plan(["/a", "/b"], [10, 12], ["/a", "/n", "/b"])).toEqual(["+/n@11"]);
  });

  it("new rules in a wide gap are spaced near the rule before them, leaving room on both sides", () => {
    expect(plan(["/a", "/b"], [10, 1000], ["/a", "/n", "/m", "/b"])).toEqual(["+/n@17", "+/m@24"]);
  });

  it("a new last rule may take the highest priority, 50000", () => {
    expect(plan(["/a"], [49_990], ["/a", "/n"])).toEqual(["+/n@50000"]);
    expect(plan(["/a"], [49_999], ["/a", "/n"])).toEqual(["+/n@50000", "=[/a@16666 HTTP:80#1@33332]"]);
  });

  it("past 50000 the new rule waits above the others and the listener is renumbered above them", () => {
    expect(plan(["/a"], [49_995], ["/a", "/n"])).toEqual(["+/n@49996", "=[/a@49997 HTTP:80#1@49998]"]);
  });

  it("a listener whose last rule is at 50000 still takes a new rule after it", () => {
    // Renumbering near the top puts the last rule at 50000 itself (see below); the next new rule
    // after it used to wait at priority 1, leaving no free range to renumber into: the plan threw.
    const top = rulesAt(["/a", "/b", "/c"], [49_993, 49_994, 49_995]);
    const renumbered = apply(top, planElb(withPaths(["/a", "/n", "/b", "/c"]), top).operations);
    expect(layout(renumbered)).toEqual(["/a@49997", "/n@49998", "/b@49999", "/c@50000"]);
    expect(planned(withPaths(["/a", "/n", "/b", "/c", "/z"]), renumbered).map((o) => o.op)).toEqual([
      "CreateRule",
      "SetRulePriorities",
    ]);
    expect(plan(["/a"], [50_000], ["/a", "/n"])).toEqual(["+/n@49999", "=[/a@16666 HTTP:80#1@33332]"]);
    expect(plan(["/a", "/b"], [49_999, 50_000], ["/a", "/n", "/b"])).toEqual([
      "+/n@49998",
      "=[/a@12499 HTTP:80#1@24998 /b@37497]",
    ]);
  });

  it("renumbering keeps each stale rule right after the rule before it until it is deleted", () => {
    expect(plan(["/a", "/b", "/c"], [1, 2, 3], ["/n", "/a", "/c"])).toEqual([
      "+/n@4",
      "=[HTTP:80#0@14 /a@24 /b@34 /c@44]",
      "-/b",
    ]);
    expect(plan(["/a", "/c", "/b"], [1, 2, 3], ["/n", "/a", "/c"])).toEqual([
      "+/n@4",
      "=[HTTP:80#0@14 /a@24 /c@34 /b@44]",
      "-/b",
    ]);
    expect(plan(["/b", "/a", "/c"], [1, 2, 3], ["/a", "/n", "/c"])).toEqual([
      "+/n@4",
      "=[/b@14 /a@24 HTTP:80#1@34 /c@44]",
      "-/b",
    ]);
  });

  it("near the top, renumbering narrows the spacing to fit, down to 1, then moves below the rules", () => {
    expect(plan(["/a", "/b", "/c"], [49_970, 49_971, 49_972], ["/a", "/n", "/b", "/c"])).toEqual([
      "+/n@49973",
      "=[/a@49978 HTTP:80#1@49983 /b@49988 /c@49993]",
    ]);
    expect(plan(["/a", "/b", "/c"], [49_993, 49_994, 49_995], ["/a", "/n", "/b", "/c"])).toEqual([
      "+/n@49996",
      "=[/a@49997 HTTP:80#1@49998 /b@49999 /c@50000]",
    ]);
    expect(plan(["/a", "/b", "/c"], [49_996, 49_997, 49_998], ["/a", "/n", "/b", "/c"])).toEqual([
      "+/n@49999",
      "=[/a@9999 HTTP:80#1@19998 /b@29997 /c@39996]",
    ]);
  });

  it("with rules at both ends of the range, renumbering lays them out in the widest free range between them", () => {
    // Nothing free above 50000 or below 1: the rules move into 4–49998 and the plan converges.
    const ends = rulesAt(["/a", "/b", "/c", "/d"], [1, 2, 3, 50_000]);
    const want = withPaths(["/a", "/n", "/b", "/c", "/d"]);
    expect(ruleOps(ends, planned(want, ends))).toEqual(["+/n@49999", "=[/a@13 HTTP:80#1@23 /b@33 /c@43 /d@53]"]);
    const after = apply(ends, planElb(want, ends).operations);
    expect(layout(after)).toEqual(["/a@13", "/n@23", "/b@33", "/c@43", "/d@53"]);
    expect(planElb(want, after).operations).toEqual([]);
  });

  it("a reordering rewrites only the rules outside the longest run kept in order", () => {
    /** Length of the longest common subsequence, by the textbook recurrence. */
    const lcsLength = (a: readonly string[], b: readonly string[]): number => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
          const row = t[i] as number[];
          row[j] = a[i - 1] === b[j - 1] ? (t[i - 1]?.[j - 1] ?? 0) + 1 : Math.max(t[i - 1]?.[j] ?? 0, row[j - 1] ?? 0);
        }
      }
      return t[a.length]?.[b.length] ?? 0;
    };
    // Single-character paths: no two can match the same request, so every gap pair is changed in place.
    const paths = fc.uniqueArray(fc.constantFrom("/a", "/b", "/c", "/d", "/e", "/f", "/g"), { maxLength: 7 });
    fc.assert(
      fc.property(paths, paths, (before, after) => {
        const state = built(withPaths(before));
        const ops = planned(withPaths(after), state);
        const writes = ops.filter((o) => o.op === "CreateRule" || o.op === "ModifyRule").length;
        expect(writes).toBe(after.length - lcsLength(after, before));
      }),
      { numRuns: 300 },
    );
  });
});

describe("rules changed in place together", () => {
  const rules = (...paths: string[][]) =>
    lb({
      listeners: [
        listener({
          rules: paths.map((values) => ({ ...pathRule(""), conditions: [{ field: "path-pattern" as const, values }] })),
        }),
      ],
    });
  const ops = (before: string[][], after: string[][]) =>
    planned(rules(...after), built(rules(...before))).map((o) => o.op);

  it("are apart only if every old path of one is apart from every new path of the other", () => {
    // /y1 moves from the second rule to the first: changing the first in place, then the second,
    // would answer /y1 from neither in between.
    expect(ops([["/x1"], ["/y1", "/k"]], [["/y1"], ["/z"]])).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
    expect(ops([["/x1"], ["/y1"]], [["/y1", "/k"], ["/z"]])).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
    expect(ops([["/x1"], ["/y1", "/k"]], [["/w1"], ["/z"]])).toEqual(["ModifyRule", "ModifyRule"]);
  });

  it("a pattern that starts with a wildcard may match any path", () => {
    expect(ops([["/x1"], ["*.jpg"]], [["/y1"], ["/z"]])).toEqual(["CreateRule", "ModifyRule", "DeleteRule"]);
  });

  it("the path pattern is found among other conditions", () => {
    const withHost = (...paths: string[]) =>
      lb({
        listeners: [
          listener({
            rules: paths.map((p) => ({
              ...pathRule(p),
              conditions: [
                { field: "host-header" as const, values: ["x.example.com"] },
                { field: "path-pattern" as const, values: [p] },
              ],
            })),
          }),
        ],
      });
    const state = built(withHost("/a", "/b"));
    expect(planned(withHost("/x", "/y"), state).map((o) => o.op)).toEqual(["ModifyRule", "ModifyRule"]);
  });
});
