// A federated ServiceExport's status on the exporting cluster (shared/lattice/export-status.ts):
// Valid from the export and its Service, Ready from the export's groups as Lattice was left,
// Conflict from the other clusters' exports of the same namespace/name; then what the status writer
// makes of it (observedGeneration, lastTransitionTime kept) and how it travels on the status queue.
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import type { ServiceExport } from "../../../shared/extensions/lattice.ts";
import type { Service } from "../../../shared/k8s/core.ts";
import type { Condition } from "../../../shared/k8s/meta.ts";
import {
  type ExportReconcileResult,
  type ServiceExportStatusInput,
  serviceExportStatus,
} from "../../../shared/lattice/export-status.ts";
import type { LatticeExportModel } from "../../../shared/lattice/model.ts";
import type { ObservedLatticeTargetGroup } from "../../../shared/lattice/observed.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { decodeStatusIntentMessage, encodeStatusIntentMessage } from "../../../shared/pipeline/status-intent.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { decideStatusWrite, type StatusIntent } from "../../../shared/status/writer/decision.ts";
import { statusPath } from "../../../shared/status/writer/resources.ts";
import { translate } from "../../../shared/translate.ts";

const world = (exportedPorts: string, servicePorts = "[{name: http, port: 8080}]", serviceType = "") => `
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: web
  namespace: apps
  generation: 3
  uid: 11111111-2222-3333-4444-555555555555
  annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}
spec:
  exportedPorts: ${exportedPorts}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: ${servicePorts}${serviceType}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.7.0.1]}, {addresses: [10.7.0.2]}]
`;

const HTTP_8080 = "[{port: 8080, routeType: HTTP}]";

interface Parsed {
  serviceExport: ServiceExport;
  service: Service | undefined;
  desired: LatticeExportModel | undefined;
}

function parse(yaml: string, options: { withoutService?: boolean } = {}): Parsed {
  const loaded = loadManifests(yaml, "test.yaml");
  const objects = options.withoutService ? loaded.objects.filter((o) => o.kind !== "Service") : loaded.objects;
  const snapshot = snapshotOf(objects);
  const [serviceExport] = snapshot.serviceExports;
  if (!serviceExport) throw new Error(`no ServiceExport: ${JSON.stringify(loaded.problems)}`);
  const desired = translate(snapshot, controllerConfig(), { clusterId: "east" }).lattice.exports[0];
  return { serviceExport, service: snapshot.services[0], desired };
}

/** Lattice as the reconcile left it: each desired group ACTIVE with every desired target, unless told. */
function groupsAsDesired(
  desired: LatticeExportModel | undefined,
  change: (g: ObservedLatticeTargetGroup) => ObservedLatticeTargetGroup = (g) => g,
): ObservedLatticeTargetGroup[] {
  return (desired?.targetGroups ?? []).map((g) =>
    change({
      id: g.id,
      arn: `arn:aws:vpc-lattice:us-east-1:111122223333:targetgroup/tg-${g.id.length}`,
      name: g.name,
      protocol: g.protocol,
      port: g.port,
      status: "ACTIVE",
      targets: g.targets.map((t) => ({ ...t })),
    }),
  );
}

function statusOf(parsed: Parsed, result?: ExportReconcileResult, peers?: ServiceExportStatusInput["peers"]) {
  return serviceExportStatus({
    serviceExport: parsed.serviceExport,
    service: parsed.service,
    desired: parsed.desired,
    result: result ?? { kind: "observed", groups: groupsAsDesired(parsed.desired) },
    ...(peers ? { peers } : {}),
  });
}

function conditionOf(conditions: readonly Condition[], type: string): Condition {
  const found = conditions.find((c) => c.type === type);
  if (!found) throw new Error(`no ${type} condition in ${JSON.stringify(conditions)}`);
  return found;
}

describe("Valid: the Service exists and every exported port is one of its ports", () => {
  it("is True (Valid) for an exported port the Service has, and names the ports exported", () => {
    const valid = conditionOf(statusOf(parse(world(HTTP_8080))).conditions, "Valid");
    expect(valid).toEqual({
      type: "Valid",
      status: "True",
      reason: "Valid",
      message: "Service apps/web exports port(s) 8080/HTTP",
      observedGeneration: 3,
    });
  });

  it("is False (NoService) when the Service does not exist", () => {
    const valid = conditionOf(statusOf(parse(world(HTTP_8080), { withoutService: true })).conditions, "Valid");
    expect(valid).toMatchObject({ status: "False", reason: "NoService", message: "Service apps/web not found" });
  });

  it("is False (InvalidServiceType) for an ExternalName Service", () => {
    const parsed = parse(
      world(HTTP_8080, "[{name: http, port: 8080}]", ", type: ExternalName, externalName: x.example"),
    );
    expect(conditionOf(statusOf(parsed).conditions, "Valid")).toMatchObject({
      status: "False",
      reason: "InvalidServiceType",
      message: "Service apps/web is of type ExternalName: it has no endpoints to register as targets",
    });
  });

  it("is False (PortNotFound) naming the exported port and the Service's ports", () => {
    const parsed = parse(world("[{port: 8080, routeType: HTTP}, {port: 9090, routeType: GRPC}]"));
    expect(conditionOf(statusOf(parsed).conditions, "Valid")).toMatchObject({
      status: "False",
      reason: "PortNotFound",
      message: "spec.exportedPorts[1]: port 9090 is not a port of Service apps/web (its ports: 8080)",
    });
  });

  it("is False (NoExportedPorts) when spec.exportedPorts is empty", () => {
    expect(conditionOf(statusOf(parse(world("[]"))).conditions, "Valid")).toMatchObject({
      status: "False",
      reason: "NoExportedPorts",
    });
  });

  /** The CRD's enum refuses another routeType at the API server; a CRD with an open schema does not. */
  function withRouteType(parsed: Parsed, index: number, routeType: string): Parsed {
    const ports = parsed.serviceExport.spec?.exportedPorts ?? [];
    const port = ports[index];
    if (!port) throw new Error(`no exportedPorts[${index}]`);
    ports[index] = { ...port, routeType: routeType as "HTTP" };
    return parsed;
  }

  it("is False (UnsupportedRouteType) for a routeType that is not HTTP, GRPC or TLS", () => {
    const parsed = withRouteType(parse(world(HTTP_8080)), 0, "UDP");
    expect(conditionOf(statusOf(parsed).conditions, "Valid")).toMatchObject({
      status: "False",
      reason: "UnsupportedRouteType",
      message: 'spec.exportedPorts[0]: routeType "UDP" is not one of HTTP, GRPC, TLS',
    });
  });

  it("is False (DuplicatePort) for a port listed twice with the same routeType", () => {
    const parsed = parse(world("[{port: 8080, routeType: HTTP}, {port: 8080, routeType: HTTP}]"));
    expect(conditionOf(statusOf(parsed).conditions, "Valid")).toMatchObject({
      status: "False",
      reason: "DuplicatePort",
      message: "spec.exportedPorts[1]: port 8080 with routeType HTTP is listed twice",
    });
  });

  it("names every faulty port, under the first one's reason", () => {
    const parsed = withRouteType(
      parse(world("[{port: 7070, routeType: HTTP}, {port: 8080, routeType: HTTP}]")),
      1,
      "UDP",
    );
    const valid = conditionOf(statusOf(parsed).conditions, "Valid");
    expect(valid.reason).toBe("PortNotFound");
    expect(valid.message).toContain("spec.exportedPorts[0]: port 7070");
    expect(valid.message).toContain('spec.exportedPorts[1]: routeType "UDP"');
  });
});

describe("Ready: every group exists, is ACTIVE and holds every target", () => {
  it("is True (Exported) with each group's name and target count", () => {
    const parsed = parse(world(HTTP_8080));
    const ready = conditionOf(statusOf(parsed).conditions, "Ready");
    expect(ready).toMatchObject({ status: "True", reason: "Exported", observedGeneration: 3 });
    expect(ready.message).toBe(`target group(s) ${parsed.desired?.targetGroups[0]?.name} (2 target(s)) ACTIVE`);
  });

  it("is False (Pending) while a group is not created yet", () => {
    const parsed = parse(world(HTTP_8080));
    const ready = conditionOf(statusOf(parsed, { kind: "observed", groups: [] }).conditions, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Pending" });
    expect(ready.message).toContain("not created yet");
  });

  it("is False (Pending) while a group is CREATE_IN_PROGRESS", () => {
    const parsed = parse(world(HTTP_8080));
    const groups = groupsAsDesired(parsed.desired, (g) => ({ ...g, status: "CREATE_IN_PROGRESS", targets: [] }));
    const ready = conditionOf(statusOf(parsed, { kind: "observed", groups }).conditions, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Pending" });
    expect(ready.message).toContain("(CREATE_IN_PROGRESS) are ACTIVE");
  });

  it("is False (Pending) while some targets are not registered, with how many are", () => {
    const parsed = parse(world(HTTP_8080));
    const groups = groupsAsDesired(parsed.desired, (g) => ({ ...g, targets: g.targets.slice(0, 1) }));
    const ready = conditionOf(statusOf(parsed, { kind: "observed", groups }).conditions, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Pending" });
    expect(ready.message).toContain("(1 of 2)");
  });

  it("is False (Failed) for a group Lattice failed to create", () => {
    const parsed = parse(world(HTTP_8080));
    const groups = groupsAsDesired(parsed.desired, (g) => ({ ...g, status: "CREATE_FAILED" }));
    expect(conditionOf(statusOf(parsed, { kind: "observed", groups }).conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "Failed",
    });
  });

  it("is False (Failed) with AWS's error when an operation was refused, and says whether it is retried", () => {
    const parsed = parse(world(HTTP_8080));
    const refused: ExportReconcileResult = {
      kind: "failed",
      operation: "CreateTargetGroup",
      code: "ServiceQuotaExceeded",
      message: "target group quota reached",
      retryable: false,
    };
    expect(conditionOf(statusOf(parsed, refused).conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "Failed",
      message: "CreateTargetGroup failed: ServiceQuotaExceeded: target group quota reached",
    });
    const throttled = { ...refused, code: "ThrottlingException", retryable: true };
    expect(conditionOf(statusOf(parsed, throttled).conditions, "Ready").message).toMatch(/; switchyard retries$/);
  });

  it("is False (Failed) when VPC Lattice is not configured", () => {
    const ready = conditionOf(statusOf(parse(world(HTTP_8080)), { kind: "unconfigured" }).conditions, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "Failed" });
    expect(ready.message).toContain("VPC Lattice is not configured");
  });

  it("is False (NoReadyEndpoints) for an ACTIVE group the Service gives no target", () => {
    const parsed = parse(world(HTTP_8080).replace(/endpoints: \[.*\]/, "endpoints: []"));
    expect(conditionOf(statusOf(parsed).conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "NoReadyEndpoints",
    });
  });

  it("is False (Pending) when no group is wanted (nothing valid to export)", () => {
    expect(conditionOf(statusOf(parse(world("[]"))).conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "Pending",
      message: "no target group to export (see Valid)",
    });
  });
});

describe("Conflict: another cluster exports the same port under another routeType", () => {
  it("is absent when the other clusters' exports are not known", () => {
    expect(statusOf(parse(world(HTTP_8080))).conditions.map((c) => c.type)).toEqual(["Valid", "Ready"]);
  });

  it("is False (NoConflicts) when the peers export the port with the same routeType, or other ports", () => {
    const peers = [
      { clusterId: "west", ports: [{ port: 8080, routeType: "HTTP" }] },
      { clusterId: "south", ports: [{ port: 9090, routeType: "GRPC" }] },
    ];
    expect(conditionOf(statusOf(parse(world(HTTP_8080)), undefined, peers).conditions, "Conflict")).toMatchObject({
      status: "False",
      reason: "NoConflicts",
      message: "no conflict with the export(s) of cluster(s) west, south",
    });
  });

  it("is True (PortConflict) naming the port, both routeTypes and the other cluster", () => {
    const peers = [{ clusterId: "west", ports: [{ port: 8080, routeType: "GRPC" }] }];
    const conflict = conditionOf(statusOf(parse(world(HTTP_8080)), undefined, peers).conditions, "Conflict");
    expect(conflict).toMatchObject({ status: "True", reason: "PortConflict" });
    expect(conflict.message).toContain("port 8080 is exported as HTTP here but as GRPC by cluster west");
  });
});

describe("the status as written", () => {
  const identity = (parsed: Parsed) => ({
    observedGeneration: parsed.serviceExport.metadata.generation ?? 0,
    uid: parsed.serviceExport.metadata.uid ?? "",
  });

  it("goes to the ServiceExport's status subresource in application-networking.k8s.aws/v1alpha1", () => {
    expect(statusPath({ kind: "ServiceExport", namespace: "apps", name: "web" })).toBe(
      "/apis/application-networking.k8s.aws/v1alpha1/namespaces/apps/serviceexports/web/status",
    );
  });

  it("keeps another controller's conditions, and a condition's lastTransitionTime while its status holds", () => {
    const parsed = parse(world(HTTP_8080));
    const intent: StatusIntent = { ...statusOf(parsed, { kind: "observed", groups: [] }), ...identity(parsed) };
    const theirs = {
      type: "Exported",
      status: "True",
      reason: "X",
      message: "",
      lastTransitionTime: "2026-01-01T00:00:00Z",
    };
    const first = decideStatusWrite(
      intent,
      { resourceVersion: "1", uid: identity(parsed).uid, status: { conditions: [theirs] } },
      "2026-02-01T00:00:00Z",
    );
    if (!first.write) throw new Error("expected a write");
    const written = first.status.conditions as Condition[];
    expect(written.map((c) => c.type)).toEqual(["Valid", "Ready", "Exported"]);
    expect(conditionOf(written, "Ready").lastTransitionTime).toBe("2026-02-01T00:00:00Z");

    // Ready flips, Valid holds: only Ready's lastTransitionTime moves.
    const ready: StatusIntent = { ...statusOf(parsed), ...identity(parsed) };
    const second = decideStatusWrite(
      ready,
      { resourceVersion: "2", uid: identity(parsed).uid, status: first.status },
      "2026-03-01T00:00:00Z",
    );
    if (!second.write) throw new Error("expected a write");
    const after = second.status.conditions as Condition[];
    expect(conditionOf(after, "Valid").lastTransitionTime).toBe("2026-02-01T00:00:00Z");
    expect(conditionOf(after, "Ready")).toMatchObject({ status: "True", lastTransitionTime: "2026-03-01T00:00:00Z" });
    expect(decideStatusWrite(ready, { resourceVersion: "3", status: second.status }, "2026-04-01T00:00:00Z")).toEqual({
      write: false,
      reason: "unchanged",
    });
  });

  it("is refused for a ServiceExport since replaced by another of the same name", () => {
    const parsed = parse(world(HTTP_8080));
    const intent: StatusIntent = { ...statusOf(parsed), ...identity(parsed) };
    expect(
      decideStatusWrite(intent, { resourceVersion: "9", uid: "another-uid", status: {} }, "2026-01-01T00:00:00Z"),
    ).toEqual({ write: false, reason: "stale" });
  });

  it("crosses the status queue intact, and a ServiceExport intent without a namespace is refused", () => {
    const parsed = parse(world(HTTP_8080));
    const intent: StatusIntent = { ...statusOf(parsed), ...identity(parsed) };
    const decoded = decodeStatusIntentMessage(
      encodeStatusIntentMessage({ version: 1, cluster: "east", intents: [intent] }),
    );
    expect(decoded).toEqual({ ok: true, message: { version: 1, cluster: "east", intents: [intent] } });
    const { namespace: _, ...bare } = intent as StatusIntent & { namespace: string };
    expect(
      decodeStatusIntentMessage(
        encodeStatusIntentMessage({ version: 1, cluster: "east", intents: [bare as StatusIntent] }),
      ),
    ).toEqual({ ok: false, reason: "intents[0].namespace: expected a string" });
  });
});
