/**
 * The resync function's work, over ports: on each schedule tick, enqueue a `resync` reconcile for
 * the Gateways due on that tick (at most `maxGatewaysPerInvocation`, then continue through a
 * cursor); on an AWS event about a resource, enqueue an `aws-event` reconcile for each Gateway that
 * owns it. Time comes from the events, never the clock.
 */
import type { SQSEvent } from "aws-lambda";
import type { AwsTarget } from "../../shared/aws/clients.ts";
import { tagValue } from "../../shared/elb/naming.ts";
import { type ClusterGatewayKey, splitClusterGatewayKey } from "../../shared/keys.ts";
import {
  type OrphanPlane,
  RECONCILE_REQUEST_VERSION,
  type ReconcileRequest,
} from "../../shared/pipeline/reconcile-request.ts";
import type { StateStore } from "../../shared/store/state.ts";
import { type AwsEvent, classifyAwsEvent } from "./aws-events.ts";
import { decodeCursor, type ResyncContinuation, type ResyncCursor } from "./continuation.ts";
import type { TaggedGateway, TaggedGatewayScan } from "./orphan-scan.ts";
import type { OwnerLookup } from "./owner-lookup.ts";
import type { OccasionedRequest, ReconcileQueue } from "./reconcile-queue.ts";
import { isDue, type ResyncSchedule, tickOf } from "./schedule.ts";

export interface ResyncDependencies {
  states: StateStore;
  queue: ReconcileQueue;
  owners: OwnerLookup;
  continuation: ResyncContinuation;
  schedule: ResyncSchedule;
  /** IAM role ARNs switchyard acts as: CloudTrail events made by them are not drift. */
  ownRoleArns: ReadonlySet<string>;
  /** @default 500 in the handler — bounds one invocation's SQS sends well inside its timeout. */
  maxGatewaysPerInvocation: number;
  /**
   * The orphan check: once per tick, one target (round-robin over the registered targets by tick
   * number) is read for load balancers and VPC Lattice resources tagged as a Gateway that has no
   * state record.
   * @default undefined — no orphan check
   */
  orphans?: OrphanCheckDependencies;
}

export interface OrphanCheckDependencies {
  /** The registered targets (`registeredTargets`). */
  targets(): Promise<readonly AwsTarget[]>;
  scan: TaggedGatewayScan;
}

/** What one tick's orphan check did. */
export interface OrphanCheck {
  target: { account: string; region: string };
  /**
   * Gateways with tagged resources and no state record, with the data planes those are on: a
   * reconcile naming the plane was enqueued for each plane of each.
   */
  orphans: TaggedGateway[];
  /** Tag values shortened with a hash (over-long names): no key to reconcile; logged for a person. */
  shortened: string[];
  /** GetResources calls the check made. */
  calls: number;
}

export type ResyncOutcome =
  | {
      kind: "scheduled";
      tick: number;
      enqueued: ClusterGatewayKey[];
      continuedFrom?: ResyncCursor;
      /** Present on the invocation that finished the tick's listing, when the check ran. */
      orphanCheck?: OrphanCheck;
    }
  | { kind: "aws-event"; arns: string[]; enqueued: ClusterGatewayKey[] }
  | { kind: "ignored"; reason: string };

/** The EventBridge schedule event (`source: aws.events`, `detail-type: Scheduled Event`). */
export interface ScheduleEvent {
  source: "aws.events";
  "detail-type": "Scheduled Event";
  time: string;
}

export type ResyncEvent = ScheduleEvent | AwsEvent | SQSEvent;

const ORPHAN_CAUSE: Record<OrphanPlane, string> = {
  elb: "load balancers tagged as this Gateway",
  lattice: "VPC Lattice resources tagged as this Gateway",
};

function request(gatewayKey: ClusterGatewayKey, reason: ReconcileRequest["reason"], cause: string): ReconcileRequest {
  // generation 0: resync does not track the dirty generation (see the contract).
  return { version: RECONCILE_REQUEST_VERSION, gatewayKey, reason, generation: 0, cause };
}

/** Enqueues the Gateways due on `cursor.tick`, after the first `cursor.done` of them. */
export async function resyncTick(cursor: ResyncCursor, deps: ResyncDependencies): Promise<ResyncOutcome> {
  const requests: OccasionedRequest[] = [];
  let due = 0;
  let next: ResyncCursor | undefined;
  // Every record's key, for the orphan check: complete only if the listing is not cut short below.
  const recorded = new Set<ClusterGatewayKey>();
  for await (const state of deps.states.list()) {
    recorded.add(state.gatewayKey);
    if (!isDue(state.gatewayKey, cursor.tick, deps.schedule)) continue;
    due += 1;
    if (due <= cursor.done) continue;
    if (requests.length === deps.maxGatewaysPerInvocation) {
      next = { tick: cursor.tick, done: cursor.done + requests.length };
      break;
    }
    requests.push({
      request: request(state.gatewayKey, "resync", `scheduled drift check, tick ${cursor.tick}`),
      occasion: `tick:${cursor.tick}`,
    });
  }
  // The invocation that lists every record to the end runs the tick's orphan check: once per tick.
  const orphanCheck =
    next === undefined && deps.orphans ? await checkOrphans(cursor.tick, recorded, deps.orphans) : undefined;
  for (const { key, planes } of orphanCheck?.orphans ?? []) {
    // One request per plane, in the Gateway's one message group: run one after the other. Should the
    // first leave a record (a deletion still settling), the second reconciles on the record's plane
    // and the other plane's resources are found again on the target's next visit.
    for (const plane of planes) {
      requests.push({
        request: {
          ...request(key, "resync", `orphan check, tick ${cursor.tick}: ${ORPHAN_CAUSE[plane]}, no state record`),
          orphanedOn: plane,
        },
        // The ELB request keeps the occasion it always had; Lattice's is another message.
        occasion: plane === "elb" ? `orphans:${cursor.tick}` : `orphans:${cursor.tick}:${plane}`,
      });
    }
  }
  await deps.queue.send(requests);
  // After the sends: a continuation that fails is retried with the page, whose resend is deduplicated.
  if (next !== undefined) await deps.continuation.continueFrom(next);
  return {
    kind: "scheduled",
    tick: cursor.tick,
    enqueued: requests.map((r) => r.request.gatewayKey),
    ...(next !== undefined ? { continuedFrom: next } : {}),
    ...(orphanCheck ? { orphanCheck } : {}),
  };
}

/**
 * The Gateways with tagged load balancers or VPC Lattice resources in this tick's target and no
 * state record. Only a reconcile is enqueued for them: it reads the mirror and takes the Gateway's
 * lease, so a Gateway that exists is built (never deleted) and one that is gone has what its tags
 * name deleted on the plane the request names, exactly as after its deletion — the check never
 * races a create.
 */
async function checkOrphans(
  tick: number,
  recorded: ReadonlySet<ClusterGatewayKey>,
  deps: OrphanCheckDependencies,
): Promise<OrphanCheck | undefined> {
  const targets = [...(await deps.targets())].sort((a, b) =>
    `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`),
  );
  if (targets.length === 0) return undefined;
  const target = targets[tick % targets.length] as AwsTarget;
  const tagged = await deps.scan.taggedGateways(target);
  // A record claims its tags as written: a shortened tag value matches the record's key shortened.
  const recordedTags = new Set(
    [...recorded].map((key) => {
      const { cluster, gatewayKey } = splitClusterGatewayKey(key);
      return `${tagValue(cluster)}/${tagValue(gatewayKey)}`;
    }),
  );
  return {
    target: { account: target.account, region: target.region },
    orphans: tagged.gateways.filter(({ key }) => !recorded.has(key)),
    shortened: tagged.shortened.filter((value) => !recordedTags.has(value)),
    calls: tagged.calls,
  };
}

/** Enqueues a targeted reconcile for every Gateway owning a resource the event names. */
export async function reconcileOwners(event: AwsEvent, deps: ResyncDependencies): Promise<ResyncOutcome> {
  const decision = classifyAwsEvent(event, deps.ownRoleArns);
  if (decision.kind === "ignored") return decision;
  const owners = new Set<ClusterGatewayKey>();
  for (const arn of decision.arns) for (const key of await deps.owners.gatewaysOwning(arn)) owners.add(key);
  const enqueued = [...owners].sort();
  await deps.queue.send(
    enqueued.map((key) => ({ request: request(key, "aws-event", decision.cause), occasion: `event:${event.id}` })),
  );
  return { kind: "aws-event", arns: decision.arns, enqueued };
}

function isSqsEvent(event: ResyncEvent): event is SQSEvent {
  return Array.isArray((event as Partial<SQSEvent>).Records);
}

function isScheduleEvent(event: ResyncEvent): event is ScheduleEvent {
  const e = event as Partial<ScheduleEvent>;
  return e.source === "aws.events" && e["detail-type"] === "Scheduled Event";
}

/** Any event the resync function is wired to: the schedule, an AWS event rule, or a continuation. */
export async function handleResyncEvent(event: ResyncEvent, deps: ResyncDependencies): Promise<ResyncOutcome[]> {
  if (isSqsEvent(event)) {
    const outcomes: ResyncOutcome[] = [];
    for (const record of event.Records) {
      const cursor = decodeCursor(record.body);
      outcomes.push(
        cursor === undefined
          ? { kind: "ignored", reason: `message ${record.messageId} is not a resync continuation` }
          : await resyncTick(cursor, deps),
      );
    }
    return outcomes;
  }
  if (isScheduleEvent(event)) return [await resyncTick({ tick: tickOf(event.time, deps.schedule), done: 0 }, deps)];
  return [await reconcileOwners(event, deps)];
}
