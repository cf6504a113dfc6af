/**
 * A simulated cluster for one conformance test: the objects the suite would have created, the
 * API server's bookkeeping (defaults, validation, generation, creationTimestamp), the pods behind
 * Deployments with their IPs, the EndpointSlice controller, and switchyard reconciling it all —
 * translate, then write every status back into the objects, where the suite's helpers read it.
 *
 * No AWS: every Gateway switchyard owns gets a DataPlaneObservation saying its load balancer (or
 * service network) is active at `<gateway-name><suffix>` (`.elb.example` for ALB).
 */
import type { ControllerConfig } from "../../../shared/config.ts";
import type { GatewayStatus, RouteStatus } from "../../../shared/gateway-api/types.ts";
import type { EndpointSlice, Service } from "../../../shared/k8s/core.ts";
import { SERVICE_NAME_LABEL } from "../../../shared/k8s/core.ts";
import type { Condition, KubeObject } from "../../../shared/k8s/meta.ts";
import { applyDefaults } from "../../../shared/manifest/defaults.ts";
import { formatProblem } from "../../../shared/manifest/problem.ts";
import { validateObject } from "../../../shared/manifest/validate.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import type { DataPlaneObservation, StatusUpdate } from "../../../shared/status/compute.ts";
import { mergeConditions, mergeRouteParents } from "../../../shared/status/merge.ts";
import { type Translation, translate } from "../../../shared/translate.ts";

/** A pod of a Deployment from the manifests: the echo server answering with its name and namespace. */
export interface Pod {
  name: string;
  namespace: string;
  ip: string;
  labels: Record<string, string>;
  /** Container port numbers by name, for Services whose targetPort is a name. */
  ports: Record<string, number>;
  /** Literal container environment values (the UDP echo server reports SERVICE_NAME). */
  env?: Record<string, string>;
}

export const ADDRESS_SUFFIX = ".elb.example";

/** The Gateway's synthetic load balancer DNS name. */
export function syntheticAddress(gatewayName: string, suffix: string = ADDRESS_SUFFIX): string {
  return `${gatewayName}${suffix}`;
}

export class AdmissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdmissionError";
  }
}

const CLUSTER_SCOPED = new Set(["GatewayClass", "Namespace"]);

export function objectId(kind: string, namespace: string | undefined, name: string): string {
  return CLUSTER_SCOPED.has(kind) ? `${kind}/${name}` : `${kind}/${namespace ?? "default"}/${name}`;
}

function idOf(object: KubeObject): string {
  return objectId(object.kind, object.metadata.namespace, object.metadata.name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A base time for creationTimestamps: one second per object, in the order the suite creates them. */
const EPOCH = Date.parse("2026-01-01T00:00:00Z");

export class SimulatedCluster {
  readonly #objects = new Map<string, KubeObject>();
  readonly #pods: Pod[] = [];
  readonly #config: ControllerConfig;
  #created = 0;
  #clock = 0;
  #translation: Translation | undefined;

  readonly #addressSuffix: string;

  constructor(config: ControllerConfig, addressSuffix: string = ADDRESS_SUFFIX) {
    this.#config = config;
    this.#addressSuffix = addressSuffix;
  }

  /** GatewayClasses whose controllerName this control plane owns. */
  #ownedClasses(): Set<string> {
    const owned = this.list("GatewayClass").filter((c) => {
      const controller = (c.spec as { controllerName?: string } | undefined)?.controllerName ?? "";
      return this.#config.controllers[controller] !== undefined;
    });
    return new Set(owned.map((c) => c.metadata.name));
  }

  get pods(): readonly Pod[] {
    return this.#pods;
  }

  addPod(pod: Omit<Pod, "ip">): Pod {
    const n = this.#pods.length + 1;
    const created = { ...pod, ip: `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}` };
    this.#pods.push(created);
    this.#translation = undefined;
    return created;
  }

  podByIp(ip: string): Pod | undefined {
    return this.#pods.find((p) => p.ip === ip);
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(objectId(kind, namespace, name));
  }

  list(kind: string, namespace?: string): KubeObject[] {
    return [...this.#objects.values()].filter(
      (o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace),
    );
  }

  /**
   * The API server's create: defaults, validation, then uid, generation 1 and a creationTimestamp.
   * `alreadyAdmitted` skips defaults and validation for objects loadManifests produced.
   */
  create(object: KubeObject, alreadyAdmitted = false): KubeObject {
    const id = idOf(object);
    if (this.#objects.has(id)) throw new AdmissionError(`${id} already exists`);
    const admitted = alreadyAdmitted ? object : this.#admit(object);
    admitted.metadata = {
      ...admitted.metadata,
      uid: `uid-${this.#created + 1}`,
      generation: 1,
      creationTimestamp: new Date(EPOCH + 1000 * this.#created).toISOString().replace(".000Z", "Z"),
    };
    this.#created++;
    this.#objects.set(id, admitted);
    this.#translation = undefined;
    return admitted;
  }

  /** A change to an existing object; spec changes bump the generation as the API server does. */
  replace(object: KubeObject, specChanged: boolean): KubeObject {
    const id = idOf(object);
    const existing = this.#objects.get(id);
    if (!existing) throw new AdmissionError(`${id} not found`);
    const admitted = this.#admit(object);
    admitted.metadata = {
      ...admitted.metadata,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      generation: (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    };
    admitted.status = existing.status;
    this.#objects.set(id, admitted);
    this.#translation = undefined;
    return admitted;
  }

  delete(kind: string, namespace: string | undefined, name: string): boolean {
    const deleted = this.#objects.delete(objectId(kind, namespace, name));
    if (deleted) this.#translation = undefined;
    return deleted;
  }

  #admit(object: KubeObject): KubeObject {
    const defaulted = applyDefaults(object, { channel: "experimental" });
    const problems = validateObject(defaulted, { channel: "experimental" });
    if (problems.length > 0) {
      throw new AdmissionError(`refused by the API server: ${problems.map(formatProblem).join("; ")}`);
    }
    return defaulted;
  }

  /** switchyard's view of the cluster, reconciled: translation plus statuses written back. */
  reconcile(): Translation {
    if (this.#translation) return this.#translation;
    const objects = [...this.#objects.values()];
    const snapshot = snapshotOf([...objects, ...this.#endpointSlices()]);
    const owned = this.#ownedClasses();
    const observations = new Map<string, DataPlaneObservation>();
    for (const gw of this.list("Gateway")) {
      const className = (gw.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName ?? "";
      if (!owned.has(className)) continue;
      observations.set(`${gw.metadata.namespace}/${gw.metadata.name}`, {
        programmed: true,
        address: syntheticAddress(gw.metadata.name, this.#addressSuffix),
      });
    }
    const translation = translate(snapshot, this.#config, { clusterId: "conformance", observations });
    this.#clock++;
    const now = new Date(EPOCH + 1_000_000_000 + 1000 * this.#clock).toISOString().replace(".000Z", "Z");
    for (const update of translation.statuses) this.#writeStatus(update, now);
    this.#translation = translation;
    return translation;
  }

  #writeStatus(update: StatusUpdate, now: string): void {
    const namespace = "namespace" in update ? update.namespace : undefined;
    const object = this.#objects.get(objectId(update.kind, namespace, update.name));
    if (!object) return;
    const existing = isRecord(object.status) ? object.status : {};
    const existingConditions = Array.isArray(existing.conditions) ? (existing.conditions as Condition[]) : undefined;
    let status: unknown;
    switch (update.kind) {
      case "GatewayClass": {
        const gatewayClass = update as Extract<StatusUpdate, { kind: "GatewayClass" }>;
        status = { ...existing, conditions: mergeConditions(gatewayClass.conditions, existingConditions, now) };
        break;
      }
      case "Gateway": {
        const gateway = update as Extract<StatusUpdate, { kind: "Gateway" }>;
        const next: GatewayStatus = {
          ...existing,
          addresses: gateway.addresses,
          conditions: mergeConditions(gateway.conditions, existingConditions, now),
          listeners: gateway.listeners.map((l) => ({
            ...l,
            conditions: mergeConditions(l.conditions, undefined, now),
          })),
          attachedListenerSets: gateway.attachedListenerSets,
        };
        status = next;
        break;
      }
      case "ListenerSet": {
        const set = update as Extract<StatusUpdate, { kind: "ListenerSet" }>;
        status = {
          ...existing,
          conditions: mergeConditions(set.conditions, existingConditions, now),
          listeners: set.listeners.map((l) => ({ ...l, conditions: mergeConditions(l.conditions, undefined, now) })),
        };
        break;
      }
      case "HTTPRoute":
      case "GRPCRoute":
      case "TCPRoute":
      case "UDPRoute":
      case "TLSRoute": {
        const route = update as Extract<StatusUpdate, { parents: unknown }>;
        status = mergeRouteParents(object.status as RouteStatus | undefined, route.parents, route.controllerNames, now);
        break;
      }
      default:
        if ("status" in update) status = update.status;
    }
    // The API server serves the status with its schema defaults (address type, parentRef group).
    const served = applyDefaults({ ...object, status }, { channel: "experimental" });
    this.#objects.set(idOf(object), { ...object, status: served.status });
  }

  /**
   * The EndpointSlice controller: one slice per Service with a selector, holding every pod the
   * selector matches, ready. Services without a selector keep the slices their manifests create.
   */
  #endpointSlices(): EndpointSlice[] {
    const slices: EndpointSlice[] = [];
    for (const object of this.list("Service")) {
      const service = object as Service;
      const selector = service.spec?.selector;
      if (!selector || Object.keys(selector).length === 0) continue;
      const namespace = service.metadata.namespace ?? "default";
      const pods = this.#pods.filter(
        (p) => p.namespace === namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v),
      );
      const ports = service.spec?.ports ?? [];
      // A named targetPort resolves per pod; the harness's pods of one Service agree on numbers.
      const portOf = (p: (typeof ports)[number]): number =>
        typeof p.targetPort === "number"
          ? p.targetPort
          : typeof p.targetPort === "string"
            ? (pods.map((pod) => pod.ports[String(p.targetPort)]).find((n) => n !== undefined) ?? p.port)
            : p.port;
      slices.push({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: `${service.metadata.name}-synthetic`,
          namespace,
          labels: { [SERVICE_NAME_LABEL]: service.metadata.name },
        },
        addressType: "IPv4",
        endpoints: pods.map((p) => ({
          addresses: [p.ip],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: "Pod", name: p.name, namespace: p.namespace },
        })),
        ports: ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          port: portOf(p),
          protocol: p.protocol ?? "TCP",
          ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
        })),
      });
    }
    return slices;
  }
}
