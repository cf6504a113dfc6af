// Which statuses one Gateway's reconcile owes (shared/pipeline/gateway-statuses.ts): its own
// objects, every switchyard GatewayClass, and only its own entries of a policy's ancestors.
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { parseGatewayKey } from "../../../shared/keys.ts";
import { gatewayStatusIntents } from "../../../shared/pipeline/gateway-statuses.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { decideStatusWrite, mergedStatus, type StatusIntent } from "../../../shared/status/writer/decision.ts";
import { translate } from "../../../shared/translate.ts";
import { pipelineObjects } from "../../fixtures/pipeline-cluster.ts";

const CONFIG = controllerConfig();
const OWNED = Object.keys(CONFIG.controllers);
const GATEWAY_GROUP = "gateway.networking.k8s.io";

/** A second ALB Gateway, `gw2`, whose route sends to the same Service `web`. */
const SECOND_GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw2, namespace: apps, generation: 1}
spec:
  gatewayClassName: alb
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web2, namespace: apps, generation: 1}
spec:
  parentRefs: [{name: gw2}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
`;

function tlsPolicy(target: string, status?: unknown): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls, namespace: apps, generation: 4}
spec:
  targetRefs: [{group: "", kind: Service, name: ${target}}]
  validation: {hostname: web.example, wellKnownCACertificates: System}
${status === undefined ? "" : `status: ${JSON.stringify(status)}\n`}`;
}

function intentsFor(gateway: string, objects: KubeObject[]): StatusIntent[] {
  const snapshot = snapshotOf(objects);
  return gatewayStatusIntents(translate(snapshot, CONFIG, {}), snapshot, parseGatewayKey(gateway), OWNED);
}

const find = (intents: StatusIntent[], kind: string, name: string) =>
  intents.filter((i) => i.kind === kind && i.name === name);

describe("gateway status intents", () => {
  it("include the Gateway's own class with Accepted=True and the class's generation", () => {
    const objects = pipelineObjects(`apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb, generation: 5}
spec: {controllerName: switchyard.dev/nlb}
`);
    const classes = intentsFor("apps/gw", objects).filter((i) => i.kind === "GatewayClass");
    expect(classes.map((c) => c.name).sort()).toEqual(["alb", "nlb"]);
    const nlb = classes.find((c) => c.name === "nlb");
    expect(nlb?.observedGeneration).toBe(5);
    expect(nlb && "conditions" in nlb ? nlb.conditions.find((c) => c.type === "Accepted")?.status : undefined).toBe(
      "True",
    );
  });

  it("never include a GatewayClass of another controller", () => {
    const objects = pipelineObjects(`apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: theirs}
spec: {controllerName: example.com/other}
`);
    expect(find(intentsFor("apps/gw", objects), "GatewayClass", "theirs")).toEqual([]);
  });

  it("a deleted Gateway's reconcile still accepts the classes", () => {
    // The Gateway is gone from the snapshot: its reconcile deletes its AWS resources and writes no
    // Gateway status, but the class it used is still switchyard's.
    const objects = pipelineObjects().filter((o) => o.kind !== "Gateway");
    const intents = intentsFor("apps/gw", objects);
    expect(intents.map((i) => i.kind)).toContain("GatewayClass");
    expect(intents.map((i) => i.kind)).not.toContain("Gateway");
  });

  it("carry only this Gateway's entry of a policy that reaches two Gateways", () => {
    const objects = pipelineObjects(`${SECOND_GATEWAY}---\n${tlsPolicy("web")}`);
    for (const gateway of ["gw", "gw2"]) {
      const [policy] = find(intentsFor(`apps/${gateway}`, objects), "BackendTLSPolicy", "tls");
      expect(policy).toMatchObject({
        namespace: "apps",
        observedGeneration: 4,
        gateway: { namespace: "apps", name: gateway },
        controllerNames: OWNED,
      });
      const ancestors = policy && "ancestors" in policy ? policy.ancestors : [];
      expect(ancestors.map((a) => a.ancestorRef)).toEqual([
        { group: GATEWAY_GROUP, kind: "Gateway", namespace: "apps", name: gateway },
      ]);
      expect(ancestors[0]?.controllerName).toBe("switchyard.dev/alb");
    }
  });

  it("clear this Gateway's entry from a policy that no longer reaches it", () => {
    const stored = {
      ancestors: [
        {
          ancestorRef: { group: GATEWAY_GROUP, kind: "Gateway", namespace: "apps", name: "gw" },
          controllerName: "switchyard.dev/alb",
          conditions: [{ type: "Accepted", status: "False", reason: "Invalid", message: "m" }],
        },
      ],
    };
    // The policy now targets a Service no route of gw sends to.
    const objects = pipelineObjects(tlsPolicy("elsewhere", stored));
    const [policy] = find(intentsFor("apps/gw", objects), "BackendTLSPolicy", "tls");
    expect(policy).toMatchObject({ gateway: { namespace: "apps", name: "gw" }, ancestors: [] });
  });

  it("write nothing for a policy that reaches no switchyard Gateway and has no entry of ours", () => {
    const stored = {
      ancestors: [
        {
          ancestorRef: { group: GATEWAY_GROUP, kind: "Gateway", namespace: "apps", name: "gw" },
          controllerName: "example.com/other",
          conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "theirs" }],
        },
      ],
    };
    const objects = pipelineObjects(tlsPolicy("elsewhere", stored));
    expect(find(intentsFor("apps/gw", objects), "BackendTLSPolicy", "tls")).toEqual([]);
  });

  it("leave the other Gateway's route out and keep this Gateway's route in", () => {
    const intents = intentsFor("apps/gw", pipelineObjects(SECOND_GATEWAY));
    expect(find(intents, "HTTPRoute", "web")).toHaveLength(1);
    expect(find(intents, "HTTPRoute", "web2")).toEqual([]);
    expect(find(intents, "Gateway", "gw2")).toEqual([]);
  });
});

describe("a route shared by two Gateways", () => {
  const SHARED = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shared, namespace: apps, generation: 3}
spec:
  parentRefs: [{name: gw}, {name: gw2}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
`;
  const objects = () => pipelineObjects(`${SECOND_GATEWAY}---\n${SHARED}`);
  const routeIntent = (gateway: string) => {
    const intent = find(intentsFor(gateway, objects()), "HTTPRoute", "shared")[0];
    if (intent === undefined || !("parents" in intent)) throw new Error(`no route intent from ${gateway}`);
    return intent;
  };

  it("each Gateway's intent carries only its own parent entry, scoped to it", () => {
    const fromGw = routeIntent("apps/gw");
    expect(fromGw.parents.map((p) => p.parentRef.name)).toEqual(["gw"]);
    expect("scope" in fromGw ? fromGw.scope : undefined).toEqual({
      gateway: { namespace: "apps", name: "gw" },
      listenerSets: [],
    });
    expect(routeIntent("apps/gw2").parents.map((p) => p.parentRef.name)).toEqual(["gw2"]);
  });

  it("both entries stay, and stay put, however the two reconciles interleave", () => {
    const now = "2026-12-03T07:00:00Z";
    const fromGw = routeIntent("apps/gw");
    const fromGw2 = routeIntent("apps/gw2");
    // gw2's reconcile wrote its entry with what it observed (a message only it can compute).
    let status: Record<string, unknown> = mergedStatus(fromGw2, {}, now);
    const gw2Entry = (status.parents as { parentRef: { name: string }; conditions: { message: string }[] }[])[0];
    if (gw2Entry === undefined) throw new Error("no entry for gw2");
    gw2Entry.conditions = gw2Entry.conditions.map((c) => ({ ...c, message: `${c.message} (seen by gw2)` }));
    const afterGw2 = structuredClone(status);
    status = mergedStatus(fromGw, status, now);
    const names = (s: Record<string, unknown>) =>
      (s.parents as { parentRef: { name: string } }[]).map((p) => p.parentRef.name);
    expect(names(status)).toEqual(["gw2", "gw"]);
    expect((status.parents as unknown[])[0]).toEqual((afterGw2.parents as unknown[])[0]);
    const settled = structuredClone(status);
    for (let round = 0; round < 3; round++) {
      expect(decideStatusWrite(fromGw, { resourceVersion: "1", status }, now)).toEqual({
        write: false,
        reason: "unchanged",
      });
      status = mergedStatus(fromGw2, status, now);
      status = mergedStatus(fromGw, status, now);
    }
    // gw2's own reconcile writes its own entry again: gw's stays as gw wrote it.
    expect((status.parents as unknown[])[1]).toEqual((settled.parents as unknown[])[1]);
  });
});
