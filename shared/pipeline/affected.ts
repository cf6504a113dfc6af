/**
 * The reverse index: which Gateways must reconcile when one object changes. Pure: the old and new
 * version of the object and the mirrored objects (after the change) in, Gateway keys out.
 *
 * It may over-approximate (an extra reconcile costs DynamoDB reads and, when nothing changed, no
 * AWS call), never under-approximate (a missed Gateway keeps a stale load balancer until the next
 * resync). So every dependency the core's graph has on an object is followed from both versions,
 * and references are matched by name without checking whether they would resolve; the property test
 * in test/unit/pipeline/affected-soundness.test.ts checks this against `translate` itself.
 */
import type { TargetGroupConfiguration } from "../extensions/aws-lbc.ts";
import { LATTICE_FEDERATION, LatticeAnnotation, type LatticePolicy } from "../extensions/lattice.ts";
import {
  type BackendTLSPolicy,
  GATEWAY_GROUP,
  type Gateway,
  type ListenerSet,
  type ParentReference,
  type ReferenceGrant,
  ROUTE_KINDS,
  type Route,
  type SecretObjectReference,
} from "../gateway-api/types.ts";
import { type EndpointSlice, SERVICE_NAME_LABEL } from "../k8s/core.ts";
import type { KubeObject } from "../k8s/meta.ts";
import { type ClusterGatewayKey, clusterGatewayKey, InvalidGatewayKey } from "../keys.ts";
import { exportUnitKey } from "../lattice/exports.ts";
import type { Snapshot } from "../snapshot.ts";

/** One object's change: `before` absent for a create, `after` absent for a delete. */
export interface ObjectChange {
  kind: string;
  before?: KubeObject;
  after?: KubeObject;
}

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);
/** Backend kinds a route may name that are mirrored objects of their own. */
const BACKEND_KINDS: ReadonlySet<string> = new Set(["Service", "ServiceImport"]);

/**
 * Whether `before` and `after` are the same object differing in nothing but `status` and
 * `metadata.resourceVersion` (a status subresource write; `generation` moves only with the spec,
 * and labels and annotations, which the core does read, move neither).
 */
export function onlyStatusChanged(before: KubeObject, after: KubeObject): boolean {
  if (before.metadata.uid !== after.metadata.uid) return false;
  const rest = (object: KubeObject) => {
    const { status: _status, metadata, ...others } = object as KubeObject & { status?: unknown };
    const { resourceVersion: _rv, ...identity } = metadata;
    return canonicalJson({ ...others, metadata: identity });
  };
  return rest(before) === rest(after);
}

/** JSON with object keys sorted: equal values give equal text whatever the key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry !== null && typeof entry === "object" && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : entry,
  );
}

/** The Gateways (of `cluster`) whose translation may differ because of `change`. */
export function affectedGateways(cluster: string, change: ObjectChange, world: Snapshot): Set<ClusterGatewayKey> {
  const index = new AffectedIndex(cluster, world);
  // A Gateway's, ServiceExport's or Lattice policy's status changed alone: no translation reads it
  // (WRITTEN_STATUS_KINDS).
  if (onlyWrittenStatus(change)) return index.found;
  const { before, after } = change;
  // A route's status, which switchyard writes, comes back through the forwarder (a new
  // resourceVersion, the same generation): only what the core reads of it may reach a Gateway.
  if (
    ROUTE_KIND_SET.has(change.kind) &&
    before !== undefined &&
    after !== undefined &&
    onlyStatusChanged(before, after)
  ) {
    index.routeStatusChanged(before as Route, after as Route);
    return index.found;
  }
  for (const object of [change.before, change.after]) {
    if (object !== undefined) index.followObject(change.kind, object);
  }
  return index.found;
}

/**
 * The ServiceExport units (shared/lattice/exports.ts) of `cluster` whose VPC Lattice target groups
 * may differ because of `change`: a federated ServiceExport itself (either version: one that loses
 * the annotation or goes has groups to delete), and the federated export of a changed Service, of
 * a changed EndpointSlice's Service, or that a changed TargetGroupPolicy targets. `world` needs
 * only the ServiceExports of those names (affected-world.ts loads them).
 */
export function affectedLatticeExports(
  cluster: string,
  change: ObjectChange,
  world: Pick<Snapshot, "serviceExports">,
): Set<ClusterGatewayKey> {
  const found = new Set<ClusterGatewayKey>();
  // Its own status written (the unit's reconcile did it): nothing the translation reads changed, and
  // a reconcile for it would write the status again wherever the CRD prunes part of it: a loop.
  if (onlyWrittenStatus(change)) return found;
  const add = (namespace: string, name: string) => {
    try {
      found.add(exportUnitKey(cluster, namespace, name));
    } catch (error) {
      if (!(error instanceof InvalidGatewayKey)) throw error;
    }
  };
  const federated = (object: KubeObject) =>
    object.metadata.annotations?.[LatticeAnnotation.federation] === LATTICE_FEDERATION;
  const exported = (namespace: string, name: string) => {
    if (world.serviceExports.some((e) => namespaceOf(e) === namespace && e.metadata.name === name && federated(e)))
      add(namespace, name);
  };
  for (const object of [change.before, change.after]) {
    if (object === undefined) continue;
    const namespace = namespaceOf(object);
    switch (change.kind) {
      case "ServiceExport":
        if (federated(object)) add(namespace, object.metadata.name);
        break;
      case "Service":
        exported(namespace, object.metadata.name);
        break;
      case "EndpointSlice": {
        const service = (object as EndpointSlice).metadata.labels?.[SERVICE_NAME_LABEL];
        if (service !== undefined) exported(namespace, service);
        break;
      }
      case "TargetGroupPolicy": {
        const ref = referenceOf((object as LatticePolicy).spec?.targetRef);
        if (ref?.kind === "ServiceExport" || ref?.kind === "Service") exported(ref.namespace ?? namespace, ref.name);
        break;
      }
    }
  }
  return found;
}

/**
 * Kinds whose status is written by switchyard (shared/lattice/policy-status.ts, export-status.ts)
 * and read by no translation: a change of their status alone (switchyard's own write, most often)
 * reconciles nothing. Without this, a CRD that prunes part of what is written would make write and
 * reconcile loop.
 */
const WRITTEN_STATUS_KINDS: ReadonlySet<string> = new Set([
  // The core reads nothing of a Gateway's status; a load balancer still provisioning is re-read by
  // the recheck its reconcile sent (settle-recheck.ts), not by the echo of the status it wrote.
  "Gateway",
  "ServiceExport",
  "TargetGroupPolicy",
  "VpcAssociationPolicy",
  "AccessLogPolicy",
  "IAMAuthPolicy",
]);

function onlyWrittenStatus(change: ObjectChange): boolean {
  return (
    WRITTEN_STATUS_KINDS.has(change.kind) &&
    change.before !== undefined &&
    change.after !== undefined &&
    onlyStatusChanged(change.before, change.after)
  );
}

/**
 * The Gateways of `cluster` whose routes import ServiceExport `namespace/name` of another cluster:
 * a ServiceImport backend of that name, or one whose `export-name` annotation names it. They
 * reconcile when the exporter's groups appear or go, to forward to (or stop forwarding to) them.
 */
export function gatewaysImporting(
  cluster: string,
  namespace: string,
  name: string,
  world: Snapshot,
): Set<ClusterGatewayKey> {
  const importNames = new Set([name]);
  for (const i of world.serviceImports) {
    if (namespaceOf(i) === namespace && i.metadata.annotations?.[LatticeAnnotation.exportName] === name)
      importNames.add(i.metadata.name);
  }
  const index = new AffectedIndex(cluster, world);
  index.routesImporting(namespace, importNames);
  return index.found;
}

function namespaceOf(object: KubeObject): string {
  return object.metadata.namespace ?? "default";
}

function isGatewayRef(ref: { group?: string; kind?: string }): boolean {
  return (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? "Gateway") === "Gateway";
}

/** Every reference a route's rules make: backends (including mirrors) and extension filters. */
export function routeReferences(route: Route): { group: string; kind: string; namespace: string; name: string }[] {
  const namespace = namespaceOf(route);
  const refs: { group: string; kind: string; namespace: string; name: string }[] = [];
  const backend = (ref: { group?: string; kind?: string; namespace?: string; name: string }) =>
    refs.push({
      group: ref.group ?? "",
      kind: ref.kind ?? "Service",
      namespace: ref.namespace ?? namespace,
      name: ref.name,
    });
  const filters = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const filter of list as {
      requestMirror?: { backendRef?: { name: string } };
      extensionRef?: { group: string; kind: string; name: string };
    }[]) {
      if (filter.requestMirror?.backendRef) backend(filter.requestMirror.backendRef);
      if (filter.extensionRef) refs.push({ ...filter.extensionRef, namespace });
    }
  };
  for (const rule of route.spec?.rules ?? []) {
    for (const ref of rule.backendRefs ?? []) {
      backend(ref);
      filters((ref as { filters?: unknown }).filters);
    }
    filters((rule as { filters?: unknown }).filters);
  }
  return refs;
}

/**
 * The backends (Service or ServiceImport, by namespace and name) a route's rules name: what the
 * backend index (shared/mirror/backend-index.ts) files the route under.
 */
export function routeBackends(route: Route): { namespace: string; name: string }[] {
  const seen = new Map<string, { namespace: string; name: string }>();
  for (const ref of routeReferences(route)) {
    if (BACKEND_KINDS.has(ref.kind))
      seen.set(`${ref.namespace}/${ref.name}`, { namespace: ref.namespace, name: ref.name });
  }
  return [...seen.values()];
}

function certificateRefs(listeners: readonly { tls?: { certificateRefs?: SecretObjectReference[] } }[] | undefined) {
  return (listeners ?? []).flatMap((listener) => listener.tls?.certificateRefs ?? []);
}

function selectsNamespacesByLabel(
  listeners: readonly { allowedRoutes?: { namespaces?: { from?: string } } }[] | undefined,
): boolean {
  return (listeners ?? []).some((listener) => listener.allowedRoutes?.namespaces?.from === "Selector");
}

class AffectedIndex {
  readonly found = new Set<ClusterGatewayKey>();
  readonly #cluster: string;
  readonly #world: Snapshot;

  constructor(cluster: string, world: Snapshot) {
    this.#cluster = cluster;
    this.#world = world;
  }

  followObject(kind: string, object: KubeObject): void {
    const namespace = namespaceOf(object);
    const name = object.metadata.name;
    if (ROUTE_KIND_SET.has(kind)) {
      this.#route(object as Route);
      return;
    }
    switch (kind) {
      case "Gateway":
        this.#add(namespace, name);
        return;
      case "ListenerSet":
        this.#listenerSet(object as ListenerSet);
        return;
      case "GatewayClass":
        for (const gateway of this.#world.gateways) {
          if (gateway.spec?.gatewayClassName === name) this.#add(namespaceOf(gateway), gateway.metadata.name);
        }
        return;
      case "Service":
      case "ServiceImport":
      case "ServiceExport":
        this.#backend(namespace, name);
        return;
      case "EndpointSlice": {
        const service = (object as EndpointSlice).metadata.labels?.[SERVICE_NAME_LABEL];
        if (service !== undefined) this.#backend(namespace, service);
        return;
      }
      case "ReferenceGrant":
        this.#referenceGrant(object as ReferenceGrant);
        return;
      case "Namespace":
        this.#namespaceLabels();
        return;
      case "Node":
        this.#instanceTargetGroups();
        return;
      case "Secret":
        this.#secret(namespace, name);
        return;
      case "BackendTLSPolicy":
        for (const target of (object as BackendTLSPolicy).spec?.targetRefs ?? []) this.#backend(namespace, target.name);
        return;
      case "TargetGroupConfiguration":
        this.#targetGroupConfiguration(object as TargetGroupConfiguration);
        return;
      case "ListenerRuleConfiguration":
        this.#routesReferencing((ref) => ref.kind === kind && ref.namespace === namespace && ref.name === name);
        return;
      case "LoadBalancerConfiguration":
        this.#loadBalancerConfiguration(namespace, name);
        return;
      case "TargetGroupPolicy":
      case "VpcAssociationPolicy":
      case "AccessLogPolicy":
      case "IAMAuthPolicy":
        this.#latticePolicy(object as LatticePolicy);
        return;
    }
  }

  /**
   * A change of nothing but a route's status. The core reads of it only which parents its entries
   * name (a reconcile clears its own entries from routes that no longer name its Gateway), not their
   * conditions. So only an entry that appeared for a parent the spec does not name matters: that
   * Gateway's reconcile must clear it. An entry for a parent the spec names changes nothing (the
   * Gateway's reconcile covers the route anyway: the echo of switchyard's own write), and a
   * vanished entry leaves nothing to clear.
   */
  routeStatusChanged(before: Route, after: Route): void {
    const namespace = namespaceOf(after);
    const parentKey = (ref: ParentReference) =>
      `${ref.group ?? GATEWAY_GROUP}/${ref.kind ?? "Gateway"}/${ref.namespace ?? namespace}/${ref.name}`;
    const named = new Set((after.spec?.parentRefs ?? []).map(parentKey));
    const entryKey = (entry: { controllerName: string; parentRef: ParentReference }) =>
      `${entry.controllerName} ${parentKey(entry.parentRef)}`;
    const had = new Set((before.status?.parents ?? []).map(entryKey));
    const appeared = (after.status?.parents ?? []).filter(
      (entry) => !had.has(entryKey(entry)) && !named.has(parentKey(entry.parentRef)),
    );
    if (appeared.length === 0) return;
    this.#route({ ...after, spec: { ...after.spec, parentRefs: [] }, status: { parents: appeared } } as Route);
  }

  /** Routes with a ServiceImport backend named one of `names` in `namespace`. */
  routesImporting(namespace: string, names: ReadonlySet<string>): void {
    this.#routesReferencing(
      (ref) => ref.kind === "ServiceImport" && ref.namespace === namespace && names.has(ref.name),
    );
  }

  #add(namespace: string, name: string): void {
    try {
      this.found.add(clusterGatewayKey(this.#cluster, namespace, name));
    } catch (error) {
      // A reference to a name no Gateway can have resolves to nothing: nothing to reconcile.
      if (!(error instanceof InvalidGatewayKey)) throw error;
    }
  }

  #listenerSet(set: ListenerSet): void {
    const ref = set.spec?.parentRef;
    if (ref && isGatewayRef(ref)) this.#add(ref.namespace ?? namespaceOf(set), ref.name);
  }

  /** A route's Gateways: spec parentRefs and the parents its status names (where it was attached). */
  #route(route: Route): void {
    const namespace = namespaceOf(route);
    const parents: ParentReference[] = [
      ...(route.spec?.parentRefs ?? []),
      ...(route.status?.parents ?? []).map((parent) => parent.parentRef),
    ];
    for (const ref of parents) {
      const parentNamespace = ref.namespace ?? namespace;
      if (isGatewayRef(ref)) this.#add(parentNamespace, ref.name);
      else if ((ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && ref.kind === "ListenerSet") {
        for (const set of this.#world.listenerSets) {
          if (namespaceOf(set) === parentNamespace && set.metadata.name === ref.name) this.#listenerSet(set);
        }
      }
    }
  }

  #routesReferencing(
    matches: (ref: { group: string; kind: string; namespace: string; name: string }) => boolean,
  ): void {
    for (const route of this.#world.routes) {
      if (routeReferences(route).some(matches)) this.#route(route);
    }
  }

  /** A Service (or ServiceImport/ServiceExport of the same name): every route naming it as a backend. */
  #backend(namespace: string, name: string): void {
    this.#routesReferencing((ref) => BACKEND_KINDS.has(ref.kind) && ref.namespace === namespace && ref.name === name);
    // A TargetGroupConfiguration aimed at the Service changes its target groups, already covered by
    // the routes; one aimed at a Gateway is followed when the configuration itself changes.
  }

  #referenceGrant(grant: ReferenceGrant): void {
    const to = namespaceOf(grant);
    for (const from of grant.spec?.from ?? []) {
      const fromNamespace = from.namespace;
      for (const route of this.#world.routes) {
        if (namespaceOf(route) !== fromNamespace) continue;
        if (routeReferences(route).some((ref) => ref.namespace === to)) this.#route(route);
      }
      const namesSecretIn = (listeners: Parameters<typeof certificateRefs>[0], own: string) =>
        certificateRefs(listeners).some((ref) => (ref.namespace ?? own) === to);
      for (const gateway of this.#world.gateways) {
        if (namespaceOf(gateway) === fromNamespace && namesSecretIn(gateway.spec?.listeners, fromNamespace)) {
          this.#add(fromNamespace, gateway.metadata.name);
        }
      }
      for (const set of this.#world.listenerSets) {
        if (namespaceOf(set) === fromNamespace && namesSecretIn(set.spec?.listeners, fromNamespace))
          this.#listenerSet(set);
      }
    }
  }

  /** Label changes move namespaces in and out of every label selector: Gateways that select by label. */
  #namespaceLabels(): void {
    for (const gateway of this.#world.gateways) {
      if (
        selectsNamespacesByLabel(gateway.spec?.listeners) ||
        gateway.spec?.allowedListeners?.namespaces?.from === "Selector" ||
        this.#world.listenerSets.some(
          (set) =>
            selectsNamespacesByLabel(set.spec?.listeners) &&
            set.spec?.parentRef !== undefined &&
            isGatewayRef(set.spec.parentRef) &&
            (set.spec.parentRef.namespace ?? namespaceOf(set)) === namespaceOf(gateway) &&
            set.spec.parentRef.name === gateway.metadata.name,
        )
      ) {
        this.#add(namespaceOf(gateway), gateway.metadata.name);
      }
    }
  }

  #secret(namespace: string, name: string): void {
    const names = (listeners: Parameters<typeof certificateRefs>[0], own: string) =>
      certificateRefs(listeners).some(
        (ref) => (ref.kind ?? "Secret") === "Secret" && (ref.namespace ?? own) === namespace && ref.name === name,
      );
    for (const gateway of this.#world.gateways) {
      if (names(gateway.spec?.listeners, namespaceOf(gateway))) this.#add(namespaceOf(gateway), gateway.metadata.name);
    }
    for (const set of this.#world.listenerSets) {
      if (names(set.spec?.listeners, namespaceOf(set))) this.#listenerSet(set);
    }
    // A BackendTLSPolicy's CA certificate may be a Secret: the Services it targets.
    for (const policy of this.#world.backendTLSPolicies) {
      if (namespaceOf(policy) !== namespace) continue;
      if ((policy.spec?.validation?.caCertificateRefs ?? []).some((ref) => ref.name === name)) {
        for (const target of policy.spec?.targetRefs ?? []) this.#backend(namespace, target.name);
      }
    }
  }

  #targetGroupConfiguration(config: TargetGroupConfiguration): void {
    const namespace = namespaceOf(config);
    const target = referenceOf(config.spec?.targetReference);
    if (target === undefined) {
      // Defaults for Gateways whose LoadBalancerConfiguration names it.
      for (const lb of this.#world.loadBalancerConfigurations) {
        if (namespaceOf(lb) === namespace && lb.spec?.defaultTargetGroupConfiguration?.name === config.metadata.name) {
          this.#loadBalancerConfiguration(namespace, lb.metadata.name);
        }
      }
      return;
    }
    if (target.kind === "Gateway") this.#add(namespace, target.name);
    else this.#backend(namespace, target.name);
  }

  /**
   * A node joining, leaving, turning Ready or changing labels changes the targets of instance
   * target groups: every Gateway that a TargetGroupConfiguration asking for instance targets can
   * reach (through the Services it configures, or as a Gateway's defaults).
   */
  #instanceTargetGroups(): void {
    for (const config of this.#world.targetGroupConfigurations) {
      const props = [
        config.spec?.defaultConfiguration,
        ...(config.spec?.routeConfigurations ?? []).map((rc) => rc.targetGroupProps),
      ];
      if (props.some((p) => p?.targetType === "instance")) this.#targetGroupConfiguration(config);
    }
  }

  #loadBalancerConfiguration(namespace: string, name: string): void {
    const names = (ref: { kind: string; name: string; namespace?: string } | undefined, own: string | undefined) =>
      ref !== undefined &&
      ref.kind === "LoadBalancerConfiguration" &&
      ref.name === name &&
      (ref.namespace ?? own) === namespace;
    for (const gatewayClass of this.#world.gatewayClasses) {
      if (!names(gatewayClass.spec?.parametersRef, undefined)) continue;
      for (const gateway of this.#world.gateways) {
        if (gateway.spec?.gatewayClassName === gatewayClass.metadata.name)
          this.#add(namespaceOf(gateway), gateway.metadata.name);
      }
    }
    for (const gateway of this.#world.gateways as Gateway[]) {
      if (names(gateway.spec?.infrastructure?.parametersRef, namespaceOf(gateway))) {
        this.#add(namespaceOf(gateway), gateway.metadata.name);
      }
    }
  }

  #latticePolicy(policy: LatticePolicy): void {
    const ref = referenceOf(policy.spec?.targetRef);
    if (ref === undefined) return;
    const namespace = ref.namespace ?? namespaceOf(policy);
    if (ref.kind === "Gateway") {
      this.#add(namespace, ref.name);
      return;
    }
    if (ROUTE_KIND_SET.has(ref.kind)) {
      for (const route of this.#world.routes) {
        if (route.kind === ref.kind && namespaceOf(route) === namespace && route.metadata.name === ref.name)
          this.#route(route);
      }
      return;
    }
    this.#backend(namespace, ref.name);
  }
}

/**
 * A policy's target reference as far as finding affected Gateways needs it, or undefined when it
 * is absent or malformed: objects reach ingest unvalidated (validation is translation's, with a
 * precise status), so a null or mistyped reference must not crash the batch.
 */
function referenceOf(value: unknown): { kind: string; name: string; namespace?: string } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { kind, name, namespace } = value as Record<string, unknown>;
  if (typeof name !== "string") return undefined;
  return {
    kind: typeof kind === "string" ? kind : "",
    name,
    ...(typeof namespace === "string" ? { namespace } : {}),
  };
}
