/**
 * The Lattice builder's rules: one service per route, precedence-ordered priorities, limits as
 * route status, the owner of a route with two Lattice parents, exports and imports.
 */
import { describe, expect, test } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { type TranslateOptions, translate } from "../../../shared/translate.ts";

const PREAMBLE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: lattice}
spec: {controllerName: switchyard.dev/lattice}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [10.0.0.1]}
- {addresses: [10.0.0.2], conditions: {ready: false}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: net, namespace: apps}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]
`;

function run(yaml: string, options: TranslateOptions = {}) {
  const loaded = loadManifests(`${PREAMBLE}\n---\n${yaml}`, "test.yaml");
  expect(loaded.problems).toEqual([]);
  return translate(snapshotOf(loaded.objects), controllerConfig(), options);
}

function route(name: string, rules: string, extra = ""): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps${extra}}
spec:
  parentRefs: [{name: net}]
  rules:
${rules}`;
}

const routeStatus = (t: ReturnType<typeof run>, name: string) =>
  t.statuses.find((s) => s.kind === "HTTPRoute" && "parents" in s && s.name === name);

describe("services and rules", () => {
  test("each route becomes one service with its rules numbered 1..N in precedence order", () => {
    const t = run(
      route(
        "web",
        `  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, port: 8080}]
  - matches: [{path: {type: Exact, value: /health}}]
    backendRefs: [{name: web, port: 8080}]`,
      ),
    );
    const service = t.lattice.gateways[0]?.model.services.find((s) => s.id === "HTTPRoute/apps/web");
    const rules = service?.listeners[0]?.rules ?? [];
    expect(rules.map((r) => [r.priority, r.match.path?.type, r.match.path?.value])).toEqual([
      [1, "exact", "/health"],
      [2, "prefix", "/"],
    ]);
  });

  test("target groups carry only ready endpoints as IP targets", () => {
    const t = run(route("web", "  - backendRefs: [{name: web, port: 8080}]"));
    // The route's service and the Gateway service each own a group (a Lattice group serves one service).
    expect(t.lattice.gateways[0]?.model.targetGroups.map((g) => g.targets)).toEqual([
      [{ id: "10.0.0.1", port: 8080 }],
      [{ id: "10.0.0.1", port: 8080 }],
    ]);
  });

  test("the rules-per-listener quota is an option: raised, the same route is built", () => {
    const matches = ["/a", "/b", "/c", "/d", "/e", "/f"]
      .map((p) => `{path: {type: PathPrefix, value: ${p}}}`)
      .join(", ");
    const yaml = route("wide", `  - matches: [${matches}]\n    backendRefs: [{name: web, port: 8080}]`);
    expect(run(yaml).lattice.gateways[0]?.model.services).toEqual([]);
    const raised = run(yaml, { latticeQuotas: { maxRulesPerListener: 20 } });
    expect(raised.lattice.gateways[0]?.model.services[0]?.listeners[0]?.rules).toHaveLength(12);
  });

  test("priorities never exceed Lattice's 100, whatever the quota says", () => {
    const matches = Array.from({ length: 51 }, (_, i) => `{path: {type: PathPrefix, value: /p${i}}}`).join(", ");
    const t = run(route("huge", `  - matches: [${matches}]\n    backendRefs: [{name: web, port: 8080}]`), {
      latticeQuotas: { maxRulesPerListener: 500 },
    });
    const accepted = routeStatus(t, "huge");
    expect(accepted && "parents" in accepted ? accepted.parents[0]?.conditions[0] : undefined).toMatchObject({
      status: "False",
      reason: "UnsupportedValue",
    });
  });

  test("more than 10 target groups in one forward rejects the route", () => {
    const services = Array.from(
      { length: 11 },
      (_, i) => `---
apiVersion: v1
kind: Service
metadata: {name: s${i}, namespace: apps}
spec: {ports: [{port: 80}]}`,
    ).join("\n");
    const refs = Array.from({ length: 11 }, (_, i) => `{name: s${i}, port: 80}`).join(", ");
    const t = run(`${route("many", `  - backendRefs: [${refs}]`)}\n${services}`);
    const s = routeStatus(t, "many");
    expect(s && "parents" in s ? s.parents[0]?.conditions[0]?.message : "").toContain(
      "VPC Lattice forwards to at most 10",
    );
  });

  test("weights Lattice cannot express exactly reject the route rather than round", () => {
    const t =
      run(`${route("odd", "  - backendRefs: [{name: web, port: 8080, weight: 1000}, {name: api, port: 80, weight: 1}]")}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: apps}
spec: {ports: [{port: 80}]}`);
    const s = routeStatus(t, "odd");
    expect(s && "parents" in s ? s.parents[0]?.conditions[0]?.message : "").toContain("0–999");
  });

  test("a PATCH method match is refused: Lattice rules match CONNECT, DELETE, GET, HEAD, OPTIONS, POST, PUT, TRACE", () => {
    const t = run(route("patch", "  - matches: [{method: PATCH}]\n    backendRefs: [{name: web, port: 8080}]"));
    const s = routeStatus(t, "patch");
    expect(s && "parents" in s ? s.parents[0]?.conditions[0] : undefined).toMatchObject({
      status: "False",
      reason: "UnsupportedValue",
      message: expect.stringContaining("spec.rules[0].matches[0].method: VPC Lattice rules match only the methods"),
    });
  });

  test("two routes forwarding to one Service each own a target group: a Lattice group serves one service", () => {
    const t = run(
      `${route("a", "  - backendRefs: [{name: web, port: 8080}, {name: missing, port: 80}]")}
---
${route("b", "  - backendRefs: [{name: web, port: 8080}, {name: missing, port: 80}]")}`,
    );
    const model = t.lattice.gateways[0]?.model;
    const forwards = (model?.services ?? []).map((s) => {
      const action = s.listeners[0]?.rules[0]?.action;
      return [s.id, action?.type === "forward" ? action.targetGroups.map((g) => g.targetGroupId) : []];
    });
    // The Gateway service merging both routes owns its groups too.
    expect(forwards).toEqual([
      [
        "Gateway/apps/net",
        ["Gateway/apps/net|local/apps/web:8080/HTTP/HTTP1", "Gateway/apps/net|sink/invalid-backends/HTTP"],
      ],
      [
        "HTTPRoute/apps/a",
        ["HTTPRoute/apps/a|local/apps/web:8080/HTTP/HTTP1", "HTTPRoute/apps/a|sink/invalid-backends/HTTP"],
      ],
      [
        "HTTPRoute/apps/b",
        ["HTTPRoute/apps/b|local/apps/web:8080/HTTP/HTTP1", "HTTPRoute/apps/b|sink/invalid-backends/HTTP"],
      ],
    ]);
    const names = model?.targetGroups.map((g) => g.name) ?? [];
    expect(names).toHaveLength(6);
    expect(new Set(names).size).toBe(6);
  });

  test("all backends invalid answers a fixed 500", () => {
    const t = run(route("broken", "  - backendRefs: [{name: missing, port: 80}]"));
    expect(t.lattice.gateways[0]?.model.services[0]?.listeners[0]?.rules[0]?.action).toEqual({
      type: "fixed-response",
      statusCode: 500,
    });
  });
});

describe("TLS passthrough", () => {
  test("a TLSRoute whose backends are all invalid forwards to an empty TCP group, never a fixed response", () => {
    const t = run(`---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tls, namespace: apps}
spec:
  gatewayClassName: lattice
  listeners: [{name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: secure, namespace: apps}
spec:
  parentRefs: [{name: tls}]
  hostnames: [secure.example.com]
  rules: [{backendRefs: [{name: missing, port: 443}]}]`);
    const model = t.lattice.gateways.find((g) => g.model.gatewayKey === "apps/tls")?.model;
    const listener = model?.services[0]?.listeners[0];
    expect(listener?.protocol).toBe("TLS_PASSTHROUGH");
    expect(listener?.defaultAction).toEqual({
      type: "forward",
      targetGroups: [{ targetGroupId: "TLSRoute/apps/secure|sink/invalid-backends/TCP", weight: 1 }],
    });
    expect(model?.targetGroups.map((g) => [g.id, g.protocol, g.targets.length])).toEqual([
      ["TLSRoute/apps/secure|sink/invalid-backends/TCP", "TCP", 0],
    ]);
  });
});

describe("a route with two Lattice parents", () => {
  const second = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: apps}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]`;

  test("its first parent builds the service; the other only associates it with its network", () => {
    const t = run(`${second}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: apps}
spec:
  parentRefs: [{name: other}, {name: net}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]`);
    const other = t.lattice.gateways.find((g) => g.model.gatewayKey === "apps/other")?.model;
    const net = t.lattice.gateways.find((g) => g.model.gatewayKey === "apps/net")?.model;
    // Each Gateway also has its own Gateway service, merging the route.
    expect(other?.services.map((s) => s.id)).toEqual(["Gateway/apps/other", "HTTPRoute/apps/both"]);
    expect(net?.services.map((s) => s.id)).toEqual(["Gateway/apps/net"]);
    expect(net?.serviceAssociations).toEqual(["Gateway/apps/net", "HTTPRoute/apps/both"]);
  });

  test("a refusal by the owner shows on every parent and drops the association", () => {
    const t = run(`${second}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: apps}
spec:
  parentRefs: [{name: other}, {name: net}]
  hostnames: ["*.example.com"]
  rules: [{backendRefs: [{name: web, port: 8080}]}]`);
    const s = routeStatus(t, "both");
    expect(s && "parents" in s ? s.parents.map((p) => p.conditions[0]?.reason) : []).toEqual([
      "UnsupportedValue",
      "UnsupportedValue",
    ]);
    expect(t.lattice.gateways.find((g) => g.model.gatewayKey === "apps/net")?.model.serviceAssociations).toEqual([]);
  });
});

describe("multi-cluster", () => {
  const imported = `---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: web, namespace: apps, ANNOTATIONS}
spec: {type: ClusterSetIP, ports: [{port: 8080}]}
---
${route("global", "  - backendRefs: [{group: application-networking.k8s.aws, kind: ServiceImport, name: web, port: 8080}]")}`;
  const remote = [
    {
      clusterId: "east",
      eksClusterName: "prod-east",
      namespace: "apps",
      name: "web",
      ports: [{ port: 8080, routeType: "HTTP" as const }],
    },
    { clusterId: "west", namespace: "apps", name: "web", ports: [{ port: 8080, routeType: "HTTP" as const }] },
  ];

  test("a ServiceImport forwards evenly to every exporting cluster's target group", () => {
    const t = run(imported.replace(", ANNOTATIONS", ""), { remoteServiceExports: remote });
    expect(t.lattice.gateways[0]?.model.services[0]?.listeners[0]?.rules[0]?.action).toEqual({
      type: "forward",
      targetGroups: [
        { targetGroupId: "export/east/apps/web:8080/HTTP", weight: 1 },
        { targetGroupId: "export/west/apps/web:8080/HTTP", weight: 1 },
      ],
    });
  });

  test("the aws-eks-cluster-name annotation imports from that cluster only", () => {
    const t = run(
      imported.replace("ANNOTATIONS", "annotations: {application-networking.k8s.aws/aws-eks-cluster-name: prod-east}"),
      {
        remoteServiceExports: remote,
      },
    );
    const action = t.lattice.gateways[0]?.model.services[0]?.listeners[0]?.rules[0]?.action;
    expect(action?.type === "forward" ? action.targetGroups.map((g) => g.targetGroupId) : []).toEqual([
      "export/east/apps/web:8080/HTTP",
    ]);
  });

  test("an exporter in another account is not forwarded to: Lattice target groups must be in the service's account", () => {
    const t = run(imported.replace(", ANNOTATIONS", ""), {
      accountId: "111122223333",
      remoteServiceExports: [
        {
          clusterId: "east",
          namespace: "apps",
          name: "web",
          ports: [{ port: 8080, routeType: "HTTP" }],
          accountId: "444455556666",
        },
        {
          clusterId: "west",
          namespace: "apps",
          name: "web",
          ports: [{ port: 8080, routeType: "HTTP" }],
          accountId: "111122223333",
        },
      ],
    });
    const action = t.lattice.gateways[0]?.model.services[0]?.listeners[0]?.rules[0]?.action;
    expect(action?.type === "forward" ? action.targetGroups.map((g) => g.targetGroupId) : []).toEqual([
      "export/west/apps/web:8080/HTTP",
    ]);
  });

  test("an import nobody exports answers 503 for its share and the route says why", () => {
    const t = run(imported.replace(", ANNOTATIONS", ""));
    const s = routeStatus(t, "global");
    expect(
      s && "parents" in s ? s.parents[0]?.conditions.find((c) => c.type === "PartiallyInvalid")?.message : "",
    ).toContain("no registered cluster exports apps/web port 8080");
  });

  test("a ServiceExport with the federation annotation gets a target group of this cluster's endpoints", () => {
    const t = run(
      `---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: apps, annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}}
spec: {exportedPorts: [{port: 8080, routeType: GRPC}]}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: not-federated, namespace: apps}
spec: {exportedPorts: [{port: 8080, routeType: HTTP}]}`,
      { clusterId: "c1" },
    );
    expect(t.lattice.exports.map((e) => e.export)).toEqual(["ServiceExport/apps/web"]);
    expect(t.lattice.exports[0]?.targetGroups[0]).toMatchObject({
      id: "export/c1/apps/web:8080/GRPC",
      protocol: "HTTP",
      protocolVersion: "GRPC",
      targets: [{ id: "10.0.0.1", port: 8080 }],
    });
  });
});

describe("what Lattice keeps unique across Gateways", () => {
  const other = (annotations: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: apps${annotations}}
spec:
  gatewayClassName: lattice
  listeners: [{name: http, port: 80, protocol: HTTP}]`;
  const onOther = (name: string, created: string, extra = "") => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps, creationTimestamp: "${created}"${extra}}
spec:
  parentRefs: [{name: other}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: web, port: 8080}]}]`;
  const onNet = (name: string, created: string, extra = "") => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps, creationTimestamp: "${created}"${extra}}
spec:
  parentRefs: [{name: net}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: web, port: 8080}]}]`;

  test("two Gateways naming one service network cannot give one hostname to two routes", () => {
    const t = run(
      `${other(", annotations: {switchyard.dev/service-network: net}")}\n${onOther("newer", "2026-01-02T00:00:00Z")}\n${onNet("older", "2026-01-01T00:00:00Z")}`,
    );
    const s = routeStatus(t, "newer");
    expect(s && "parents" in s ? s.parents[0]?.conditions[0]?.message : "").toContain("older HTTPRoute/apps/older");
    expect(t.lattice.gateways.flatMap((g) => g.model.services.map((x) => x.id))).toEqual(["HTTPRoute/apps/older"]);
  });

  test("on two different networks the same hostname is fine", () => {
    const t = run(
      `${other("")}\n${onOther("newer", "2026-01-02T00:00:00Z")}\n${onNet("older", "2026-01-01T00:00:00Z")}`,
    );
    expect(t.lattice.gateways.flatMap((g) => g.model.services.map((x) => x.id)).sort()).toEqual([
      "HTTPRoute/apps/newer",
      "HTTPRoute/apps/older",
    ]);
  });

  test("service names are unique in the account, whichever Gateway builds them", () => {
    const override = ", annotations: {application-networking.k8s.aws/service-name-override: same-name}";
    const t = run(
      `${other("")}\n${onOther("a", "2026-01-02T00:00:00Z", override).replace("shop.example.com", "a.example.com")}\n${onNet("b", "2026-01-01T00:00:00Z", override)}`,
    );
    const s = routeStatus(t, "a");
    expect(s && "parents" in s ? s.parents[0]?.conditions[0]?.message : "").toContain(
      "service name same-name is already used by the service of HTTPRoute/apps/b",
    );
  });

  test("two Gateways forwarding to one Service own two target groups with distinct names", () => {
    const t = run(`${other("")}\n${onOther("a", "2026-01-02T00:00:00Z")}\n${onNet("b", "2026-01-01T00:00:00Z")}`);
    const names = t.lattice.gateways.flatMap((g) => g.model.targetGroups.map((tg) => tg.name));
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
  });
});
