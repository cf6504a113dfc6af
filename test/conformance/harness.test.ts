/**
 * The harness's own rules, checked where a mistake would make the conformance run too lenient:
 * the suite's comparison rules as restated, and wrong expectations failing end to end.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ConformanceTestEntry,
  conformanceModuleDir,
  type HttpRequestCase,
  loadExtraction,
} from "./harness/extraction.ts";
import { buildFixture } from "./harness/fixtures.ts";
import { LATTICE_CLASS } from "./harness/lattice-features.ts";
import { NLB_CLASS } from "./harness/nlb-features.ts";
import { runTest } from "./harness/runner.ts";
import { conditionsMatch, findCondition } from "./harness/status-helpers.ts";
import { compareRoundTrip, type Exchange, httpTransmission, type Target } from "./harness/traffic.ts";

let moduleDir: string;

beforeAll(() => {
  moduleDir = conformanceModuleDir(loadExtraction());
}, 120_000);

const condition = (type: string, status: "True" | "False", reason: string) => ({ type, status, reason, message: "" });

describe("condition matching (findConditionInList, conditionsMatch)", () => {
  it("an empty expected reason matches any reason", () => {
    expect(
      findCondition([condition("Accepted", "True", "Whatever")], { type: "Accepted", status: "True", reason: "" }),
    ).toBe(true);
  });

  it("status and a given reason must both match", () => {
    const actual = [condition("Accepted", "False", "NoMatchingParent")];
    expect(findCondition(actual, { type: "Accepted", status: "True", reason: "" })).toBe(false);
    expect(findCondition(actual, { type: "Accepted", status: "False", reason: "NotAllowedByListeners" })).toBe(false);
  });

  it("a list shorter than the expected one never matches", () => {
    const expected = [
      { type: "Accepted", status: "True", reason: "" },
      { type: "Accepted", status: "True", reason: "" },
    ];
    expect(conditionsMatch(expected, [condition("Accepted", "True", "Accepted")])).toBe(false);
  });
});

const target: Target = {
  gateway: { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw" } },
  gatewayKey: "ns/gw",
  address: "gw.elb.example",
  port: 80,
};

const redirectCase = (redirectRequest: HttpRequestCase["redirectRequest"]): HttpRequestCase => ({
  request: { scheme: "http", method: "GET", path: "/a", unfollowRedirect: true },
  expectedRequest: null,
  ...(redirectRequest ? { redirectRequest } : {}),
  response: { statusCodes: [302] },
  backend: "",
  namespace: "",
});

const redirect = (location: string): Exchange => ({
  probability: 1,
  status: 302,
  via: "test",
  location,
  responseHeaders: {},
});

describe("redirect comparison (CompareRoundTrip)", () => {
  it("without an expected port, http may carry :80 or no port", () => {
    const c = redirectCase({ host: "example.org" });
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("http://example.org:80/a"))).toBeUndefined();
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("http://example.org/a"))).toBeUndefined();
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("http://example.org:8080/a"))).toMatch(
      /port 8080/,
    );
  });

  it("an expected port must be the Location's port as written", () => {
    const c = redirectCase({ port: "8443", scheme: "https" });
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("https://gw.elb.example:8443/a"))).toBeUndefined();
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("https://gw.elb.example/a"))).toMatch(/port/);
  });

  it("scheme and path default to the request's", () => {
    const c = redirectCase({ host: "example.org" });
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("https://example.org:443/a"))).toMatch(
      /scheme https/,
    );
    expect(compareRoundTrip(c, httpTransmission(c, target), redirect("http://example.org:80/b"))).toMatch(/path \/b/);
  });
});

/** A hand-written test entry over a real suite manifest. */
function entry(
  steps: ConformanceTestEntry["steps"],
  manifest = "tests/httproute-simple-same-namespace.yaml",
  features = ["Gateway", "HTTPRoute"],
): ConformanceTestEntry {
  return {
    shortName: "HarnessSelfTest",
    description: "",
    position: "",
    mesh: false,
    registered: false,
    features,
    manifests: [manifest],
    analysed: true,
    steps,
  };
}

const infra = "gateway-conformance-infra";
const address = { $runtime: "gatewayAddress", gateway: { namespace: infra, name: "same-namespace" } };

function request(
  backend: string,
  path = "/",
  host?: string,
  statusCodes = [200],
): ConformanceTestEntry["steps"][number] {
  return {
    kind: "httpRequest",
    position: "self-test",
    subtest: [backend],
    helper: "http.MakeRequestAndExpectEventuallyConsistentResponse",
    literal: "",
    expect: "response",
    address,
    case: {
      request: { scheme: "http", method: "GET", path, ...(host ? { host } : {}) },
      expectedRequest: null,
      response: { statusCodes },
      backend,
      namespace: infra,
    },
  };
}

describe("end to end", () => {
  it("a request expected at the wrong backend fails", () => {
    const result = runTest(moduleDir, entry([request("infra-backend-v1"), request("infra-backend-v2")]));
    expect(result.cases.map((c) => c.outcome)).toEqual(["pass", "fail"]);
    expect(result.cases[1]?.reason).toMatch(/answered by pod infra-backend-v1/);
  });

  it("a route that is gone fails its acceptance and its requests, and is not called unsupported", () => {
    const result = runTest(
      moduleDir,
      entry([
        {
          kind: "mutation",
          position: "self-test",
          subtest: [],
          helper: "client.Delete",
          mutation: {
            operation: "delete",
            kind: "HTTPRoute",
            namespace: infra,
            name: "gateway-conformance-infra-test",
          },
        },
        {
          kind: "status",
          position: "self-test",
          subtest: [],
          helper: "kubernetes.GatewayAndHTTPRoutesMustBeAccepted",
          args: {
            controllerName: "$CONTROLLER",
            gw: { namespace: infra, name: "same-namespace" },
            routeNNs: [{ namespace: infra, name: "gateway-conformance-infra-test" }],
          },
        },
        request("infra-backend-v1"),
      ]),
    );
    expect(result.cases.map((c) => c.outcome)).toEqual(["fail", "fail"]);
    expect(result.cases[1]?.reason).toMatch(/got 404/);
  });

  it("every Service of the base manifests has a ready endpoint behind it", () => {
    const { cluster } = buildFixture(moduleDir, []);
    const translation = cluster.reconcile();
    expect(translation.graph.gateways.length).toBeGreaterThan(0);
    for (const service of cluster.list("Service")) {
      const selector = (service.spec as { selector?: Record<string, string> }).selector ?? {};
      const pods = cluster.pods.filter(
        (p) =>
          p.namespace === service.metadata.namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v),
      );
      expect(pods.length, `${service.metadata.namespace}/${service.metadata.name}`).toBeGreaterThan(0);
    }
  });
});

describe("VPC Lattice cases no Lattice configuration can pass", () => {
  const listenerStatus = (attachedRoutes: number): ConformanceTestEntry["steps"][number] => ({
    kind: "status",
    position: "self-test",
    subtest: [String(attachedRoutes)],
    helper: "kubernetes.GatewayStatusMustHaveListeners",
    args: {
      gwNN: { namespace: infra, name: "gateway-with-two-attached-routes" },
      listeners: [
        {
          name: "http",
          supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
          conditions: [{ type: "Accepted", status: "True", reason: "" }],
          attachedRoutes,
        },
      ],
    },
  });

  it("a host no route claims, expected to answer 404, is unknown-host; expected at a backend it fails", () => {
    const result = runTest(
      moduleDir,
      entry([request("", "/", "nobody.example", [404]), request("infra-backend-v1", "/", "nobody.example")]),
      LATTICE_CLASS,
    );
    expect(result.cases.map((c) => [c.outcome, c.limit])).toEqual([
      ["unsupported", "unknown-host"],
      ["fail", undefined],
    ]);
  });

  it("attachedRoutes short by exactly the routes Lattice refused is unsupported by the refusal; otherwise it fails", () => {
    // http-route-2 and http-route-3 both take the listener's hostname foo.example.com: the newer is refused.
    const result = runTest(
      moduleDir,
      entry([listenerStatus(2), listenerStatus(3)], "tests/gateway-with-attached-routes.yaml"),
      LATTICE_CLASS,
    );
    expect(result.cases.map((c) => [c.outcome, c.limit])).toEqual([
      ["unsupported", "shared-hostname"],
      ["fail", undefined],
    ]);
    expect(result.cases[1]?.reason).toMatch(/attachedRoutes 1, expected 3/);
  });

  it("on ALB the same listener counts both routes", () => {
    const result = runTest(moduleDir, entry([listenerStatus(2)], "tests/gateway-with-attached-routes.yaml"));
    expect(result.cases.map((c) => c.outcome)).toEqual(["pass"]);
  });
});

describe("NLB cases no NLB configuration can pass", () => {
  const ready: ConformanceTestEntry["steps"][number] = {
    kind: "status",
    position: "self-test",
    subtest: [],
    helper: "kubernetes.NamespacesMustBeReady",
    args: { namespaces: [infra] },
  };

  it("base Gateways refused only for their HTTP listeners are the http-listeners limit on NLB, and ready on ALB", () => {
    const nlb = runTest(
      moduleDir,
      entry([ready], "tests/tcproute-weighted-routing.yaml", ["Gateway", "TCPRoute"]),
      NLB_CLASS,
    );
    expect(nlb.cases.map((c) => [c.outcome, c.limit])).toEqual([["unsupported", "http-listeners"]]);
    expect(nlb.cases[0]?.reason).toMatch(/same-namespace not Accepted/);
    expect(runTest(moduleDir, entry([ready])).cases.map((c) => c.outcome)).toEqual(["pass"]);
  });

  it("a TLS connection expected refused that reaches the backend is no-sni-routing", () => {
    const rejection = (serverName: string): ConformanceTestEntry["steps"][number] => ({
      kind: "call",
      position: "self-test",
      subtest: [serverName],
      helper: "tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection",
      address: { $runtime: "gatewayAddress", gateway: { namespace: infra, name: "gw-tlsroute-exact-hostname-x-1" } },
      args: { serverName },
    });
    const result = runTest(
      moduleDir,
      entry([rejection("non.matching.com")], "tests/tlsroute-hostname-intersection.yaml", ["Gateway", "TLSRoute"]),
      NLB_CLASS,
    );
    expect(result.cases.map((c) => [c.outcome, c.limit])).toEqual([["unsupported", "no-sni-routing"]]);
    expect(result.cases[0]?.reason).toMatch(/reaches .*tls-backend/);
  });
});
