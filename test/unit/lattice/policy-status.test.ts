// The VPC Lattice policies' own status.conditions (shared/lattice/policy-status.ts through
// shared/pipeline/gateway-statuses.ts): written only when the target is switchyard's alone, by one
// designated Gateway, with the verdict its reconcile computed (AWS's refusal included).
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { Condition, KubeObject } from "../../../shared/k8s/meta.ts";
import { parseGatewayKey } from "../../../shared/keys.ts";
import { LATTICE_POLICY_KINDS, latticePolicyWriters } from "../../../shared/lattice/policy-status.ts";
import { affectedGateways, affectedLatticeExports } from "../../../shared/pipeline/affected.ts";
import { gatewayStatusIntents } from "../../../shared/pipeline/gateway-statuses.ts";
import { decodeStatusIntentMessage, encodeStatusIntentMessage } from "../../../shared/pipeline/status-intent.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import type { DataPlaneObservation } from "../../../shared/status/compute.ts";
import { decideStatusWrite, type StatusIntent } from "../../../shared/status/writer/decision.ts";
import { LATTICE_STATUS_SUBRESOURCES, statusPath } from "../../../shared/status/writer/resources.ts";
import { translate } from "../../../shared/translate.ts";
import { LATTICE_NAMESPACE, latticeObjects } from "../../fixtures/lattice-gateway.ts";
import {
  accessLogPolicy,
  iamAuthPolicy,
  LOG_GROUP,
  otherGateway,
  targetGroupPolicy,
  vpcAssociationPolicy,
} from "../../fixtures/lattice-policies.ts";

const CONFIG = controllerConfig();
const OWNED = Object.keys(CONFIG.controllers);

/** A Gateway of another controller (the VPC Lattice controller beside switchyard, say). */
const FOREIGN: KubeObject[] = [
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: "theirs", generation: 1 },
    spec: { controllerName: "example.com/other" },
  },
  {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "theirs", namespace: LATTICE_NAMESPACE, generation: 1 },
    spec: { gatewayClassName: "theirs", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  },
] as unknown as KubeObject[];

/** Route `name` (to Service `web`) with these parents. */
function route(name: string, parents: string[]): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace: LATTICE_NAMESPACE, generation: 1, creationTimestamp: "2026-01-02T00:00:00Z" },
    spec: {
      parentRefs: parents.map((p) => ({ name: p })),
      rules: [
        { matches: [{ path: { type: "Exact", value: `/${name}` } }], backendRefs: [{ name: "web", port: 8080 }] },
      ],
    },
  } as unknown as KubeObject;
}

function withUid(object: KubeObject, uid: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid, generation: 3 } } as KubeObject;
}

/** Gateway `gateway`'s reconcile: its intents, translated with its own observation (if any). */
function intentsOf(gateway: string, objects: KubeObject[], observation?: DataPlaneObservation): StatusIntent[] {
  const snapshot = snapshotOf(objects);
  const observations = observation ? new Map([[gateway, observation]]) : undefined;
  const translation = translate(snapshot, CONFIG, { clusterId: "test", ...(observations ? { observations } : {}) });
  return gatewayStatusIntents(translation, snapshot, parseGatewayKey(gateway), OWNED);
}

const policyIntents = (intents: StatusIntent[]) =>
  intents.filter((i) =>
    ["TargetGroupPolicy", "VpcAssociationPolicy", "AccessLogPolicy", "IAMAuthPolicy"].includes(i.kind),
  );

function conditionsOf(intents: StatusIntent[], kind: string, name: string): Condition[] | undefined {
  const intent = intents.find((i) => i.kind === kind && i.name === name);
  return intent && "conditions" in intent ? intent.conditions : undefined;
}

const base = (extra: KubeObject[]) => [...latticeObjects({ routes: [{ name: "r0", backend: "web" }] }), ...extra];

describe("Lattice policy status: which are switchyard's", () => {
  it("a policy on a switchyard Lattice Gateway: Accepted=True, its generation and uid, from that Gateway", () => {
    const intents = intentsOf("apps/net", base([withUid(iamAuthPolicy("auth", { kind: "Gateway" }), "uid-auth")]));
    expect(policyIntents(intents)).toEqual([
      {
        kind: "IAMAuthPolicy",
        namespace: "apps",
        name: "auth",
        observedGeneration: 3,
        uid: "uid-auth",
        conditions: [
          { type: "Accepted", status: "True", reason: "Accepted", message: "accepted", observedGeneration: 3 },
        ],
      },
    ]);
  });

  it("a policy whose target is missing is not written (TargetNotFound is plan's only)", () => {
    const objects = base([iamAuthPolicy("auth", { kind: "Gateway", name: "gone" })]);
    expect(policyIntents(intentsOf("apps/net", objects))).toEqual([]);
    expect(latticePolicyWriters(translate(snapshotOf(objects), CONFIG, {}).graph, snapshotOf(objects)).size).toBe(0);
  });

  it("a policy on another controller's Gateway is not written", () => {
    const objects = base([...FOREIGN, iamAuthPolicy("auth", { kind: "Gateway", name: "theirs" })]);
    expect(policyIntents(intentsOf("apps/net", objects))).toEqual([]);
  });

  it("a policy on a route attached to a switchyard Gateway and another controller's is not written", () => {
    const shared = base([
      ...FOREIGN,
      route("both", ["net", "theirs"]),
      accessLogPolicy("log", { kind: "HTTPRoute", name: "both" }, LOG_GROUP),
    ]);
    expect(policyIntents(intentsOf("apps/net", shared))).toEqual([]);
    const ours = base([route("mine", ["net"]), accessLogPolicy("log", { kind: "HTTPRoute", name: "mine" }, LOG_GROUP)]);
    expect(conditionsOf(intentsOf("apps/net", ours), "AccessLogPolicy", "log")?.[0]).toMatchObject({
      type: "Accepted",
      status: "True",
    });
  });

  it("a TargetGroupPolicy on a Service another controller's route also uses is not written", () => {
    const objects = base([...FOREIGN, route("theirs-web", ["theirs"]), targetGroupPolicy("tgp", "web", "/health")]);
    expect(policyIntents(intentsOf("apps/net", objects))).toEqual([]);
  });

  it("a TargetGroupPolicy on a Service with a ServiceExport, federated or not, is still written: no other controller exports it", () => {
    const serviceExport = (annotations: Record<string, string>) =>
      ({
        apiVersion: "application-networking.k8s.aws/v1alpha1",
        kind: "ServiceExport",
        metadata: { name: "web", namespace: LATTICE_NAMESPACE, annotations },
        spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] },
      }) as unknown as KubeObject;
    // Without the federation annotation the VPC Lattice controller exports nothing either; with it,
    // the export is switchyard's export unit's.
    const federated: Record<string, string>[] = [
      {},
      { "application-networking.k8s.aws/federation": "amazon-vpc-lattice" },
    ];
    for (const annotations of federated) {
      const objects = base([serviceExport(annotations), targetGroupPolicy("tgp", "web", "/health")]);
      expect(policyIntents(intentsOf("apps/net", objects)).map((i) => i.name)).toEqual(["tgp"]);
    }
  });

  it("a TargetGroupPolicy on a Service only switchyard Lattice routes use is written", () => {
    const objects = base([targetGroupPolicy("tgp", "web", "/health")]);
    expect(conditionsOf(intentsOf("apps/net", objects), "TargetGroupPolicy", "tgp")).toEqual([
      { type: "Accepted", status: "True", reason: "Accepted", message: "accepted", observedGeneration: 1 },
    ]);
  });
});

describe("Lattice policy status: verdicts", () => {
  it("the younger of two policies on one target is Accepted=False Conflicted, both written", () => {
    const younger = iamAuthPolicy("b-young", { kind: "Gateway" });
    (younger.metadata as { creationTimestamp: string }).creationTimestamp = "2026-02-01T00:00:00Z";
    const intents = intentsOf("apps/net", base([iamAuthPolicy("a-old", { kind: "Gateway" }), younger]));
    expect(conditionsOf(intents, "IAMAuthPolicy", "a-old")?.[0]?.status).toBe("True");
    expect(conditionsOf(intents, "IAMAuthPolicy", "b-young")?.[0]).toMatchObject({
      status: "False",
      reason: "Conflicted",
      message: expect.stringContaining("IAMAuthPolicy/apps/a-old"),
    });
  });

  it("a policy VPC Lattice would refuse is Accepted=False Invalid with why", () => {
    const groups = ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"];
    const intents = intentsOf("apps/net", base([vpcAssociationPolicy("vpc", groups)]));
    expect(conditionsOf(intents, "VpcAssociationPolicy", "vpc")?.[0]).toMatchObject({
      status: "False",
      reason: "Invalid",
      message: expect.stringContaining("6 security groups"),
    });
  });

  it("AWS's refusal seen by the Gateway's reconcile is Accepted=False with AWS's words", () => {
    const refused: DataPlaneObservation = {
      programmed: false,
      policyProblems: {
        "IAMAuthPolicy/apps/auth": {
          reason: "Invalid",
          message: "VPC Lattice refused PutAuthPolicy: AccessDenied: no",
        },
      },
    };
    const intents = intentsOf("apps/net", base([iamAuthPolicy("auth", { kind: "Gateway" })]), refused);
    expect(conditionsOf(intents, "IAMAuthPolicy", "auth")).toEqual([
      {
        type: "Accepted",
        status: "False",
        reason: "Invalid",
        message: "VPC Lattice refused PutAuthPolicy: AccessDenied: no",
        observedGeneration: 1,
      },
    ]);
  });
});

describe("Lattice policy status: two switchyard Gateways reached", () => {
  // Service web is the backend of r0 (on net) and of r-other (on other): the policy reaches both.
  const objects = base([otherGateway(), route("r-other", ["other"]), targetGroupPolicy("tgp", "web", "/health")]);
  const refusal = (gateway: string): DataPlaneObservation => ({
    programmed: true,
    policyProblems: { "TargetGroupPolicy/apps/tgp": { reason: "Invalid", message: `refused on ${gateway}` } },
  });

  it("only the designated Gateway (first by namespace/name) writes it", () => {
    const snapshot = snapshotOf(objects);
    expect(latticePolicyWriters(translate(snapshot, CONFIG, {}).graph, snapshot)).toEqual(
      new Map([["TargetGroupPolicy/apps/tgp", "apps/net"]]),
    );
    expect(policyIntents(intentsOf("apps/net", objects)).map((i) => i.name)).toEqual(["tgp"]);
    expect(policyIntents(intentsOf("apps/other", objects))).toEqual([]);
  });

  it("a refusal on the other Gateway does not flip the written verdict: each reconcile writes the same", () => {
    const fromNet = conditionsOf(intentsOf("apps/net", objects), "TargetGroupPolicy", "tgp");
    const fromOtherRefused = policyIntents(intentsOf("apps/other", objects, refusal("other")));
    expect(fromNet?.[0]?.status).toBe("True");
    expect(fromOtherRefused).toEqual([]);
    const fromNetRefused = conditionsOf(intentsOf("apps/net", objects, refusal("net")), "TargetGroupPolicy", "tgp");
    expect(fromNetRefused?.[0]).toMatchObject({ status: "False", message: "refused on net" });
  });

  it("listing order does not change the designated Gateway", () => {
    const snapshot = snapshotOf([...objects].reverse());
    expect(
      latticePolicyWriters(translate(snapshot, CONFIG, {}).graph, snapshot).get("TargetGroupPolicy/apps/tgp"),
    ).toBe("apps/net");
  });
});

describe("Lattice policy status: as written", () => {
  const intent = (status: "True" | "False", reason: string): StatusIntent => ({
    kind: "IAMAuthPolicy",
    namespace: "apps",
    name: "auth",
    observedGeneration: 2,
    uid: "uid-auth",
    conditions: [{ type: "Accepted", status, reason, message: reason, observedGeneration: 2 }],
  });

  it("goes to each policy's status subresource in application-networking.k8s.aws/v1alpha1", () => {
    const plurals = {
      TargetGroupPolicy: "targetgrouppolicies",
      VpcAssociationPolicy: "vpcassociationpolicies",
      AccessLogPolicy: "accesslogpolicies",
      IAMAuthPolicy: "iamauthpolicies",
    };
    for (const kind of LATTICE_POLICY_KINDS) {
      expect(statusPath({ kind, namespace: "apps", name: "p" })).toBe(
        `/apis/application-networking.k8s.aws/v1alpha1/namespaces/apps/${plurals[kind]}/p/status`,
      );
      expect(LATTICE_STATUS_SUBRESOURCES).toContain(`${plurals[kind]}/status`);
    }
  });

  it("replaces the CRD's default Accepted, keeps other types, and keeps lastTransitionTime while the status holds", () => {
    // What the CRD defaults an object's status to before any controller wrote it.
    const defaulted = {
      conditions: [
        {
          type: "Accepted",
          status: "Unknown",
          reason: "Pending",
          message: "Waiting for controller",
          lastTransitionTime: "1970-01-01T00:00:00Z",
        },
        {
          type: "Programmed",
          status: "Unknown",
          reason: "Pending",
          message: "Waiting for controller",
          lastTransitionTime: "1970-01-01T00:00:00Z",
        },
      ],
    };
    const first = decideStatusWrite(
      intent("True", "Accepted"),
      { resourceVersion: "1", uid: "uid-auth", status: defaulted },
      "2026-02-01T00:00:00Z",
    );
    if (!first.write) throw new Error("expected a write");
    expect(first.status.conditions).toEqual([
      {
        type: "Accepted",
        status: "True",
        reason: "Accepted",
        message: "Accepted",
        observedGeneration: 2,
        lastTransitionTime: "2026-02-01T00:00:00Z",
      },
      defaulted.conditions[1],
    ]);
    // Written again unchanged: no write.
    expect(
      decideStatusWrite(
        intent("True", "Accepted"),
        { resourceVersion: "2", uid: "uid-auth", status: first.status },
        "2026-03-01T00:00:00Z",
      ),
    ).toEqual({
      write: false,
      reason: "unchanged",
    });
    // Refused by AWS: the condition flips and its time moves.
    const second = decideStatusWrite(
      intent("False", "Invalid"),
      { resourceVersion: "2", uid: "uid-auth", status: first.status },
      "2026-03-01T00:00:00Z",
    );
    if (!second.write) throw new Error("expected a write");
    expect((second.status.conditions as Condition[])[0]).toMatchObject({
      status: "False",
      reason: "Invalid",
      lastTransitionTime: "2026-03-01T00:00:00Z",
    });
  });

  it("is refused for a policy since replaced by another of the same name", () => {
    expect(
      decideStatusWrite(
        intent("True", "Accepted"),
        { resourceVersion: "1", uid: "another", status: {} },
        "2026-01-01T00:00:00Z",
      ),
    ).toEqual({
      write: false,
      reason: "stale",
    });
  });

  it("crosses the status queue intact; one without conditions is refused", () => {
    const intents = LATTICE_POLICY_KINDS.map((kind) => ({ ...intent("True", "Accepted"), kind }) as StatusIntent);
    const body = encodeStatusIntentMessage({ version: 1, cluster: "east", intents });
    expect(decodeStatusIntentMessage(body)).toEqual({ ok: true, message: { version: 1, cluster: "east", intents } });
    const { conditions: _, ...bare } = intent("True", "Accepted") as StatusIntent & { conditions: Condition[] };
    expect(
      decodeStatusIntentMessage(
        encodeStatusIntentMessage({ version: 1, cluster: "east", intents: [bare as StatusIntent] }),
      ),
    ).toEqual({
      ok: false,
      reason: "intents[0].conditions: expected an array",
    });
  });
});

describe("Lattice policy status: a change of the status alone reconciles nothing", () => {
  const world = snapshotOf(base([]));

  it.each(["IAMAuthPolicy", "TargetGroupPolicy"] as const)(
    "%s: status written, no Gateway and no export unit",
    (kind) => {
      const before =
        kind === "IAMAuthPolicy" ? iamAuthPolicy("auth", { kind: "Gateway" }) : targetGroupPolicy("tgp", "web", "/h");
      before.metadata.resourceVersion = "10";
      const after = structuredClone(before) as KubeObject & { status?: unknown };
      after.metadata.resourceVersion = "11";
      after.status = { conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "accepted" }] };
      expect(affectedGateways("east", { kind, before, after }, world).size).toBe(0);
      expect(affectedLatticeExports("east", { kind, before, after }, world).size).toBe(0);
      // A spec change alongside is still a change: the Gateway reconciles.
      const respec = structuredClone(after) as KubeObject & { spec: Record<string, unknown> };
      respec.spec = { ...respec.spec, extra: true };
      expect([...affectedGateways("east", { kind, before, after: respec }, world)]).toEqual(["east/apps/net"]);
    },
  );
});
