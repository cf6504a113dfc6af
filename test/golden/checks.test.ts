import { describe, expect, it } from "vitest";
import { type CaseDocs, CheckSyntaxError, evaluateCheck, parseCaseHeader, parseCheck, runChecks } from "./checks.ts";

const cond = (type: string, status: string, reason: string, message = "m", observedGeneration = 1) => ({
  type,
  status,
  reason,
  message,
  observedGeneration,
});

const docs: CaseDocs = {
  out: {
    rejected: ["in.yaml: HTTPRoute apps/bad: spec.hostnames: must have at most 16 items (got 17)"],
    graph: {
      gateways: [
        {
          gateway: "apps/gw",
          listeners: [{ id: "http", allowedRoutes: "Same", routes: [{ route: "HTTPRoute/apps/web" }] }],
        },
      ],
      routes: [{ route: "HTTPRoute/apps/web", rules: [{ rule: 0, matches: ["path PathPrefix /"] }] }],
    },
    statuses: [
      { kind: "GatewayClass", name: "alb", conditions: [cond("Accepted", "True", "Accepted", "handled", 7)] },
      {
        kind: "Gateway",
        namespace: "apps",
        name: "gw",
        conditions: [cond("Accepted", "True", "Accepted")],
        listeners: [
          {
            name: "http",
            attachedRoutes: 1,
            supportedKinds: [{ kind: "HTTPRoute" }],
            conditions: [cond("Accepted", "True", "Accepted")],
          },
        ],
      },
      {
        kind: "HTTPRoute",
        namespace: "apps",
        name: "web",
        parents: [
          {
            parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw", sectionName: "http" },
            conditions: [cond("Accepted", "False", "NoMatchingParent", "Gateway apps/gw has no listener https")],
          },
          { parentRef: { name: "gw", namespace: "infra" }, conditions: [cond("Accepted", "True", "Accepted")] },
          { parentRef: { name: "gw", sectionName: "admin" }, conditions: [cond("Accepted", "True", "Accepted")] },
        ],
      },
      {
        kind: "TargetGroupPolicy",
        namespace: "apps",
        name: "p",
        status: {
          ancestors: [
            { ancestorRef: { namespace: "apps", name: "net" }, conditions: [cond("Accepted", "True", "Accepted")] },
          ],
        },
      },
    ],
  },
  model: [{ gatewayKey: "apps/gw", listeners: [{ id: "HTTP:80", rules: [{ priority: 1 }, { priority: 2 }] }] }],
  plan: [{ gateway: "apps/gw", operations: [{ op: "CreateTargetGroup" }, { op: "CreateLoadBalancer" }] }],
};

const check = (text: string) => evaluateCheck(parseCheck(text), docs);

describe("check parsing", () => {
  it("reads a condition with reason, generation and message", () => {
    expect(
      parseCheck('HTTPRoute apps/web parent gw section http Accepted=False reason=R generation=2 message ~ "x y"'),
    ).toMatchObject({
      subject: {
        kind: "status",
        objectKind: "HTTPRoute",
        namespace: "apps",
        name: "web",
        parent: { name: "gw", section: "http" },
      },
      assertion: { kind: "condition", type: "Accepted", status: "False", reason: "R", generation: 2, message: "x y" },
    });
  });

  it("reads field paths with indexes, [*] and length", () => {
    expect(parseCheck("model apps/gw listener HTTP:80 rules[*].source.rule = [0, 1]").assertion).toMatchObject({
      kind: "equals",
      path: [{ key: "rules" }, { every: true }, { key: "source" }, { key: "rule" }],
      raw: "[0, 1]",
    });
    expect(parseCheck("rejected length = 5").assertion).toMatchObject({ path: [{ length: true }] });
  });

  const syntax = (text: string) => {
    try {
      parseCheck(text);
    } catch (e) {
      if (e instanceof CheckSyntaxError) return e.message;
      throw e;
    }
    return "parsed";
  };

  it("names the column and the problem of a malformed check", () => {
    expect(syntax("HTTPRoute apps/web parent gw Accepted=Yes")).toBe(
      "column 39: condition status must be True, False or Unknown, got 'Yes'",
    );
    expect(syntax("HTTPRoute apps/web parent gw Accepted")).toBe(
      "column 38: expected '=True', '=False' or '=Unknown' after condition type Accepted (or ' absent')",
    );
    expect(syntax("httproute apps/web Accepted=True")).toBe(
      "column 1: expected a subject (a status kind such as HTTPRoute, or graph, rejected, model, lattice, plan), got 'httproute'",
    );
    expect(syntax("model gw rules.length = 1")).toBe("column 7: expected the Gateway as <namespace>/<name>, got 'gw'");
    expect(syntax("Gateway apps/gw attachedRoutes == 1")).toBe(
      "column 32: expected '=', '~', '!~' or 'absent', got '=='",
    );
    expect(syntax("Gateway apps/gw listener")).toBe("column 25: expected a listener name, got end of line");
    expect(syntax('Gateway apps/gw Accepted=True message ~ "open')).toBe("column 41: unterminated quoted text");
    expect(syntax("Gateway apps/gw Accepted=True extra")).toBe("column 31: unexpected 'extra' after the assertion");
    expect(syntax("Gateway apps/gw listeners..name = x")).toBe(
      "column 26: expected a field path (keys start lower-case, joined by '.', with [n] or [*]), got '..name'",
    );
  });
});

describe("check evaluation", () => {
  it("passes true claims", () => {
    for (const text of [
      "HTTPRoute apps/web parent gw section http Accepted=False reason=NoMatchingParent",
      'HTTPRoute apps/web parent gw section http Accepted=False message ~ "no listener https"',
      "HTTPRoute apps/web parent infra/gw Accepted=True",
      "HTTPRoute apps/web parent gw section http parentRef.group = gateway.networking.k8s.io",
      "GatewayClass alb Accepted=True generation=7",
      "Gateway apps/gw listener http attachedRoutes = 1",
      "Gateway apps/gw listener http supportedKinds[*].kind = [HTTPRoute]",
      "Gateway apps/gw listener http Programmed absent",
      "Gateway apps/other absent",
      "TargetGroupPolicy apps/p ancestor apps/net Accepted=True",
      "graph gateway apps/gw listener http allowedRoutes = Same",
      'graph route HTTPRoute/apps/web rules[0].matches ~ "PathPrefix /"',
      "model apps/gw listener HTTP:80 rules[*].priority = [1, 2]",
      "model apps/gw listener HTTPS:443 absent",
      'plan apps/gw operations[*].op ~ "CreateLoadBalancer"',
      'plan apps/gw operations[*].op !~ "DeleteLoadBalancer"',
      "rejected length = 1",
      "HTTPRoute apps/web parents[1].parentRef.sectionName absent",
    ]) {
      expect(check(text), text).toBeUndefined();
    }
  });

  it("says what was found when a claim is false", () => {
    expect(check("HTTPRoute apps/web parent gw section http Accepted=True")).toBe(
      'actual: Accepted=False reason=NoMatchingParent generation=1 message "Gateway apps/gw has no listener https"',
    );
    expect(check("Gateway apps/gw listener http attachedRoutes = 2")).toBe("attachedRoutes is 1");
    expect(check("Gateway apps/gw listener admin attachedRoutes = 0")).toBe(
      "Gateway apps/gw has no listener admin (has: http)",
    );
    expect(check("HTTPRoute apps/web parent gw Accepted=True")).toMatch(
      /^HTTPRoute apps\/web: 2 parents\[\] entries match/,
    );
    expect(check("HTTPRoute apps/gone Accepted=True")).toBe(
      "no status for HTTPRoute apps/gone (HTTPRoute statuses: apps/web)",
    );
    expect(check("Gateway apps/gw ResolvedRefs=True")).toBe("no ResolvedRefs condition (has: Accepted)");
    expect(check("Gateway apps/gw listener http Accepted absent")).toMatch(/^it has Accepted=True/);
    expect(check("model apps/gw listener HTTP:80 rules[*].priority = [2, 1]")).toBe("rules[*].priority is [1,2]");
    expect(check('plan apps/gw operations[*].op !~ "CreateLoadBalancer"')).toBe(
      'operations[*].op is ["CreateTargetGroup","CreateLoadBalancer"]',
    );
    expect(check("Gateway apps/gw absent")).toMatch(/^it exists: /);
  });

  it("quotes the line and the actual value in a failure, and inverts Known-wrong checks", () => {
    const header = parseCaseHeader(
      [
        "# Rule: r",
        "# Expected: the route attaches",
        "# continued prose.",
        "# Check: Gateway apps/gw listener http attachedRoutes = 3",
        "# Known-wrong: the count is off by design here",
        "# Check: Gateway apps/gw listener http attachedRoutes = 0",
        "# Known-wrong: this one is fixed",
        "# Check: Gateway apps/gw listener http attachedRoutes = 1",
        "kind: Gateway",
        "# Check: not part of the header",
      ].join("\n"),
      "case/in.yaml",
    );
    expect(header.expected).toBe("Expected: the route attaches continued prose.");
    expect(header.errors).toEqual([]);
    expect(header.checks.map((c) => c.line)).toEqual([4, 6, 8]);
    expect(runChecks(header.checks, docs, "case/in.yaml")).toEqual([
      "case/in.yaml:4: # Check: Gateway apps/gw listener http attachedRoutes = 3\n    attachedRoutes is 1",
      "case/in.yaml:8: # Check: Gateway apps/gw listener http attachedRoutes = 1\n    now holds; remove its '# Known-wrong: this one is fixed' line",
    ]);
  });

  it("reports malformed check lines with file, line and column", () => {
    const header = parseCaseHeader(
      "# Expected: x\n# Check: Gateway apps/gw Accepted=Maybe\n# Known-wrong: why\n",
      "c/in.yaml",
    );
    expect(header.errors).toEqual([
      "c/in.yaml:2:35: condition status must be True, False or Unknown, got 'Maybe'\n    # Check: Gateway apps/gw Accepted=Maybe",
      "c/in.yaml: the last Known-wrong line has no Check line under it",
    ]);
  });

  it("finds no checks and no Expected line in a case without prose", () => {
    expect(parseCaseHeader("kind: Gateway\n")).toEqual({ expected: undefined, checks: [], errors: [] });
  });
});
