// Status-only changes of routes: switchyard's own status writes come back through the forwarder as
// updates with a new resourceVersion and the same generation. They reach a Gateway only where the
// core reads what changed: a route's status entry that appeared for a parent its spec does not name.
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { clusterGatewayKey, parseGatewayKey } from "../../../shared/keys.ts";
import { affectedGateways, onlyStatusChanged } from "../../../shared/pipeline/affected.ts";
import { gatewayStatusIntents } from "../../../shared/pipeline/gateway-statuses.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";
import { pipelineObjects } from "../../fixtures/pipeline-cluster.ts";

const CLUSTER = "c1";
const CONFIG = controllerConfig();
const OWNED = Object.keys(CONFIG.controllers);
const OURS = OWNED[0] ?? "";

/** The fixture's objects with a uid and resourceVersion each, as the API server serves them. */
const objects = pipelineObjects().map((object, index) => ({
  ...object,
  metadata: { ...object.metadata, uid: `uid-${index}`, resourceVersion: String(10 + index) },
}));
const named = (kind: string) => {
  const found = objects.find((o) => o.kind === kind);
  if (found === undefined) throw new Error(`fixture has no ${kind}`);
  return found;
};

/** `object` after a status subresource write: a new resourceVersion, nothing else but `status`. */
function statusWritten(object: KubeObject, status: unknown): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: "99" }, status } as KubeObject;
}

const entry = (gateway: string, accepted: boolean) => ({
  parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway },
  controllerName: OURS,
  conditions: [{ type: "Accepted", status: accepted ? "True" : "False", reason: "Accepted", message: "" }],
});

const affected = (kind: string, before: KubeObject, after: KubeObject) =>
  affectedGateways(CLUSTER, { kind, before, after }, snapshotOf([...objects.filter((o) => o !== before), after]));

describe("status-only changes", () => {
  const route = named("HTTPRoute");
  const gw = clusterGatewayKey(CLUSTER, "apps", "gw");

  it("the echo of a route status write for the Gateway its spec names reconciles nothing", () => {
    const written = statusWritten(route, { parents: [entry("gw", true)] });
    expect(affected("HTTPRoute", route, written)).toEqual(new Set());
    // ...and the next write of that entry, conditions changed, neither.
    const rewritten = statusWritten(written, { parents: [entry("gw", false)] });
    expect(affected("HTTPRoute", written, rewritten)).toEqual(new Set());
  });

  it("the echo changes nothing the Gateway's reconcile computes from the mirror", () => {
    const intents = (routeVersion: KubeObject) => {
      const snapshot = snapshotOf([...objects.filter((o) => o !== route), routeVersion]);
      return gatewayStatusIntents(translate(snapshot, CONFIG, {}), snapshot, parseGatewayKey("apps/gw"), OWNED);
    };
    expect(intents(statusWritten(route, { parents: [entry("gw", true)] }))).toEqual(intents(route));
  });

  it("an entry of ours that appears for a Gateway the spec does not name reaches that Gateway (to clear it)", () => {
    const written = statusWritten(route, { parents: [entry("gw", true), entry("old", true)] });
    expect(affected("HTTPRoute", route, written)).toEqual(new Set([clusterGatewayKey(CLUSTER, "apps", "old")]));
  });

  it("a change beyond the status (a label, the spec) still reaches every Gateway of both versions", () => {
    const before = statusWritten(route, { parents: [entry("gw", true)] });
    const labelled = { ...before, metadata: { ...before.metadata, labels: { team: "x" } } } as KubeObject;
    expect(affected("HTTPRoute", before, labelled)).toEqual(new Set([gw]));
    expect(onlyStatusChanged(before, labelled)).toBe(false);
  });

  it("a Gateway's own status echo reaches no Gateway: a load balancer still provisioning is rechecked instead", () => {
    const gateway = named("Gateway");
    const programmed = statusWritten(gateway, { conditions: [{ type: "Programmed", status: "False" }] });
    expect(onlyStatusChanged(gateway, programmed)).toBe(true);
    expect(affected("Gateway", gateway, programmed)).toEqual(new Set());
  });

  it("a Gateway whose labels or spec changed with its status still reaches it", () => {
    const gateway = named("Gateway");
    const programmed = statusWritten(gateway, { conditions: [{ type: "Programmed", status: "False" }] });
    const labelled = { ...programmed, metadata: { ...programmed.metadata, labels: { team: "x" } } } as KubeObject;
    expect(affected("Gateway", gateway, labelled)).toEqual(new Set([gw]));
  });

  it("another object of the same name (a new uid) is not a status-only change", () => {
    const gateway = named("Gateway");
    const recreated = { ...gateway, metadata: { ...gateway.metadata, uid: "new" } } as KubeObject;
    expect(onlyStatusChanged(gateway, recreated)).toBe(false);
    expect(affected("Gateway", gateway, recreated)).toEqual(new Set([gw]));
  });
});
