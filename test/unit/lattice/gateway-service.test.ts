/**
 * The Gateway service: one merged VPC Lattice service per Gateway for its hostname-less routes,
 * ordered by Gateway API precedence across routes, with what it leaves out named and why.
 */
import { describe, expect, test } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { gatewayServiceId, gatewayServiceName } from "../../../shared/lattice/gateway-service.ts";
import { latticeNameProblem, SERVICE_NAME_MAX } from "../../../shared/lattice/naming.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type TranslateOptions, translate } from "../../../shared/translate.ts";

const GATEWAY_ID = "Gateway/apps/net";

function preamble(
  gatewayAnnotations = "",
  classAnnotations = "",
  listeners = "[{name: http, port: 80, protocol: HTTP}]",
) {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice${classAnnotations ? `, annotations: {${classAnnotations}}` : ""}}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: apps}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: net, namespace: apps, creationTimestamp: "2026-01-01T00:00:00Z"${gatewayAnnotations ? `, annotations: {${gatewayAnnotations}}` : ""}}
spec:
  gatewayClassName: lattice
  listeners: ${listeners}
`;
}

/** A route `name` created at second `age`, forwarding every match to `backend`. */
function route(
  name: string,
  age: number,
  paths: string[],
  opts: { backend?: string; extra?: string; parents?: string; spec?: string } = {},
): string {
  const matches = paths.map(
    (p) => `{path: {type: ${p.startsWith("=") ? "Exact" : "PathPrefix"}, value: ${p.replace(/^=/, "")}}}`,
  );
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps, creationTimestamp: "2026-01-02T00:00:${String(age).padStart(2, "0")}Z"${opts.extra ?? ""}}
spec:
  parentRefs: ${opts.parents ?? "[{name: net}]"}
${opts.spec ?? ""}  rules:
  - matches: [${matches.join(", ")}]
    backendRefs: [{name: ${opts.backend ?? "web"}, port: 8080}]
`;
}

function run(yaml: string, options: TranslateOptions = {}) {
  const loaded = loadManifests(yaml, "test.yaml");
  expect(loaded.problems).toEqual([]);
  return translate(snapshotOf(loaded.objects), controllerConfig(), options);
}

function build(t: ReturnType<typeof run>, gateway = "apps/net") {
  return t.lattice.gateways.find((g) => g.model.gatewayKey === gateway);
}

function gatewayService(t: ReturnType<typeof run>, gateway = "apps/net") {
  return build(t, gateway)?.model.services.find((s) => s.id === `Gateway/${gateway}`);
}

const rulesOf = (t: ReturnType<typeof run>, gateway = "apps/net") =>
  (gatewayService(t, gateway)?.listeners[0]?.rules ?? []).map((r) => [
    r.priority,
    r.match.path?.type,
    r.match.path?.value,
    r.source.route,
  ]);

function gatewayProgrammed(t: ReturnType<typeof run>) {
  const status = t.statuses.find((s) => s.kind === "Gateway" && s.name === "net");
  return status && "conditions" in status ? status.conditions.find((c) => c.type === "Programmed") : undefined;
}

describe("the Gateway service merges the Gateway's hostname-less routes", () => {
  test("rules are ordered by precedence across routes: a newer route's exact path before an older route's /", () => {
    const t = run(`${preamble()}${route("old", 1, ["/"])}${route("new", 2, ["=/login"], { backend: "api" })}`);
    expect(rulesOf(t)).toEqual([
      [1, "exact", "/login", "HTTPRoute/apps/new"],
      [2, "prefix", "/", "HTTPRoute/apps/old"],
    ]);
    const service = gatewayService(t);
    expect(service?.associateWithServiceNetwork).toBe(true);
    expect(service?.auth).toBeUndefined();
    expect(service?.tags["switchyard.dev/role"]).toBe(`service:${GATEWAY_ID}`);
    expect(build(t)?.model.serviceAssociations).toContain(GATEWAY_ID);
    expect(build(t)?.model.addressService).toBe(GATEWAY_ID);
    // Each route keeps its own service too.
    expect(build(t)?.model.services.map((s) => s.id)).toEqual([GATEWAY_ID, "HTTPRoute/apps/new", "HTTPRoute/apps/old"]);
  });

  test("rule ids are unique valid Lattice names, stable across an unrelated route's change", () => {
    const a = run(`${preamble()}${route("one", 1, ["/a"])}${route("two", 2, ["=/b"])}`);
    const b = run(`${preamble()}${route("one", 1, ["/a"])}${route("two", 2, ["=/b", "=/c"])}`);
    const ids = (t: ReturnType<typeof run>) => gatewayService(t)?.listeners[0]?.rules.map((r) => r.id) ?? [];
    expect(new Set(ids(a)).size).toBe(ids(a).length);
    for (const id of ids(b)) expect(latticeNameProblem(id, 63)).toBeUndefined();
    const ofOne = (t: ReturnType<typeof run>) =>
      gatewayService(t)
        ?.listeners[0]?.rules.filter((r) => r.source.route === "HTTPRoute/apps/one")
        .map((r) => r.id);
    expect(ofOne(b)).toEqual(ofOne(a));
    expect(ids(a).every((id) => /^q[0-9a-f]{8}-r\d+-m\d+(-exact|-prefix)?$/.test(id))).toBe(true);
  });

  test("the Gateway service owns its own target groups, named apart from the routes' groups", () => {
    const t = run(`${preamble()}${route("one", 1, ["=/a"])}`);
    const model = build(t)?.model;
    const forwards = gatewayService(t)?.listeners[0]?.rules.flatMap((r) =>
      r.action.type === "forward" ? r.action.targetGroups.map((g) => g.targetGroupId) : [],
    );
    expect(forwards).toEqual(["Gateway/apps/net|local/apps/web:8080/HTTP/HTTP1"]);
    const names = model?.targetGroups.map((g) => g.name) ?? [];
    expect(model?.targetGroups.map((g) => g.id)).toContain("Gateway/apps/net|local/apps/web:8080/HTTP/HTTP1");
    expect(new Set(names).size).toBe(names.length);
  });

  test("a route with two Lattice parents is merged into both Gateways' services", () => {
    const other = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: apps}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
`;
    const t = run(`${preamble()}${other}${route("both", 1, ["/"], { parents: "[{name: other}, {name: net}]" })}`);
    expect(rulesOf(t, "apps/net").map((r) => r[3])).toEqual(["HTTPRoute/apps/both"]);
    expect(rulesOf(t, "apps/other").map((r) => r[3])).toEqual(["HTTPRoute/apps/both"]);
    expect(gatewayService(t, "apps/net")?.name).not.toBe(gatewayService(t, "apps/other")?.name);
  });
});

describe("routes the Gateway service leaves out, each reachable at its own service", () => {
  test("a route with a hostname", () => {
    const t = run(
      `${preamble()}${route("plain", 1, ["/"])}${route("named", 2, ["=/x"], { spec: "  hostnames: [named.example.com]\n" })}`,
    );
    expect(rulesOf(t).map((r) => r[3])).toEqual(["HTTPRoute/apps/plain"]);
    expect(build(t)?.gatewayService?.leftOut).toEqual([
      { route: "HTTPRoute/apps/named", why: "its hostname named.example.com is its own service's custom domain name" },
    ]);
  });

  test("a standalone route", () => {
    const t = run(
      `${preamble()}${route("plain", 1, ["/"])}${route("alone", 2, ["=/x"], { extra: ", annotations: {application-networking.k8s.aws/standalone: 'true'}" })}`,
    );
    expect(rulesOf(t).map((r) => r[3])).toEqual(["HTTPRoute/apps/plain"]);
    expect(build(t)?.gatewayService?.leftOut.map((l) => l.route)).toEqual(["HTTPRoute/apps/alone"]);
  });

  test("a route with its own IAMAuthPolicy: merged, its requests would bypass that auth", () => {
    const policy = `---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: guard, namespace: apps}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: secret}
  policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}'
`;
    const t = run(`${preamble()}${route("plain", 1, ["/"])}${route("secret", 2, ["=/admin"])}${policy}`);
    expect(rulesOf(t).map((r) => r[3])).toEqual(["HTTPRoute/apps/plain"]);
    expect(build(t)?.gatewayService?.leftOut).toEqual([
      {
        route: "HTTPRoute/apps/secret",
        why: "IAMAuthPolicy apps/guard applies to the route's own service only; merged, its requests would bypass it",
      },
    ]);
    // Its own service keeps the auth.
    expect(build(t)?.model.services.find((s) => s.id === "HTTPRoute/apps/secret")?.auth?.source).toBe("apps/guard");
  });

  test("a route forwarding to a ServiceImport: its exporters' groups already serve the route's own service", () => {
    const imported = `---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: web, namespace: apps}
spec:
  type: ClusterSetIP
  ports: [{port: 8080, protocol: TCP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: global, namespace: apps, creationTimestamp: "2026-01-02T00:00:09Z"}
spec:
  parentRefs: [{name: net}]
  rules:
  - matches: [{path: {type: Exact, value: /g}}]
    backendRefs: [{group: application-networking.k8s.aws, kind: ServiceImport, name: web, port: 8080}]
`;
    const t = run(`${preamble()}${route("plain", 1, ["/"])}${imported}`, {
      remoteServiceExports: [
        { clusterId: "east", namespace: "apps", name: "web", ports: [{ port: 8080, routeType: "HTTP" }] },
      ],
    });
    expect(rulesOf(t).map((r) => r[3])).toEqual(["HTTPRoute/apps/plain"]);
    expect(build(t)?.gatewayService?.leftOut.map((l) => l.route)).toEqual(["HTTPRoute/apps/global"]);
    expect(build(t)?.gatewayService?.leftOut[0]?.why).toContain("whose target group another service uses");
  });

  test("a route the Gateway refuses", () => {
    const t = run(
      `${preamble()}${route("plain", 1, ["/"])}${route("bad", 2, ["=/x"], { spec: '  hostnames: ["*.example.com"]\n' })}`,
    );
    expect(rulesOf(t).map((r) => r[3])).toEqual(["HTTPRoute/apps/plain"]);
    expect(build(t)?.gatewayService?.leftOut).toEqual([{ route: "HTTPRoute/apps/bad", why: "the route is refused" }]);
  });
});

describe("limits, checked before any call and stated in the Gateway's status", () => {
  test("rules fill a listener with whole routes in precedence order; the route left out is named", () => {
    // 10 rules per listener: `a` takes 6 (three PathPrefix of two rules each), `b` 6, `c` 2.
    const t = run(
      `${preamble()}${route("a", 1, ["/a1", "/a2", "/a3"])}${route("b", 2, ["/b1", "/b2", "/b3"])}${route("c", 3, ["=/c1", "=/c2"])}`,
    );
    const rules = rulesOf(t);
    expect(rules).toHaveLength(8);
    expect(new Set(rules.map((r) => r[3]))).toEqual(new Set(["HTTPRoute/apps/a", "HTTPRoute/apps/c"]));
    expect(build(t)?.gatewayService?.leftOut.map((l) => l.route)).toEqual(["HTTPRoute/apps/b"]);
    const programmed = gatewayProgrammed(t);
    expect(programmed?.message).toContain(
      "HTTPRoute/apps/b is not merged into the Gateway service: it does not fit the Gateway service's listener HTTP:80 (at most 10 rules each, filled with whole routes in precedence order); it is reached at its own service",
    );
    // Not a failure: b keeps its own service, and its status stays Accepted.
    expect(build(t)?.model.services.some((s) => s.id === "HTTPRoute/apps/b")).toBe(true);
    expect(build(t)?.routeProblems.has("HTTPRoute/apps/b")).toBe(false);
  });

  test("listeners beyond the service's quota are left out, the lowest ports kept, and named", () => {
    const t = run(
      `${preamble("", "", "[{name: a, port: 80, protocol: HTTP}, {name: b, port: 8080, protocol: HTTP}, {name: c, port: 9090, protocol: HTTP}]")}${route("one", 1, ["/"], { parents: "[{name: net, sectionName: a}, {name: net, sectionName: b}]" })}${route("two", 2, ["/"], { parents: "[{name: net, sectionName: c}]" })}`,
    );
    expect(gatewayService(t)?.listeners.map((l) => l.id)).toEqual(["HTTP:80", "HTTP:8080"]);
    expect(gatewayProgrammed(t)?.message).toContain(
      "the Gateway service has no listener HTTP:9090 (a VPC Lattice service has at most 2 listeners; the lowest ports are kept)",
    );
    expect(build(t)?.gatewayService?.leftOut).toEqual([
      {
        route: "HTTPRoute/apps/two",
        why: "it attaches only to listeners the Gateway service does not have (HTTP:9090)",
      },
    ]);
  });
});

describe("a Gateway naming no usable service network", () => {
  test("builds no Gateway service either: its listeners say why", () => {
    const t = run(`${preamble("switchyard.dev/service-network: Not_A_Name")}${route("plain", 1, ["/"])}`);
    expect(build(t)?.model.services).toEqual([]);
    expect(build(t)?.model.addressService).toBeUndefined();
  });
});

describe("the opt-out annotation", () => {
  const ANNOTATION = "switchyard.dev/lattice-gateway-service";
  const routes = `${route("old", 1, ["/"])}${route("new", 2, ["=/x"])}`;

  test('"false" on the Gateway: no Gateway service, the address is the oldest hostname-less route\'s', () => {
    const t = run(`${preamble(`${ANNOTATION}: "false"`)}${routes}`);
    expect(gatewayService(t)).toBeUndefined();
    expect(build(t)?.model.addressService).toBe("HTTPRoute/apps/old");
  });

  test('"false" on the GatewayClass applies to its Gateways; the Gateway\'s own value wins', () => {
    const byClass = run(`${preamble("", `${ANNOTATION}: "false"`)}${routes}`);
    expect(gatewayService(byClass)).toBeUndefined();
    const overridden = run(`${preamble(`${ANNOTATION}: "true"`, `${ANNOTATION}: "false"`)}${routes}`);
    expect(gatewayService(overridden)?.id).toBe(GATEWAY_ID);
  });

  test("any other value builds none and says so in the Gateway's status", () => {
    const t = run(`${preamble(`${ANNOTATION}: "yes"`)}${routes}`);
    expect(gatewayService(t)).toBeUndefined();
    expect(gatewayProgrammed(t)?.message).toContain(
      `annotation ${ANNOTATION}: "yes" is neither "true" nor "false"; no Gateway service is built until it is`,
    );
  });
});

describe("its name", () => {
  test("is a valid Lattice service name of at most 40 characters, even for long names", () => {
    const long = gatewayServiceName(
      "cluster-1",
      "a-very-long-namespace-name-indeed",
      "an-extremely-long-gateway-name-here",
    );
    expect(long.length).toBeLessThanOrEqual(SERVICE_NAME_MAX);
    expect(latticeNameProblem(long, SERVICE_NAME_MAX, "svc-")).toBeUndefined();
    expect(latticeNameProblem(gatewayServiceName("c", "Apps", "Net.Work"), SERVICE_NAME_MAX, "svc-")).toBeUndefined();
  });

  test("differs across clusters and Gateways, and never equals a route service's name", () => {
    expect(gatewayServiceName("c1", "apps", "net")).not.toBe(gatewayServiceName("c2", "apps", "net"));
    expect(gatewayServiceName("c1", "apps", "net")).not.toBe(gatewayServiceName("c1", "apps", "net2"));
    expect(gatewayServiceId("apps/net")).toBe(GATEWAY_ID);
  });

  test("a route service holding the name keeps it: no Gateway service, and the status says why", () => {
    const taken = gatewayServiceName("test", "apps", "net");
    const t = run(
      `${preamble()}${route("plain", 1, ["/"])}${route("squatter", 2, ["=/x"], { extra: `, annotations: {application-networking.k8s.aws/service-name-override: ${taken}}` })}`,
      { clusterId: "test" },
    );
    expect(gatewayService(t)).toBeUndefined();
    expect(build(t)?.model.addressService).toBe("HTTPRoute/apps/plain");
    expect(gatewayProgrammed(t)?.message).toContain(
      `no Gateway service: its VPC Lattice service name ${taken} is already used by the service of HTTPRoute/apps/squatter`,
    );
  });
});
