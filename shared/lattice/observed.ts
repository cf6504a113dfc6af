/**
 * What exists in VPC Lattice for one Gateway, in the desired model's own terms (model ids, target
 * groups named by model id inside actions) plus what AWS assigned (ARNs, ids, DNS names, states).
 * It comes from the state record (what the last apply left, no AWS call), from a drift check that
 * re-reads the recorded ARNs, or from discovery by ownership tags after a crash.
 */
import { matchDigest } from "./digest.ts";
import type {
  LatticeAction,
  LatticeHealthCheckModel,
  LatticeMatch,
  LatticeTargetModel,
  ServiceNetworkRef,
} from "./model.ts";

/** Lattice resource states; services, target groups and associations pass through these. */
export type LatticeStatus =
  | "ACTIVE"
  | "CREATE_IN_PROGRESS"
  | "UPDATE_IN_PROGRESS"
  | "DELETE_IN_PROGRESS"
  | "CREATE_FAILED"
  | "DELETE_FAILED"
  | "UPDATE_FAILED"
  | "FAILED";

/**
 * A service's or service network's auth and access logs as far as switchyard knows them. Every
 * field is optional: a record written before they were tracked (or a network found by name, whose
 * summary carries no auth type) says nothing, and the planner then neither deletes nor assumes.
 */
export interface ObservedPolicies {
  /** `NONE` or `AWS_IAM` (GetService / GetServiceNetwork); absent when not read. */
  authType?: string;
  /**
   * The auth policy switchyard put, as the digest of its normalized document (digest.ts; a record
   * from before digests holds the document itself), present only when switchyard put one: only
   * such a policy is ever deleted.
   */
  authPolicy?: string;
  /** Access log subscriptions switchyard created (tagged as this Gateway's). */
  accessLogs?: ObservedAccessLogSubscription[];
  /** The resource's tags as last written or read; absent when unknown (then never diffed). */
  tags?: Record<string, string>;
}

export interface ObservedAccessLogSubscription {
  arn: string;
  destinationArn: string;
}

export interface ObservedServiceNetwork extends ObservedPolicies {
  arn: string;
  id: string;
  name: string;
  /** Created by switchyard for this Gateway (tagged so): only then may switchyard delete it. */
  created: boolean;
}

export interface ObservedVpcAssociation {
  arn: string;
  id: string;
  vpcId: string;
  securityGroupIds: string[];
  status?: string;
  /** Tagged as this Gateway's: only then may switchyard delete it. */
  owned: boolean;
}

export interface ObservedRule {
  /** The rule's Lattice name, which is its model id (`r0-m0`). */
  id: string;
  arn: string;
  priority: number;
  /**
   * The digest of the rule's match (digest.ts matchDigest): all the planner compares, and a
   * fraction of a match's size in the record.
   */
  matchDigest: string;
  action: LatticeAction;
  /** ListRules' lastUpdatedAt (ISO): a drift check reads a rule again only when it moved. */
  updatedAt?: string;
}

export interface ObservedListener {
  /** `PROTOCOL:port`, as in the model. */
  id: string;
  arn: string;
  name: string;
  protocol: string;
  port: number;
  defaultAction: LatticeAction;
  rules: ObservedRule[];
  /** ListListeners' lastUpdatedAt (ISO): a drift check reads the default action again only when it moved. */
  updatedAt?: string;
  /** As last written or read; absent when unknown. */
  tags?: Record<string, string>;
}

export interface ObservedService extends ObservedPolicies {
  /** The model id (a route key, or `Gateway/ns/name` for the Gateway service), from the service's role tag. */
  id: string;
  arn: string;
  name: string;
  customDomainName?: string;
  certificateArn?: string;
  /** The generated DNS name Lattice serves the service under. */
  dnsName?: string;
  status?: string;
  listeners: ObservedListener[];
}

export interface ObservedServiceAssociation {
  /** The service's model id (route key). */
  serviceId: string;
  /**
   * For a service another Gateway owns: the name and custom domain name it had when this Gateway
   * associated it. Another in the model means its owner replaces it: this association goes first.
   * @default undefined — this Gateway's own service, or a record from before it was kept
   */
  sharedService?: { name: string; customDomainName?: string };
  arn: string;
  status?: string;
  /** Tagged as this Gateway's: only then may switchyard delete it. */
  owned: boolean;
}

export interface ObservedLatticeTargetGroup {
  id: string;
  arn: string;
  name: string;
  protocol: string;
  protocolVersion?: string;
  port: number;
  vpcId?: string;
  healthCheck?: LatticeHealthCheckModel;
  status?: string;
  /** Registered targets, without those still DRAINING after a deregistration. */
  targets: LatticeTargetModel[];
  /** As last written or read; absent when unknown. */
  tags?: Record<string, string>;
  /**
   * How many deregistered targets Lattice still lists as DRAINING (absent: none known). A
   * ServiceExport's group is deleted only once this is 0 (plan.ts, planLatticeExport).
   */
  draining?: number;
}

export interface ObservedLattice {
  serviceNetwork?: ObservedServiceNetwork;
  vpcAssociation?: ObservedVpcAssociation;
  services: ObservedService[];
  serviceAssociations: ObservedServiceAssociation[];
  targetGroups: ObservedLatticeTargetGroup[];
}

export function emptyObservedLattice(): ObservedLattice {
  return { services: [], serviceAssociations: [], targetGroups: [] };
}

/** States in which a resource is still on its way: the record is re-read every reconcile. */
export const SETTLING_STATES: ReadonlySet<string> = new Set([
  "CREATE_IN_PROGRESS",
  "UPDATE_IN_PROGRESS",
  "DELETE_IN_PROGRESS",
]);

/** Whether anything the record holds is still being created, updated or deleted by Lattice. */
export function latticeSettling(observed: ObservedLattice): boolean {
  const settling = (status: string | undefined) => status !== undefined && SETTLING_STATES.has(status);
  return (
    observed.services.some((s) => settling(s.status)) ||
    observed.targetGroups.some((t) => settling(t.status)) ||
    observed.serviceAssociations.some((a) => settling(a.status)) ||
    settling(observed.vpcAssociation?.status)
  );
}

/** Whether some group of the record still has targets draining: re-read before planning its deletion. */
export function latticeDraining(observed: ObservedLattice): boolean {
  return observed.targetGroups.some((t) => (t.draining ?? 0) > 0);
}

/** Whether the Gateway's network reference names the network found before (else it is found again). */
export function refersTo(ref: ServiceNetworkRef, network: ObservedServiceNetwork): boolean {
  return ref.kind === "name"
    ? ref.name === network.name
    : ref.kind === "id"
      ? ref.id === network.id
      : ref.arn === network.arn;
}

/** A stored record that is not an ObservedLattice. */
export class ObservedLatticeDecodeError extends Error {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path || "applied"} ${problem}`);
    this.name = "ObservedLatticeDecodeError";
    this.path = path;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * An ObservedLattice read back from the state store, checked down to what the planner indexes by
 * (ids, ARNs, arrays), so a damaged record is refused with the field at fault instead of misread.
 */
export function decodeObservedLattice(value: unknown): ObservedLattice {
  if (!isObject(value)) throw new ObservedLatticeDecodeError("", "is not an object");
  const list = (key: string): Record<string, unknown>[] => {
    const items = value[key];
    if (!Array.isArray(items)) throw new ObservedLatticeDecodeError(key, "is not an array");
    items.forEach((item, i) => {
      if (!isObject(item) || typeof item.arn !== "string") {
        throw new ObservedLatticeDecodeError(`${key}[${i}]`, "is not a resource with an arn");
      }
    });
    return items as Record<string, unknown>[];
  };
  // Access log subscriptions are optional; when present the planner indexes them by ARN.
  const accessLogs = (item: Record<string, unknown>, path: string) => {
    if (item.accessLogs === undefined) return;
    if (!Array.isArray(item.accessLogs)) throw new ObservedLatticeDecodeError(`${path}.accessLogs`, "is not an array");
    item.accessLogs.forEach((l, i) => {
      if (!isObject(l) || typeof l.arn !== "string" || typeof l.destinationArn !== "string") {
        throw new ObservedLatticeDecodeError(`${path}.accessLogs[${i}]`, "is not a subscription with a destination");
      }
    });
  };
  const services = list("services");
  services.forEach((s, i) => {
    if (typeof s.id !== "string" || !Array.isArray(s.listeners)) {
      throw new ObservedLatticeDecodeError(`services[${i}]`, "has no id or listeners");
    }
    accessLogs(s, `services[${i}]`);
    (s.listeners as unknown[]).forEach((l, j) => {
      if (!isObject(l) || typeof l.id !== "string" || typeof l.arn !== "string" || !Array.isArray(l.rules)) {
        throw new ObservedLatticeDecodeError(`services[${i}].listeners[${j}]`, "is not a listener with rules");
      }
      (l.rules as unknown[]).forEach((r, k) => {
        const path = `services[${i}].listeners[${j}].rules[${k}]`;
        if (!isObject(r)) throw new ObservedLatticeDecodeError(path, "is not a rule");
        // A record from before digests holds the match itself: it is kept as its digest.
        if (typeof r.matchDigest !== "string" && isObject(r.match)) {
          const { match, ...rest } = r;
          (l.rules as unknown[])[k] = { ...rest, matchDigest: matchDigest(match as unknown as LatticeMatch) };
        } else if (typeof r.matchDigest !== "string") {
          throw new ObservedLatticeDecodeError(path, "has neither a match digest nor a match");
        }
      });
    });
  });
  list("serviceAssociations");
  list("targetGroups").forEach((t, i) => {
    if (typeof t.id !== "string" || !Array.isArray(t.targets)) {
      throw new ObservedLatticeDecodeError(`targetGroups[${i}]`, "has no id or targets");
    }
  });
  for (const key of ["serviceNetwork", "vpcAssociation"]) {
    const item = value[key];
    if (item !== undefined && (!isObject(item) || typeof item.arn !== "string")) {
      throw new ObservedLatticeDecodeError(key, "is not a resource with an arn");
    }
    if (isObject(item)) accessLogs(item, key);
  }
  return value as unknown as ObservedLattice;
}
