/**
 * One test per default the CRDs declare (spec and status), plus the defaulting algorithm's own
 * rules: pure, idempotent, absent or null fields only, defaults inside defaults.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { applyDefaults } from "../../../shared/manifest/defaults.ts";

function object(yaml: string): KubeObject {
  return parse(yaml) as KubeObject;
}

/** A reader of the defaulted object's spec by field path (`rules[0].matches`). */
function spec(yaml: string): (path: string) => unknown {
  const defaulted: unknown = applyDefaults(object(yaml)).spec;
  return (path) => {
    let value = defaulted;
    for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
      if (typeof value !== "object" || value === null) return undefined;
      value = (value as Record<string, unknown>)[key ?? Number(index)];
    }
    return value;
  };
}

const ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: default }
spec:
`;
const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: c
`;

describe("HTTPRoute defaults", () => {
  it("parentRef group defaults to gateway.networking.k8s.io", () => {
    expect(spec(`${ROUTE}  parentRefs: [{ name: gw }]`)("parentRefs[0].group")).toBe("gateway.networking.k8s.io");
  });

  it("parentRef kind defaults to Gateway", () => {
    expect(spec(`${ROUTE}  parentRefs: [{ name: gw }]`)("parentRefs[0].kind")).toBe("Gateway");
  });

  it("omitted rules default to one rule matching PathPrefix /", () => {
    expect(spec(`${ROUTE}  hostnames: [a.example]`)("rules")).toEqual([
      { matches: [{ path: { type: "PathPrefix", value: "/" } }] },
    ]);
  });

  it("a rule without matches gets one PathPrefix / match", () => {
    const s = spec(`${ROUTE}  rules: [{ backendRefs: [{ name: svc, port: 80 }] }]`);
    expect(s("rules[0].matches")).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
  });

  it("an explicit empty match list is kept as written", () => {
    expect(spec(`${ROUTE}  rules: [{ matches: [] }]`)("rules[0].matches")).toEqual([]);
  });

  it("a match without a path gets PathPrefix /", () => {
    const s = spec(`${ROUTE}  rules: [{ matches: [{ method: GET }] }]`);
    expect(s("rules[0].matches[0]")).toEqual({ method: "GET", path: { type: "PathPrefix", value: "/" } });
  });

  it("a path with only a value gets type PathPrefix", () => {
    expect(spec(`${ROUTE}  rules: [{ matches: [{ path: { value: /api } }] }]`)("rules[0].matches[0].path")).toEqual({
      type: "PathPrefix",
      value: "/api",
    });
  });

  it("a path with only a type gets value /", () => {
    expect(spec(`${ROUTE}  rules: [{ matches: [{ path: { type: Exact } }] }]`)("rules[0].matches[0].path")).toEqual({
      type: "Exact",
      value: "/",
    });
  });

  it("header match type defaults to Exact", () => {
    const s = spec(`${ROUTE}  rules: [{ matches: [{ headers: [{ name: x, value: y }] }] }]`);
    expect(s("rules[0].matches[0].headers[0].type")).toBe("Exact");
  });

  it("query parameter match type defaults to Exact", () => {
    const s = spec(`${ROUTE}  rules: [{ matches: [{ queryParams: [{ name: q, value: v }] }] }]`);
    expect(s("rules[0].matches[0].queryParams[0].type")).toBe("Exact");
  });

  it("backendRef group defaults to the core group, kind to Service, weight to 1", () => {
    const s = spec(`${ROUTE}  rules: [{ backendRefs: [{ name: svc, port: 80 }] }]`);
    expect(s("rules[0].backendRefs[0]")).toEqual({ name: "svc", port: 80, group: "", kind: "Service", weight: 1 });
  });

  it("an explicit weight of 0 is kept", () => {
    expect(
      spec(`${ROUTE}  rules: [{ backendRefs: [{ name: svc, port: 80, weight: 0 }] }]`)(
        "rules[0].backendRefs[0].weight",
      ),
    ).toBe(0);
  });

  it("redirect statusCode defaults to 302", () => {
    const s = spec(`${ROUTE}  rules: [{ filters: [{ type: RequestRedirect, requestRedirect: { scheme: https } }] }]`);
    expect(s("rules[0].filters[0].requestRedirect")).toEqual({ scheme: "https", statusCode: 302 });
  });

  it("an explicit redirect statusCode is kept", () => {
    const s = spec(`${ROUTE}  rules: [{ filters: [{ type: RequestRedirect, requestRedirect: { statusCode: 301 } }] }]`);
    expect(s("rules[0].filters[0].requestRedirect.statusCode")).toBe(301);
  });

  it("a redirect filter on a backendRef also defaults to 302", () => {
    const s = spec(
      `${ROUTE}  rules: [{ backendRefs: [{ name: s, port: 80, filters: [{ type: RequestRedirect, requestRedirect: {} }] }] }]`,
    );
    expect(s("rules[0].backendRefs[0].filters[0].requestRedirect.statusCode")).toBe(302);
  });

  it("mirror backendRef defaults to a core Service", () => {
    const s = spec(
      `${ROUTE}  rules: [{ filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: m, port: 80 } } }] }]`,
    );
    expect(s("rules[0].filters[0].requestMirror.backendRef")).toEqual({
      name: "m",
      port: 80,
      group: "",
      kind: "Service",
    });
  });

  it("mirror fraction denominator defaults to 100", () => {
    const s = spec(
      `${ROUTE}  rules: [{ filters: [{ type: RequestMirror, requestMirror: { backendRef: { name: m, port: 80 }, fraction: { numerator: 5 } } }] }]`,
    );
    expect(s("rules[0].filters[0].requestMirror.fraction")).toEqual({ numerator: 5, denominator: 100 });
  });

  it("CORS maxAge defaults to 5 seconds", () => {
    const s = spec(`${ROUTE}  rules: [{ filters: [{ type: CORS, cors: { allowOrigins: ["*"] } }] }]`);
    expect(s("rules[0].filters[0].cors.maxAge")).toBe(5);
  });

  it("external auth backendRef defaults to a core Service", () => {
    const s = spec(
      `${ROUTE}  rules: [{ filters: [{ type: ExternalAuth, externalAuth: { protocol: HTTP, http: {}, backendRef: { name: auth, port: 80 } } }] }]`,
    );
    expect(s("rules[0].filters[0].externalAuth.backendRef")).toEqual({
      name: "auth",
      port: 80,
      group: "",
      kind: "Service",
    });
  });

  it("session persistence defaults to a Session cookie", () => {
    const s = spec(`${ROUTE}  rules: [{ sessionPersistence: { cookieConfig: {} } }]`);
    expect(s("rules[0].sessionPersistence")).toEqual({ type: "Cookie", cookieConfig: { lifetimeType: "Session" } });
  });
});

describe("GRPCRoute defaults", () => {
  const GRPC = `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: g, namespace: default }
spec:
`;

  it("method match type defaults to Exact", () => {
    expect(spec(`${GRPC}  rules: [{ matches: [{ method: { service: a.B } }] }]`)("rules[0].matches[0].method")).toEqual(
      {
        service: "a.B",
        type: "Exact",
      },
    );
  });

  it("header match type defaults to Exact", () => {
    const s = spec(`${GRPC}  rules: [{ matches: [{ headers: [{ name: x, value: y }] }] }]`);
    expect(s("rules[0].matches[0].headers[0].type")).toBe("Exact");
  });

  it("rules and matches have no default (unlike HTTPRoute)", () => {
    const s = spec(`${GRPC}  rules: [{ backendRefs: [{ name: s, port: 50051 }] }]`);
    expect(s("rules[0].matches")).toBeUndefined();
    expect(spec(`${GRPC}  hostnames: [a.example]`)("rules")).toBeUndefined();
  });

  it("backendRef defaults to a core Service with weight 1", () => {
    const s = spec(`${GRPC}  rules: [{ backendRefs: [{ name: s, port: 50051 }] }]`);
    expect(s("rules[0].backendRefs[0]")).toMatchObject({ group: "", kind: "Service", weight: 1 });
  });

  it("parentRef defaults to a Gateway", () => {
    expect(spec(`${GRPC}  parentRefs: [{ name: gw }]`)("parentRefs[0]")).toEqual({
      name: "gw",
      group: "gateway.networking.k8s.io",
      kind: "Gateway",
    });
  });
});

describe("Gateway defaults", () => {
  it("listener allowedRoutes defaults to namespaces from Same", () => {
    const s = spec(`${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]`);
    expect(s("listeners[0].allowedRoutes")).toEqual({ namespaces: { from: "Same" } });
  });

  it("allowedRoutes given with kinds only still gets namespaces from Same", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { kinds: [{ kind: HTTPRoute }] } }]`,
    );
    expect(s("listeners[0].allowedRoutes.namespaces")).toEqual({ from: "Same" });
  });

  it("allowedRoutes kinds group defaults to gateway.networking.k8s.io", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { kinds: [{ kind: HTTPRoute }] } }]`,
    );
    expect(s("listeners[0].allowedRoutes.kinds[0]")).toEqual({ kind: "HTTPRoute", group: "gateway.networking.k8s.io" });
  });

  it("allowedRoutes namespaces without from get from Same", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { selector: { matchLabels: { a: b } } } } }]`,
    );
    expect(s("listeners[0].allowedRoutes.namespaces.from")).toBe("Same");
  });

  it("listener tls mode defaults to Terminate", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: https, port: 443, protocol: HTTPS, tls: { certificateRefs: [{ name: c }] } }]`,
    );
    expect(s("listeners[0].tls.mode")).toBe("Terminate");
  });

  it("certificateRefs default to core Secrets", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: https, port: 443, protocol: HTTPS, tls: { certificateRefs: [{ name: c }] } }]`,
    );
    expect(s("listeners[0].tls.certificateRefs[0]")).toEqual({ name: "c", group: "", kind: "Secret" });
  });

  it("address type defaults to IPAddress", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]\n  addresses: [{ value: 10.0.0.1 }]`,
    );
    expect(s("addresses[0]")).toEqual({ value: "10.0.0.1", type: "IPAddress" });
  });

  it("allowedListeners namespaces default to from None", () => {
    const s = spec(`${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]\n  allowedListeners: {}`);
    expect(s("allowedListeners")).toEqual({ namespaces: { from: "None" } });
  });

  it("an absent allowedListeners stays absent (the CRD defaults only inside it)", () => {
    expect(
      spec(`${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]`)("allowedListeners"),
    ).toBeUndefined();
  });

  it("backend client certificate ref defaults to a core Secret", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]\n  tls: { backend: { clientCertificateRef: { name: c } } }`,
    );
    expect(s("tls.backend.clientCertificateRef")).toEqual({ name: "c", group: "", kind: "Secret" });
  });

  it("frontend client validation mode defaults to AllowValidOnly", () => {
    const s = spec(
      `${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]\n  tls: { frontend: { default: { validation: { caCertificateRefs: [{ group: "", kind: ConfigMap, name: ca }] } }, perPort: [{ port: 443, tls: { validation: { caCertificateRefs: [{ group: "", kind: ConfigMap, name: ca }] } } }] } }`,
    );
    expect(s("tls.frontend.default.validation.mode")).toBe("AllowValidOnly");
    expect(s("tls.frontend.perPort[0].tls.validation.mode")).toBe("AllowValidOnly");
  });
});

describe("other kinds' spec defaults", () => {
  it("ListenerSet parentRef defaults to a Gateway and its listeners to allowedRoutes Same", () => {
    const s = spec(`
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: ls, namespace: default }
spec:
  parentRef: { name: gw }
  listeners: [{ name: a, port: 80, protocol: HTTP }]`);
    expect(s("parentRef")).toEqual({ name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" });
    expect(s("listeners[0].allowedRoutes")).toEqual({ namespaces: { from: "Same" } });
  });

  for (const kind of ["TCPRoute", "UDPRoute", "TLSRoute"]) {
    it(`${kind} backendRef defaults to a core Service with weight 1`, () => {
      const s = spec(`
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: r, namespace: default }
spec:
  hostnames: [a.example]
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: s, port: 9000 }] }]`);
      expect(s("rules[0].backendRefs[0]")).toEqual({ name: "s", port: 9000, group: "", kind: "Service", weight: 1 });
      expect(s("parentRefs[0]")).toMatchObject({ group: "gateway.networking.k8s.io", kind: "Gateway" });
    });
  }

  it("ReferenceGrant declares no defaults", () => {
    const o = object(`
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: g, namespace: default }
spec: { from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a }], to: [{ group: "", kind: Service }] }`);
    expect(applyDefaults(o)).toEqual(o);
  });

  it("LoadBalancerConfiguration listener alpnPolicy defaults to None", () => {
    const s = spec(`
apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: { name: lbc, namespace: default }
spec: { listenerConfigurations: [{ protocolPort: "HTTPS:443" }] }`);
    expect(s("listenerConfigurations[0].alpnPolicy")).toBe("None");
  });

  it("TargetGroupConfiguration targetReference defaults to a core Service", () => {
    const s = spec(`
apiVersion: gateway.k8s.aws/v1beta1
kind: TargetGroupConfiguration
metadata: { name: tgc, namespace: default }
spec: { targetReference: { name: svc } }`);
    expect(s("targetReference")).toEqual({ name: "svc", group: "", kind: "Service" });
  });

  it("ListenerRuleConfiguration fixed responses default to text/plain and auth to the ALB defaults", () => {
    const s = spec(`
apiVersion: gateway.k8s.aws/v1beta1
kind: ListenerRuleConfiguration
metadata: { name: lrc, namespace: default }
spec:
  actions:
  - type: fixed-response
    fixedResponseConfig: { statusCode: 404 }
  - type: authenticate-cognito
    authenticateCognitoConfig: { userPoolArn: arn, userPoolClientId: id, userPoolDomain: d }`);
    expect(s("actions[0].fixedResponseConfig.contentType")).toBe("text/plain");
    expect(s("actions[1].authenticateCognitoConfig")).toMatchObject({
      scope: "openid",
      onUnauthenticatedRequest: "authenticate",
      sessionCookieName: "AWSELBAuthSessionCookie",
      sessionTimeout: 604800,
    });
  });
});

describe("status defaults", () => {
  const pending = (type: string) => ({
    type,
    status: "Unknown",
    reason: "Pending",
    message: "Waiting for controller",
    lastTransitionTime: "1970-01-01T00:00:00Z",
  });

  it("a new GatewayClass reads back Accepted=Unknown, waiting for its controller", () => {
    const o = applyDefaults(
      object(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: c }\nspec: { controllerName: a.b/c }",
      ),
    );
    expect(o.status).toEqual({ conditions: [pending("Accepted")] });
  });

  it("a new Gateway reads back Accepted and Programmed Unknown", () => {
    const o = applyDefaults(object(`${GATEWAY}  listeners: [{ name: http, port: 80, protocol: HTTP }]`));
    expect(o.status).toEqual({ conditions: [pending("Accepted"), pending("Programmed")] });
  });

  it("a new ListenerSet reads back Accepted and Programmed Unknown", () => {
    const o = applyDefaults(
      object(`
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: ls, namespace: default }
spec: { parentRef: { name: gw }, listeners: [{ name: a, port: 80, protocol: HTTP }] }`),
    );
    expect(o.status).toEqual({ conditions: [pending("Accepted"), pending("Programmed")] });
  });

  it("a status the manifest carries is kept, with its parentRefs defaulted", () => {
    const o = applyDefaults(
      object(`${ROUTE}  parentRefs: [{ name: gw }]
status:
  parents:
  - parentRef: { name: gw }
    controllerName: x.io/y
    conditions: []`),
    );
    expect(o.status).toEqual({
      parents: [
        {
          parentRef: { name: "gw", group: "gateway.networking.k8s.io", kind: "Gateway" },
          controllerName: "x.io/y",
          conditions: [],
        },
      ],
    });
  });

  it("routes without status get none", () => {
    expect(applyDefaults(object(`${ROUTE}  parentRefs: [{ name: gw }]`)).status).toBeUndefined();
  });
});

describe("defaulting algorithm", () => {
  it("returns a new object and leaves its input untouched", () => {
    const input = object(`${ROUTE}  parentRefs: [{ name: gw }]`);
    const before = structuredClone(input);
    const out = applyDefaults(input);
    expect(input).toEqual(before);
    expect(out).not.toBe(input);
    expect(out.spec).not.toBe(input.spec);
  });

  it("a null field with a default takes the default", () => {
    expect(spec(`${ROUTE}  parentRefs: [{ name: gw, kind: null }]`)("parentRefs[0].kind")).toBe("Gateway");
  });

  it("a null field without a default is dropped", () => {
    expect(spec(`${ROUTE}  parentRefs: [{ name: gw, sectionName: null }]`)("parentRefs[0]")).not.toHaveProperty(
      "sectionName",
    );
  });

  it("kinds without a schema are copied unchanged", () => {
    const o = object(
      "apiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: default }\nspec: { ports: [{ port: 80 }] }",
    );
    expect(applyDefaults(o)).toEqual(o);
  });

  it("is idempotent", () => {
    const arbitraryRoute = fc.record({
      parentRefs: fc.array(
        fc.record(
          { name: fc.constantFrom("a", "b"), port: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }) },
          { requiredKeys: ["name"] },
        ),
        { maxLength: 3 },
      ),
      rules: fc.option(
        fc.array(
          fc.record(
            {
              matches: fc.array(
                fc.record(
                  { path: fc.record({ value: fc.constant("/x") }, { requiredKeys: [] }) },
                  { requiredKeys: [] },
                ),
                { maxLength: 2 },
              ),
              backendRefs: fc.array(fc.record({ name: fc.constant("s"), port: fc.constant(80) }), { maxLength: 2 }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arbitraryRoute, (s) => {
        const o: KubeObject = {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: "r" },
          spec: s,
        };
        const once = applyDefaults(o);
        expect(applyDefaults(once)).toEqual(once);
      }),
    );
  });
});
