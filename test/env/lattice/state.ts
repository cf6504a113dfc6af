// The emulator's whole state, in memory: every resource by ARN, policies, RAM shares, idempotency
// tokens, quotas and the clock. Time is a counter, not the wall clock: every API request advances
// it by one tick, and an asynchronous transition (CREATE_IN_PROGRESS -> ACTIVE,
// DELETE_IN_PROGRESS -> gone, a target DRAINING -> gone) completes `asyncSteps` ticks after the
// request that started it. Tests can also advance or settle the clock through the control API.
import { buildArn, ID_PREFIX, idBody } from "./arns.ts";
import type { Quota } from "./errors.ts";
import type { LatticeResource, Policy, ResourceKind, ResourceOf, ResourceStatus } from "./model.ts";

export const DEFAULT_ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "us-east-1";

/** Quotas from the VPC Lattice User Guide's quota table, with their Service Quotas codes. */
export const QUOTAS = {
  serviceNetworksPerRegion: {
    name: "Service networks per region",
    quotaCode: "L-9CAD07FB",
    resourceType: "SERVICE_NETWORK",
    default: 50,
  },
  servicesPerRegion: { name: "Services per region", quotaCode: "L-620C821E", resourceType: "SERVICE", default: 2000 },
  targetGroupsPerRegion: {
    name: "Target groups per region",
    quotaCode: "L-BB11C6B9",
    resourceType: "TARGET_GROUP",
    default: 500,
  },
  listenersPerService: { name: "Listeners per service", quotaCode: "L-D64E952E", resourceType: "LISTENER", default: 2 },
  rulesPerListener: { name: "Rules per listener", quotaCode: "L-CF78395E", resourceType: "RULE", default: 10 },
  targetGroupsPerService: {
    name: "Target groups per service",
    quotaCode: "L-3DEC3B9F",
    resourceType: "TARGET_GROUP",
    default: 10,
  },
  targetsPerTargetGroup: {
    name: "Targets per target group",
    quotaCode: "L-D71303F3",
    resourceType: "TARGET",
    default: 1000,
  },
  serviceAssociationsPerServiceNetwork: {
    name: "Service associations per service network",
    quotaCode: "L-75D4A19E",
    resourceType: "SERVICE_NETWORK_SERVICE_ASSOCIATION",
    default: 500,
  },
  vpcAssociationsPerServiceNetwork: {
    name: "VPC associations per service network",
    quotaCode: "L-EF6E2D62",
    resourceType: "SERVICE_NETWORK_VPC_ASSOCIATION",
    default: 500,
  },
} as const satisfies Record<string, Quota & { default: number }>;

export type QuotaName = keyof typeof QUOTAS;
export type Quotas = Record<QuotaName, number>;

export interface EmulatorConfig {
  /** Ticks an asynchronous transition takes; 0 makes every resource ACTIVE (or gone) at once. */
  asyncSteps: number;
  /** Page size of List operations called without maxResults. */
  defaultPageSize: number;
  quotas: Quotas;
}

export function defaultConfig(): EmulatorConfig {
  const quotas = Object.fromEntries(Object.entries(QUOTAS).map(([name, quota]) => [name, quota.default])) as Quotas;
  return { asyncSteps: 2, defaultPageSize: 100, quotas };
}

/** What a create call with a client token produced, to answer its retries. */
export interface IdempotencyRecord {
  fingerprint: string;
  arn: string;
  response: Record<string, unknown>;
}

export class LatticeState {
  config: EmulatorConfig = defaultConfig();
  clock = 0;
  readonly resources = new Map<string, LatticeResource>();
  readonly authPolicies = new Map<string, Policy>();
  readonly resourcePolicies = new Map<string, Policy>();
  /** RAM shares: resource ARN -> accounts it is shared with. */
  readonly shares = new Map<string, Set<string>>();
  readonly tokens = new Map<string, IdempotencyRecord>();
  readonly #arnById = new Map<string, string>();
  #seq = 0;
  /** Never reset, so ids stay unique for the emulator's lifetime. */
  #idCounter = 0;
  readonly #seed: string;
  readonly #now: () => Date;

  constructor(options: { seed?: string; now?: () => Date } = {}) {
    this.#seed = options.seed ?? "switchyard-lattice";
    this.#now = options.now ?? (() => new Date());
  }

  /** Forgets every resource, share, token and setting (ids keep counting). */
  reset(): void {
    this.config = defaultConfig();
    this.clock = 0;
    this.resources.clear();
    this.authPolicies.clear();
    this.resourcePolicies.clear();
    this.shares.clear();
    this.tokens.clear();
    this.#arnById.clear();
  }

  now(): Date {
    return this.#now();
  }

  newId(kind: ResourceKind): string {
    this.#idCounter += 1;
    return `${ID_PREFIX[kind]}-${idBody(`${this.#seed}:${kind}:${this.#idCounter}`)}`;
  }

  /** Creation order of records (and registered targets), for listing and pagination. */
  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  /** Common fields of a new record; the caller adds the kind's own. */
  base(
    kind: ResourceKind,
    account: string,
    region: string,
    tags: Record<string, string> | undefined,
    parent?: { serviceId: string; listenerId?: string },
  ) {
    const id = this.newId(kind);
    const now = this.now();
    return {
      id,
      arn: buildArn(kind, region, account, id, parent),
      account,
      region,
      seq: this.nextSeq(),
      createdAt: now,
      lastUpdatedAt: now,
      tags: { ...tags },
    };
  }

  add<R extends LatticeResource>(resource: R): R {
    this.resources.set(resource.arn, resource);
    this.#arnById.set(resource.id, resource.arn);
    return resource;
  }

  byArn(arn: string): LatticeResource | undefined {
    return this.resources.get(arn);
  }

  byId(id: string): LatticeResource | undefined {
    const arn = this.#arnById.get(id);
    return arn === undefined ? undefined : this.resources.get(arn);
  }

  /** Every record of one kind, in creation order. */
  all<K extends ResourceKind>(kind: K): ResourceOf<K>[] {
    const found: ResourceOf<K>[] = [];
    for (const resource of this.resources.values()) {
      if (resource.kind === kind) found.push(resource as ResourceOf<K>);
    }
    return found.sort((a, b) => a.seq - b.seq);
  }

  touch(resource: LatticeResource): void {
    resource.lastUpdatedAt = this.now();
  }

  /**
   * Puts a resource into an in-progress status that ends `asyncSteps` ticks from now in `then`
   * (ACTIVE, or removal). With asyncSteps 0 it ends at once.
   */
  startTransition(
    resource: Extract<LatticeResource, { status: ResourceStatus }>,
    status: ResourceStatus,
    then: "ACTIVE" | "DELETED",
  ): void {
    resource.status = status;
    this.touch(resource);
    if (this.config.asyncSteps <= 0) {
      this.#complete(resource, then);
      return;
    }
    resource.transition = { at: this.clock + this.config.asyncSteps, then };
  }

  /** One API request's worth of time. */
  tick(): void {
    this.clock += 1;
    this.settle();
  }

  advance(ticks: number): void {
    this.clock += ticks;
    this.settle();
  }

  /** Completes every pending transition and drain, however far away. */
  settleAll(): void {
    let latest = this.clock;
    for (const resource of this.resources.values()) {
      if ("transition" in resource && resource.transition !== undefined)
        latest = Math.max(latest, resource.transition.at);
      if (resource.kind === "targetGroup") {
        for (const target of resource.targets.values()) {
          latest = Math.max(latest, target.drainsAt ?? 0, target.registeredAt + this.config.asyncSteps);
        }
      }
    }
    this.advance(latest - this.clock);
  }

  settle(): void {
    for (const resource of [...this.resources.values()]) {
      if (!this.resources.has(resource.arn)) continue;
      if ("transition" in resource && resource.transition !== undefined && resource.transition.at <= this.clock) {
        this.#complete(resource, resource.transition.then);
      }
      if (resource.kind === "targetGroup") {
        for (const [key, target] of resource.targets) {
          if (target.drainsAt !== undefined && target.drainsAt <= this.clock) resource.targets.delete(key);
        }
      }
    }
  }

  #complete(resource: Extract<LatticeResource, { status: ResourceStatus }>, then: "ACTIVE" | "DELETED"): void {
    resource.transition = undefined;
    if (then === "DELETED") {
      this.remove(resource.arn);
      return;
    }
    resource.status = "ACTIVE";
    this.touch(resource);
  }

  /**
   * Removes a resource with what AWS deletes along with it: a service's listeners, rules, policies
   * and access log subscriptions; a listener's rules; a service network's policies and
   * subscriptions.
   */
  remove(arn: string): void {
    const resource = this.resources.get(arn);
    if (resource === undefined) return;
    this.resources.delete(arn);
    this.#arnById.delete(resource.id);
    this.authPolicies.delete(arn);
    this.resourcePolicies.delete(arn);
    this.shares.delete(arn);
    for (const other of [...this.resources.values()]) {
      const dependent =
        (other.kind === "listener" && other.serviceArn === arn) ||
        (other.kind === "rule" && (other.listenerArn === arn || other.serviceArn === arn)) ||
        (other.kind === "accessLogSubscription" && other.resourceArn === arn);
      if (dependent) this.remove(other.arn);
    }
  }

  /** Whether `account` may see `arn` through a RAM share. */
  sharedWith(arn: string, account: string): boolean {
    return this.shares.get(arn)?.has(account) ?? false;
  }
}
