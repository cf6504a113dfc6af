/**
 * The NLB evaluator against the documented behaviour of Network Load Balancers: one listener per
 * port, which protocols each listener carries, unexpected traffic dropped, TLS certificates chosen
 * by SNI without SNI routing, weighted target groups, QUIC server IDs. Then properties over random
 * models: an accepted connection always lands on target groups and targets of the model.
 */
import fc from "fast-check";
import { describe, expect, it, test } from "vitest";
import type { ListenerModel, LoadBalancerModel, TargetGroupModel } from "../../../shared/elb/model.ts";
import {
  certificateNameCovers,
  chooseCertificate,
  evaluateNlbConnection,
  MalformedNlbListener,
  type NlbClientProtocol,
  type NlbConnection,
} from "../../../shared/elb/nlb-evaluate.ts";
import type { ListenerProtocol } from "../../../shared/elb/rules.ts";

function group(id: string, targets: string[], quic = false): TargetGroupModel {
  return {
    id,
    name: id,
    protocol: "TCP",
    port: 8080,
    targetType: "ip",
    ipAddressType: "ipv4",
    healthCheck: {
      enabled: true,
      protocol: "TCP",
      port: "traffic-port",
      intervalSeconds: 10,
      timeoutSeconds: 10,
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 3,
    },
    attributes: {},
    tags: {},
    targets: targets.map((ip, i) => ({
      id: ip,
      port: 8080,
      ...(quic ? { quicServerId: `0x${String(i + 1).padStart(16, "0")}` } : {}),
    })),
    backend: `Service apps/${id}:8080`,
  };
}

function listener(
  protocol: ListenerProtocol,
  port: number,
  forward: [string, number][],
  extra: Partial<ListenerModel> = {},
): ListenerModel {
  return {
    id: `${protocol}:${port}`,
    port,
    protocol,
    defaultActions: [
      { type: "forward", targetGroups: forward.map(([targetGroupId, weight]) => ({ targetGroupId, weight })) },
    ],
    rules: [],
    gatewayListeners: ["l"],
    tags: {},
    ...extra,
  };
}

function nlb(listeners: ListenerModel[], targetGroups: TargetGroupModel[]): LoadBalancerModel {
  return {
    gatewayKey: "apps/gw",
    type: "network",
    name: "nlb",
    scheme: "internal",
    ipAddressType: "ipv4",
    subnets: [],
    securityGroups: [],
    attributes: {},
    tags: {},
    listeners,
    targetGroups,
  };
}

const CERT_A = "arn:aws:acm:us-east-1:111122223333:certificate/a";
const CERT_B = "arn:aws:acm:us-east-1:111122223333:certificate/b";
const NAMES = new Map([
  [CERT_A, ["a.example.com"]],
  [CERT_B, ["*.example.org"]],
]);

const model = nlb(
  [
    listener("TCP", 80, [["web", 1]]),
    listener("UDP", 53, [["dns", 1]]),
    listener("TCP_UDP", 5353, [["dns", 1]]),
    listener("TLS", 443, [["web", 1]], { certificates: { arns: [CERT_A, CERT_B], pendingSecrets: [] } }),
    listener("QUIC", 8443, [["quic", 1]]),
    listener("TCP_QUIC", 9443, [["quic", 1]]),
  ],
  [group("web", ["10.0.0.1", "10.0.0.2"]), group("dns", ["10.0.1.1"]), group("quic", ["10.0.2.1", "10.0.2.2"], true)],
);

const conn = (protocol: NlbClientProtocol, port: number, extra: Partial<NlbConnection> = {}): NlbConnection => ({
  protocol,
  port,
  ...extra,
});

describe("which listener takes a connection, and which it drops", () => {
  // "Listeners for your Network Load Balancers": protocols TCP, TLS, UDP, TCP_UDP, QUIC, TCP_QUIC;
  // traffic that matches no configured listener is unexpected and dropped without forwarding.
  test.each([
    ["TCP to a TCP listener", conn("TCP", 80), "forward", "TCP:80"],
    ["TLS through a TCP listener (passthrough)", conn("TLS", 80, { sni: "x" }), "forward", "TCP:80"],
    ["UDP to a TCP listener", conn("UDP", 80), "dropped", "protocol-not-carried"],
    ["UDP to a UDP listener", conn("UDP", 53), "forward", "UDP:53"],
    ["QUIC to a UDP listener is UDP", conn("QUIC", 53), "forward", "UDP:53"],
    ["TCP to a UDP listener", conn("TCP", 53), "dropped", "protocol-not-carried"],
    ["TCP to a TCP_UDP listener", conn("TCP", 5353), "forward", "TCP_UDP:5353"],
    ["UDP to a TCP_UDP listener", conn("UDP", 5353), "forward", "TCP_UDP:5353"],
    ["QUIC to a QUIC listener", conn("QUIC", 8443), "forward", "QUIC:8443"],
    ["plain UDP to a QUIC listener", conn("UDP", 8443), "dropped", "protocol-not-carried"],
    ["TCP to a TCP_QUIC listener", conn("TCP", 9443), "forward", "TCP_QUIC:9443"],
    ["QUIC to a TCP_QUIC listener", conn("QUIC", 9443), "forward", "TCP_QUIC:9443"],
    ["any protocol to a port without a listener", conn("TCP", 8080), "dropped", "no-listener"],
    ["plain TCP to a TLS listener", conn("TCP", 443), "tls-handshake-failed", "TLS:443"],
  ])("%s", (_, connection, kind, detail) => {
    const outcome = evaluateNlbConnection(model, connection);
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === "forward") expect(outcome.listenerId).toBe(detail);
    if (outcome.kind === "dropped") expect(outcome.reason).toBe(detail);
    if (outcome.kind === "tls-handshake-failed") expect(outcome.listenerId).toBe(detail);
  });

  it("passes TLS through a TCP listener unchanged, presenting no certificate of its own", () => {
    const outcome = evaluateNlbConnection(model, conn("TLS", 80, { sni: "a.example.com" }));
    expect(outcome).toMatchObject({ kind: "forward", delivered: "as-sent" });
    expect(outcome.kind === "forward" ? outcome.certificate : "not forwarded").toBeUndefined();
  });
});

describe("TLS listeners: SNI selects a certificate, never a target group", () => {
  const tls = (sni?: string) =>
    evaluateNlbConnection(model, conn("TLS", 443, sni ? { sni } : {}), { certificateNames: NAMES });

  test.each([
    ["an SNI name one certificate covers", "a.example.com", { by: "sni", sni: "a.example.com", candidates: [CERT_A] }],
    ["a wildcard certificate's one-label subdomain", "b.example.org", { by: "sni", candidates: [CERT_B] }],
    ["no SNI: the default certificate", undefined, { by: "default", arn: CERT_A, reason: "no-sni" }],
    ["an SNI name no certificate covers", "c.example.net", { by: "default", arn: CERT_A, reason: "no-match" }],
    ["a wildcard does not cover two labels", "x.y.example.org", { by: "default", reason: "no-match" }],
    ["a wildcard does not cover the apex", "example.org", { by: "default", reason: "no-match" }],
  ])("%s", (_, sni, certificate) => {
    const outcome = tls(sni);
    expect(outcome).toMatchObject({ kind: "forward", delivered: "tls-terminated", certificate });
  });

  it("forwards to the same target groups whatever the SNI", () => {
    const groups = ["a.example.com", "b.example.org", "unknown.test", undefined].map((sni) => {
      const o = tls(sni);
      return o.kind === "forward" ? o.targetGroups.map((g) => g.targetGroupId) : o.kind;
    });
    expect(new Set(groups.map((g) => JSON.stringify(g)))).toEqual(new Set([JSON.stringify(["web"])]));
  });

  it("cannot tell which certificate SNI selects when the names are not known", () => {
    expect(chooseCertificate([CERT_A, CERT_B], "b.example.org")).toEqual({
      by: "default",
      arn: CERT_A,
      reason: "names-unknown",
    });
  });

  it("fails the handshake when the listener has no certificate", () => {
    const bare = nlb([listener("TLS", 443, [["web", 1]])], [group("web", ["10.0.0.1"])]);
    expect(evaluateNlbConnection(bare, conn("TLS", 443, { sni: "a" })).kind).toBe("tls-handshake-failed");
  });

  test.each([
    ["*.example.com", "a.example.com", true],
    ["*.example.com", "A.Example.COM.", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "a.b.example.com", false],
    ["a.example.com", "a.example.com", true],
    ["a.example.com", "b.example.com", false],
  ])("certificate name %s covers %s: %s", (name, host, covers) => {
    expect(certificateNameCovers(name, host)).toBe(covers);
  });
});

describe("weighted target groups", () => {
  const weighted = (forward: [string, number][]) =>
    nlb(
      [listener("TCP", 80, forward)],
      [group("v1", ["10.0.0.1", "10.0.0.2"]), group("v2", ["10.0.0.3"]), group("v3", [])],
    );

  it("splits new connections by weight over the sum, then evenly over a group's targets", () => {
    const outcome = evaluateNlbConnection(
      weighted([
        ["v1", 70],
        ["v2", 30],
      ]),
      conn("TCP", 80),
    );
    expect(outcome.kind).toBe("forward");
    if (outcome.kind !== "forward") return;
    expect(outcome.targetGroups.map((g) => [g.targetGroupId, g.share])).toEqual([
      ["v1", 0.7],
      ["v2", 0.3],
    ]);
    expect(outcome.targetGroups[0]?.targets.map((t) => t.share)).toEqual([0.35, 0.35]);
  });

  it("gives a weight-0 group no new connections", () => {
    const outcome = evaluateNlbConnection(
      weighted([
        ["v1", 1],
        ["v3", 0],
      ]),
      conn("TCP", 80),
    );
    expect(outcome.kind === "forward" && outcome.targetGroups.map((g) => g.targetGroupId)).toEqual(["v1"]);
  });

  it("reports a group without targets with its share and no targets", () => {
    const outcome = evaluateNlbConnection(
      weighted([
        ["v1", 1],
        ["v3", 1],
      ]),
      conn("TCP", 80),
    );
    expect(outcome.kind === "forward" && outcome.targetGroups[1]).toMatchObject({
      targetGroupId: "v3",
      share: 0.5,
      targets: [],
    });
  });

  it("drops connections when every weight is 0", () => {
    const outcome = evaluateNlbConnection(weighted([["v1", 0]]), conn("TCP", 80));
    expect(outcome).toMatchObject({ kind: "dropped", reason: "all-weights-zero" });
  });

  it("carries target group stickiness", () => {
    const m = weighted([["v1", 1]]);
    const first = m.listeners[0];
    if (first)
      first.defaultActions = [
        { type: "forward", targetGroups: [{ targetGroupId: "v1", weight: 1 }], stickiness: { enabled: true } },
      ];
    expect(evaluateNlbConnection(m, conn("TCP", 80))).toMatchObject({ kind: "forward", stickiness: true });
  });

  it("refuses a listener whose default action is not one forward, as the ELB API would", () => {
    const m = nlb([{ ...listener("TCP", 80, []), defaultActions: [] }], []);
    expect(() => evaluateNlbConnection(m, conn("TCP", 80))).toThrow(MalformedNlbListener);
  });
});

describe("QUIC: packets with a server ID go to the target registered with it", () => {
  it("routes by server ID, ignoring weights", () => {
    const outcome = evaluateNlbConnection(model, conn("QUIC", 8443, { quicServerId: "0x0000000000000002" }));
    expect(outcome).toMatchObject({
      kind: "forward",
      quicTarget: { targetGroupId: "quic", target: { id: "10.0.2.2" } },
    });
  });

  it("spreads a new connection (no server ID yet) over the targets", () => {
    const outcome = evaluateNlbConnection(model, conn("QUIC", 8443));
    expect(outcome.kind === "forward" && outcome.targetGroups[0]?.targets.length).toBe(2);
    expect(outcome.kind === "forward" && outcome.quicTarget).toBe(undefined);
  });

  it("does not deliver a server ID no target has", () => {
    const outcome = evaluateNlbConnection(model, conn("QUIC", 8443, { quicServerId: "0x00000000000000ff" }));
    expect(outcome).toMatchObject({ kind: "dropped", reason: "unknown-quic-server-id" });
  });

  it("a UDP listener does not read QUIC connection IDs", () => {
    const outcome = evaluateNlbConnection(model, conn("QUIC", 53, { quicServerId: "0x0000000000000001" }));
    expect(outcome.kind === "forward" && outcome.quicTarget).toBe(undefined);
  });
});

describe("properties over random models", () => {
  const protocols: ListenerProtocol[] = ["TCP", "UDP", "TCP_UDP", "TLS", "QUIC", "TCP_QUIC"];
  const clientProtocols: NlbClientProtocol[] = ["TCP", "TLS", "UDP", "QUIC"];
  const ip = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 9 })).map(([a, b]) => `10.0.${a}.${b}`);
  const groups = fc
    .uniqueArray(fc.constantFrom("g1", "g2", "g3", "g4"), { minLength: 1, maxLength: 4 })
    .chain((ids) =>
      fc.tuple(...ids.map((id) => fc.uniqueArray(ip, { maxLength: 3 }).map((targets) => group(id, targets, true)))),
    );
  const randomModel = groups.chain((tgs) =>
    fc
      .uniqueArray(
        fc.record({
          port: fc.integer({ min: 1, max: 6 }),
          protocol: fc.constantFrom(...protocols),
          forward: fc.uniqueArray(
            fc.tuple(fc.constantFrom(...tgs.map((g) => g.id)), fc.integer({ min: 0, max: 999 })),
            { minLength: 1, maxLength: 3, selector: ([id]) => id },
          ),
        }),
        { selector: (l) => l.port, maxLength: 4 },
      )
      .map((ls) =>
        nlb(
          ls.map((l) =>
            listener(l.protocol, l.port, l.forward, {
              certificates: { arns: [CERT_A], pendingSecrets: [] },
            }),
          ),
          tgs,
        ),
      ),
  );
  const connection = fc.record({
    protocol: fc.constantFrom(...clientProtocols),
    port: fc.integer({ min: 1, max: 7 }),
    sni: fc.option(fc.constantFrom("a.example.com", "b.example.org", "c.test"), { nil: undefined }),
    quicServerId: fc.option(fc.constantFrom("0x0000000000000001", "0x0000000000000009"), { nil: undefined }),
  });

  test("every accepted connection lands on target groups and targets of the model, with shares summing to 1", () => {
    fc.assert(
      fc.property(randomModel, connection, (m, c) => {
        const outcome = evaluateNlbConnection(m, c);
        if (outcome.kind !== "forward") return;
        const listenerOnPort = m.listeners.find((l) => l.port === c.port);
        expect(listenerOnPort?.id).toBe(outcome.listenerId);
        let sum = 0;
        for (const g of outcome.targetGroups) {
          const modelled = m.targetGroups.find((tg) => tg.id === g.targetGroupId);
          expect(modelled).toBeDefined();
          for (const t of g.targets) expect(modelled?.targets).toContainEqual(t.target);
          sum += g.share;
        }
        expect(sum).toBeCloseTo(1, 9);
        if (outcome.quicTarget) {
          const modelled = m.targetGroups.find((tg) => tg.id === outcome.quicTarget?.targetGroupId);
          expect(modelled?.targets).toContainEqual(outcome.quicTarget.target);
        }
      }),
    );
  });

  test("a connection to a port without a listener is dropped, never forwarded", () => {
    fc.assert(
      fc.property(randomModel, connection, (m, c) => {
        const outcome = evaluateNlbConnection(m, c);
        const has = m.listeners.some((l) => l.port === c.port);
        expect(outcome.kind === "dropped" && outcome.reason === "no-listener").toBe(!has);
      }),
    );
  });

  test("the SNI name never changes where a connection goes", () => {
    fc.assert(
      fc.property(randomModel, connection, fc.constantFrom("a.example.com", "other.test"), (m, c, other) => {
        const a = evaluateNlbConnection(m, c, { certificateNames: NAMES });
        const b = evaluateNlbConnection(m, { ...c, sni: other }, { certificateNames: NAMES });
        expect(b.kind).toBe(a.kind);
        if (a.kind === "forward" && b.kind === "forward") expect(b.targetGroups).toEqual(a.targetGroups);
      }),
    );
  });
});
