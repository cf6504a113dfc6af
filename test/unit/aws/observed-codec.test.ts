import { describe, expect, it } from "vitest";
import type { ObservedElb } from "../../../shared/elb/observed.ts";
import { DecodeError, decodeObservedElb } from "../../../shared/elb/observed-codec.ts";

const LB = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/sy-apps-web/1";
const L = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/sy-apps-web/1/2";
const R = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/sy-apps-web/1/2/3";
const TG = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/sy-web/4";

function valid(): ObservedElb {
  return {
    loadBalancer: {
      arn: LB,
      name: "sy-apps-web",
      type: "application",
      scheme: "internet-facing",
      ipAddressType: "ipv4",
      dnsName: "sy-apps-web.eu-west-1.elb.amazonaws.com",
      state: "active",
      subnets: ["subnet-1", "subnet-2"],
      securityGroups: ["sg-1"],
      enforceInboundRulesOnPrivateLinkTraffic: "off",
      attributes: { "idle_timeout.timeout_seconds": "60" },
      customerOwnedIpv4Pool: "ipv4pool-coip-1",
      subnetMappings: [{ subnetId: "subnet-1", allocationId: "eipalloc-1", sourceNatIpv6Prefix: "2001:db8::/80" }],
      ipv4IpamPool: "ipam-pool-1",
      minimumCapacityUnits: 100,
      webAcl: "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop/1",
      shieldProtection: { id: "p-1", managed: true },
    },
    listeners: [
      {
        id: "HTTPS:443",
        arn: L,
        port: 443,
        protocol: "HTTPS",
        certificates: { arns: ["arn:aws:acm:eu-west-1:111122223333:certificate/c"], pendingSecrets: ["apps/tls"] },
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        mutualAuthentication: { mode: "verify", trustStoreArn: "arn:ts", ignoreClientCertificateExpiry: false },
        defaultActions: [{ type: "fixed-response", statusCode: "404", contentType: "text/plain" }],
        rules: [
          {
            arn: R,
            priority: 10,
            conditions: [
              { field: "host-header", values: ["a.example.com"] },
              { field: "http-header", headerName: "x-env", values: ["canary"] },
              { field: "query-string", values: [{ key: "v", value: "2" }] },
            ],
            actions: [
              { type: "forward", targetGroups: [{ targetGroupId: "apps/web:8080/HTTP1", weight: 1 }] },
              { type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS" },
            ],
            transforms: [{ type: "url-rewrite", rewrites: [{ regex: "^/old", replace: "/new" }] }],
          },
        ],
        attributes: { "routing.http.response.server.enabled": "false" },
      },
    ],
    targetGroups: [
      {
        id: "apps/web:8080/HTTP1",
        arn: TG,
        name: "sy-web-0123456789",
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        port: 8080,
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: "/healthz",
          intervalSeconds: 15,
          timeoutSeconds: 5,
          healthyThresholdCount: 3,
          unhealthyThresholdCount: 3,
          matcher: { httpCode: "200" },
        },
        attributes: { "deregistration_delay.timeout_seconds": "30" },
        targets: [{ id: "10.0.0.1", port: 8080, availabilityZone: "eu-west-1a", quicServerId: "0x000000000a000001" }],
      },
    ],
    strayLoadBalancers: [],
    securityGroups: {
      frontend: {
        id: "sg-front",
        name: "sy-apps-web-0123456789",
        ingress: [
          { ruleId: "sgr-1", owned: true, protocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "10.0.0.0/8" },
          { ruleId: "sgr-2", owned: false, protocol: "icmpv6", fromPort: 2, toPort: 0, cidrIpv6: "::/0" },
          { ruleId: "sgr-3", owned: true, protocol: "tcp", fromPort: 80, toPort: 80, prefixListId: "pl-00000001" },
        ],
      },
      backend: { id: "sg-back", name: "sy-backend-prod-0123456789" },
      targetRules: [
        { groupId: "sg-node", ruleId: "sgr-4", protocol: "udp", port: 53, targets: ["10.0.0.1"], claimed: true },
      ],
      unresolvedTargets: ["10.9.9.9"],
    },
  };
}

/** `valid()` as JSON with the value at `path` replaced (or removed, for `undefined`). */
function withField(path: (string | number)[], value: unknown): unknown {
  const root: unknown = JSON.parse(JSON.stringify(valid()));
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? "";
  if (value === undefined) delete node[last];
  else node[last] = value;
  return root;
}

function decodeError(value: unknown): DecodeError {
  try {
    decodeObservedElb(value, "state item prod-eu/apps/web");
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error("decoded without error");
}

describe("decoding an ObservedElb from untrusted JSON", () => {
  it("returns a valid value unchanged, through JSON", () => {
    expect(decodeObservedElb(JSON.parse(JSON.stringify(valid())), "file")).toEqual(valid());
  });

  it("drops fields the shape does not have", () => {
    const decoded = decodeObservedElb({ ...valid(), extra: 1 }, "file");
    expect("extra" in decoded).toBe(false);
  });

  it("refuses a value that is not an object, naming the source", () => {
    for (const value of [null, [], "x", 3, undefined]) {
      const error = decodeError(value);
      expect(error).toMatchObject({ source: "state item prod-eu/apps/web", path: "", expected: "an object" });
    }
  });

  // Each field: a wrong value → the field's path and what was expected there.
  const cases: [(string | number)[], unknown, string][] = [
    [["listeners"], undefined, "an array"],
    [["targetGroups"], {}, "an array"],
    [["strayLoadBalancers", 0], "", "a non-empty string"],
    [["loadBalancer"], "arn", "an object"],
    [["loadBalancer", "arn"], undefined, "a non-empty string"],
    [["loadBalancer", "name"], "", "a non-empty string"],
    [["loadBalancer", "type"], "gateway", "one of application, network"],
    [["loadBalancer", "scheme"], "public", "one of internet-facing, internal"],
    [["loadBalancer", "ipAddressType"], "ipv6", "one of ipv4, dualstack, dualstack-without-public-ipv4"],
    [["loadBalancer", "dnsName"], 1, "a non-empty string"],
    [["loadBalancer", "state"], "deleting", "one of provisioning, active, active_impaired, failed"],
    [["loadBalancer", "subnets"], "subnet-1", "an array"],
    [["loadBalancer", "securityGroups", 0], null, "a non-empty string"],
    [["loadBalancer", "attributes"], [], "an object"],
    [["loadBalancer", "enforceInboundRulesOnPrivateLinkTraffic"], true, "one of on, off"],
    [["securityGroups"], [], "an object"],
    [["securityGroups", "targetRules"], undefined, "an array"],
    [["securityGroups", "frontend", "id"], "", "a non-empty string"],
    [["securityGroups", "frontend", "ingress", 0, "owned"], "yes", "a boolean"],
    [["securityGroups", "frontend", "ingress", 1, "protocol"], "all", "one of tcp, udp, icmp, icmpv6"],
    [["securityGroups", "backend", "name"], 1, "a string"],
    [["securityGroups", "targetRules", 0, "protocol"], "icmp", "one of tcp, udp"],
    [["securityGroups", "targetRules", 0, "port"], "53", "an integer"],
    [["securityGroups", "targetRules", 0, "targets", 0], "", "a non-empty string"],
    [["securityGroups", "targetRules", 0, "claimed"], undefined, "a boolean"],
    [["securityGroups", "unresolvedTargets"], "10.9.9.9", "an array"],
    [["loadBalancer", "attributes", "idle_timeout.timeout_seconds"], 60, "a string"],
    [["listeners", 0], null, "an object"],
    [["listeners", 0, "id"], "", "a non-empty string"],
    [["listeners", 0, "arn"], undefined, "a non-empty string"],
    [["listeners", 0, "port"], "443", "an integer"],
    [["listeners", 0, "protocol"], "GENEVE", "one of HTTP, HTTPS, TCP, UDP, TCP_UDP, TLS, QUIC, TCP_QUIC"],
    [["listeners", 0, "attributes", "routing.http.response.server.enabled"], false, "a string"],
    [["loadBalancer", "customerOwnedIpv4Pool"], "", "a non-empty string"],
    [["loadBalancer", "subnetMappings", 0, "subnetId"], undefined, "a non-empty string"],
    [["loadBalancer", "subnetMappings", 0, "allocationId"], 7, "a non-empty string"],
    [["loadBalancer", "ipv4IpamPool"], null, "a non-empty string"],
    [["loadBalancer", "minimumCapacityUnits"], "100", "an integer"],
    [["loadBalancer", "webAcl"], "", "a non-empty string"],
    [["loadBalancer", "shieldProtection", "id"], "", "a non-empty string"],
    [["loadBalancer", "shieldProtection", "managed"], "yes", "a boolean"],
    [["listeners", 0, "certificates", "arns"], undefined, "an array"],
    [["listeners", 0, "certificates", "pendingSecrets", 0], 7, "a string"],
    [["listeners", 0, "sslPolicy"], "", "a non-empty string"],
    [["listeners", 0, "alpnPolicy"], false, "a non-empty string"],
    [["listeners", 0, "mutualAuthentication", "mode"], "strict", "one of off, passthrough, verify"],
    [["listeners", 0, "mutualAuthentication", "trustStoreArn"], "", "a non-empty string"],
    [["listeners", 0, "mutualAuthentication", "ignoreClientCertificateExpiry"], "no", "a boolean"],
    [["listeners", 0, "defaultActions", 0, "type"], "drop", "one of forward, redirect, fixed-response"],
    [["listeners", 0, "defaultActions", 0, "statusCode"], undefined, "a non-empty string"],
    [["listeners", 0, "defaultActions", 0, "contentType"], "text/xml", "one of text/plain"],
    [["listeners", 0, "rules", 0, "arn"], "", "a non-empty string"],
    [["listeners", 0, "rules", 0, "priority"], 1.5, "an integer"],
    [["listeners", 0, "rules", 0, "conditions", 0, "field"], "cookie", "one of host-header"],
    [["listeners", 0, "rules", 0, "conditions", 0, "values", 0], 1, "a string"],
    [["listeners", 0, "rules", 0, "conditions", 1, "headerName"], undefined, "a non-empty string"],
    [["listeners", 0, "rules", 0, "conditions", 2, "values", 0, "value"], undefined, "a string"],
    [["listeners", 0, "rules", 0, "actions", 0, "targetGroups", 0, "targetGroupId"], "", "a non-empty string"],
    [["listeners", 0, "rules", 0, "actions", 0, "targetGroups", 0, "weight"], "1", "an integer"],
    [["listeners", 0, "rules", 0, "actions", 1, "statusCode"], "HTTP_307", "one of HTTP_301, HTTP_302"],
    [["listeners", 0, "rules", 0, "transforms", 0, "type"], "rewrite", "one of host-header-rewrite, url-rewrite"],
    [["listeners", 0, "rules", 0, "transforms", 0, "rewrites", 0, "replace"], undefined, "a string"],
    [["targetGroups", 0, "id"], "", "a non-empty string"],
    [["targetGroups", 0, "arn"], undefined, "a non-empty string"],
    [["targetGroups", 0, "name"], 3, "a string"],
    [["targetGroups", 0, "protocol"], undefined, "a string"],
    [["targetGroups", 0, "protocolVersion"], "", "a non-empty string"],
    [["targetGroups", 0, "port"], null, "an integer"],
    [["targetGroups", 0, "healthCheck", "enabled"], "true", "a boolean"],
    [["targetGroups", 0, "healthCheck", "protocol"], "UDP", "one of HTTP, HTTPS, TCP"],
    [["targetGroups", 0, "healthCheck", "port"], "", "a non-empty string"],
    [["targetGroups", 0, "healthCheck", "intervalSeconds"], undefined, "an integer"],
    [["targetGroups", 0, "healthCheck", "matcher", "httpCode"], 200, "a string"],
    [["targetGroups", 0, "attributes"], null, "an object"],
    [["targetGroups", 0, "targets", 0, "id"], "", "a non-empty string"],
    [["targetGroups", 0, "targets", 0, "port"], 80.5, "an integer"],
    [["targetGroups", 0, "targets", 0, "availabilityZone"], 1, "a non-empty string"],
    [["targetGroups", 0, "targets", 0, "quicServerId"], "", "a non-empty string"],
  ];

  it.each(cases)("refuses a bad %j, naming its path", (path, value, expected) => {
    const error = decodeError(withField(path, value));
    // A map key that is not a plain name (an attribute key with dots) is quoted, so the path reads back.
    const step = (p: string | number, i: number) =>
      typeof p === "number"
        ? `[${p}]`
        : !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)
          ? `[${JSON.stringify(p)}]`
          : i === 0
            ? p
            : `.${p}`;
    const dotted = path.map(step).join("");
    expect(error.path).toBe(dotted);
    expect(error.expected).toContain(expected);
    expect(error.message).toContain(`state item prod-eu/apps/web: ${dotted}: expected`);
  });
});
