// The resync function's rules, on the in-memory state store and recording fakes of its queues.
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { classifyAwsEvent, elbArnLineage } from "../../../functions/resync/aws-events.ts";
import { decodeCursor, encodeCursor, type ResyncCursor } from "../../../functions/resync/continuation.ts";
import type { TaggedGateway } from "../../../functions/resync/orphan-scan.ts";
import { stateRecordOwnerLookup } from "../../../functions/resync/owner-lookup.ts";
import { deduplicationId, type OccasionedRequest } from "../../../functions/resync/reconcile-queue.ts";
import { handleResyncEvent, type ResyncDependencies } from "../../../functions/resync/resync.ts";
import { isDue, type ResyncSchedule, slotOf, tickOf } from "../../../functions/resync/schedule.ts";
import { type ClusterGatewayKey, parseClusterGatewayKey } from "../../../shared/keys.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { GatewayState } from "../../../shared/store/state.ts";
import {
  acmCertificateAvailable,
  acmRenewalActionRequired,
  arnsOf,
  CERTIFICATE_ARN,
  elbApiCall,
  SWITCHYARD_ROLE_ARN,
  scheduledEvent,
  stateWith,
} from "./resync-fixtures.ts";

const T0 = 1_750_000_000_000;
const sqsRecordBase: SQSRecord = {
  messageId: "",
  receiptHandle: "rh",
  body: "",
  attributes: {
    ApproximateReceiveCount: "1",
    SentTimestamp: "1",
    SenderId: "AIDA",
    ApproximateFirstReceiveTimestamp: "1",
  },
  messageAttributes: {},
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:eu-west-1:111122223333:resync-continuation",
  awsRegion: "eu-west-1",
};
const schedule: ResyncSchedule = { tickMs: 60_000, periodTicks: 10, seed: "test" };
const keys = (n: number): ClusterGatewayKey[] =>
  Array.from({ length: n }, (_, i) => parseClusterGatewayKey(`prod-1/team-${i % 7}/gw-${i}`));

async function storeWith(states: GatewayState[]) {
  const stores = createMemoryStores();
  for (const state of states) {
    const lease = await stores.leases.acquire(state.gatewayKey, "test", T0, 30_000);
    if (lease === undefined) throw new Error("lease not acquired");
    await stores.states.put(state, lease);
  }
  return stores.states;
}

function harness(states: Awaited<ReturnType<typeof storeWith>>, overrides: Partial<ResyncDependencies> = {}) {
  const sent: OccasionedRequest[] = [];
  const continued: ResyncCursor[] = [];
  const deps: ResyncDependencies = {
    states,
    queue: { send: async (requests) => void sent.push(...requests) },
    owners: stateRecordOwnerLookup(states),
    continuation: { continueFrom: async (cursor) => void continued.push(cursor) },
    schedule,
    ownRoleArns: new Set([SWITCHYARD_ROLE_ARN]),
    maxGatewaysPerInvocation: 1_000,
    ...overrides,
  };
  return { deps, sent, continued };
}

describe("schedule slots", () => {
  it("makes every Gateway due on exactly one tick of each period", () => {
    for (const key of keys(200)) {
      const due = Array.from({ length: schedule.periodTicks }, (_, i) => 12_345 + i).filter((t) =>
        isDue(key, t, schedule),
      );
      expect(due).toHaveLength(1);
    }
  });

  it("spreads Gateways evenly over the period", () => {
    const counts = new Array<number>(schedule.periodTicks).fill(0);
    for (const key of keys(2_000)) counts[slotOf(key, schedule)] = (counts[slotOf(key, schedule)] ?? 0) + 1;
    for (const count of counts) {
      expect(count).toBeGreaterThan(140);
      expect(count).toBeLessThan(260);
    }
  });

  it("moves Gateways to other slots under another seed", () => {
    const moved = keys(100).filter((k) => slotOf(k, schedule) !== slotOf(k, { ...schedule, seed: "other" }));
    expect(moved.length).toBeGreaterThan(50);
  });

  it("takes the tick from the event's time, not the clock", () => {
    expect(tickOf(scheduledEvent.time, schedule)).toBe(Math.floor(Date.parse("2025-10-08T16:53:06Z") / 60_000));
  });
});

describe("scheduled resync", () => {
  it("enqueues a resync request for exactly the Gateways due on the event's tick", async () => {
    const all = keys(40);
    const { deps, sent } = harness(await storeWith(all.map((k, i) => stateWith(k, String(i)))));
    const tick = tickOf(scheduledEvent.time, schedule);
    const [outcome] = await handleResyncEvent(scheduledEvent, deps);

    const due = all.filter((k) => isDue(k, tick, schedule)).sort();
    expect(due.length).toBeGreaterThan(0);
    expect(sent.map((s) => s.request.gatewayKey).sort()).toEqual(due);
    for (const { request, occasion } of sent) {
      expect(request).toMatchObject({ version: 1, reason: "resync", generation: 0 });
      expect(occasion).toBe(`tick:${tick}`);
    }
    expect(outcome).toMatchObject({ kind: "scheduled", tick });
  });

  it("stops after maxGatewaysPerInvocation and continues from a cursor that covers the rest once", async () => {
    const all = keys(120);
    const states = await storeWith(all.map((k, i) => stateWith(k, String(i))));
    const oneTick: ResyncSchedule = { ...schedule, periodTicks: 1 };
    const first = harness(states, { schedule: oneTick, maxGatewaysPerInvocation: 50 });
    await handleResyncEvent(scheduledEvent, first.deps);
    expect(first.sent).toHaveLength(50);
    expect(first.continued).toEqual([{ tick: tickOf(scheduledEvent.time, oneTick), done: 50 }]);

    // The continuation arrives as an SQS message carrying the cursor.
    const enqueued = [...first.sent];
    let cursor = first.continued[0];
    while (cursor !== undefined) {
      const next = harness(states, { schedule: oneTick, maxGatewaysPerInvocation: 50 });
      const record = { ...sqsRecordBase, messageId: "m", body: encodeCursor(cursor) };
      await handleResyncEvent({ Records: [record] }, next.deps);
      enqueued.push(...next.sent);
      cursor = next.continued[0];
    }
    expect(enqueued.map((s) => s.request.gatewayKey).sort()).toEqual([...all].sort());
  });

  it("reads only its own continuation messages", () => {
    expect(decodeCursor(encodeCursor({ tick: 5, done: 10 }))).toEqual({ tick: 5, done: 10 });
    expect(decodeCursor('{"tick":5,"done":10}')).toBeUndefined();
    expect(decodeCursor("not json")).toBeUndefined();
  });
});

describe("AWS events", () => {
  const web = parseClusterGatewayKey("prod-1/default/web");
  const api = parseClusterGatewayKey("prod-1/default/api");
  const other = parseClusterGatewayKey("prod-1/default/other");
  const fleet = () =>
    storeWith([stateWith(web, "1", [CERTIFICATE_ARN]), stateWith(api, "2", [CERTIFICATE_ARN]), stateWith(other, "3")]);

  it.each([acmCertificateAvailable, acmRenewalActionRequired])(
    "reconciles every Gateway whose listener uses the certificate of an $detail-type event",
    async (event) => {
      const { deps, sent } = harness(await fleet());
      await handleResyncEvent(event, deps);
      expect(sent.map((s) => s.request.gatewayKey)).toEqual([api, web]);
      expect(sent.every((s) => s.request.reason === "aws-event" && s.occasion === `event:${event.id}`)).toBe(true);
      expect(sent[0]?.request.cause).toContain(event["detail-type"]);
    },
  );

  it("reconciles the owner of a listener someone else modified", async () => {
    const { deps, sent } = harness(await fleet());
    await handleResyncEvent(elbApiCall("ModifyListener", { listenerArn: arnsOf("3").listener, port: 8443 }), deps);
    expect(sent.map((s) => s.request.gatewayKey)).toEqual([other]);
    expect(sent[0]?.request.cause).toContain("ModifyListener by arn:aws:sts::111122223333:assumed-role/Admin/alice");
  });

  it("finds the owner of a rule it never recorded through the rule's listener", async () => {
    const { deps, sent } = harness(await fleet());
    const foreignRule = `${arnsOf("2").listener.replace(":listener/", ":listener-rule/")}/0123456789abcdef`;
    await handleResyncEvent(elbApiCall("DeleteRule", { ruleArn: foreignRule }), deps);
    expect(sent.map((s) => s.request.gatewayKey)).toEqual([api]);
  });

  it("finds ARNs nested anywhere in the request (tags on several resources)", async () => {
    const { deps, sent } = harness(await fleet());
    const event = elbApiCall("RemoveTags", {
      resourceArns: [arnsOf("1").targetGroup, arnsOf("3").loadBalancer],
      tagKeys: ["x"],
    });
    await handleResyncEvent(event, deps);
    expect(sent.map((s) => s.request.gatewayKey)).toEqual([other, web]);
  });

  it("ignores changes made by switchyard's own role", async () => {
    const { deps, sent } = harness(await fleet());
    const [outcome] = await handleResyncEvent(
      elbApiCall("ModifyListener", { listenerArn: arnsOf("3").listener }, SWITCHYARD_ROLE_ARN),
      deps,
    );
    expect(outcome).toEqual({ kind: "ignored", reason: "ModifyListener was made by switchyard" });
    expect(sent).toEqual([]);
  });

  it("ignores a call that failed", () => {
    const event = elbApiCall("DeleteListener", { listenerArn: arnsOf("3").listener }, undefined, {
      errorCode: "AccessDenied",
    });
    expect(classifyAwsEvent(event, new Set())).toMatchObject({ kind: "ignored" });
  });

  it("enqueues nothing for a resource no Gateway owns", async () => {
    const { deps, sent } = harness(await fleet());
    const [outcome] = await handleResyncEvent(
      elbApiCall("ModifyTargetGroup", { targetGroupArn: arnsOf("9").targetGroup }),
      deps,
    );
    expect(outcome).toMatchObject({ kind: "aws-event", enqueued: [] });
    expect(sent).toEqual([]);
  });

  it("gives each event its own deduplication id and a redelivered event the same one", () => {
    const request = { version: 1, gatewayKey: web, reason: "aws-event", generation: 0 } as const;
    expect(deduplicationId(request, "event:a")).toBe(deduplicationId(request, "event:a"));
    expect(deduplicationId(request, "event:a")).not.toBe(deduplicationId(request, "event:b"));
  });

  it("derives a rule's listener and load balancer ARNs", () => {
    const arns = arnsOf("1");
    expect(elbArnLineage(arns.rule)).toEqual([arns.rule, arns.listener, arns.loadBalancer]);
    expect(elbArnLineage(arns.listener)).toEqual([arns.listener, arns.loadBalancer]);
    expect(elbArnLineage(arns.targetGroup)).toEqual([arns.targetGroup]);
  });
});

describe("the orphan check", () => {
  const A = { account: "111122223333", region: "eu-west-1" };
  const B = { account: "444455556666", region: "eu-west-1" };
  const recorded = keys(3);
  const orphan = parseClusterGatewayKey("prod-1/apps/gone");

  const onElb = (...keys: ClusterGatewayKey[]): TaggedGateway[] => keys.map((key) => ({ key, planes: ["elb"] }));

  function scanning(tagged: Record<string, TaggedGateway[]>, shortened: string[] = []) {
    const scanned: string[] = [];
    return {
      scanned,
      orphans: {
        // Listed out of order: the check sorts them.
        targets: async () => [B, A],
        scan: {
          taggedGateways: async (target: { account: string }) => {
            scanned.push(target.account);
            return { gateways: tagged[target.account] ?? [], shortened, calls: 2 };
          },
        },
      },
    };
  }

  it("reads one target per tick, round-robin, and enqueues a reconcile for each tagged Gateway without a record", async () => {
    const states = await storeWith(recorded.map((k, i) => stateWith(k, `r${i}`)));
    const scan = scanning({ [A.account]: onElb(recorded[0] as ClusterGatewayKey, orphan), [B.account]: [] });
    const { deps, sent } = harness(states, {
      orphans: scan.orphans,
      schedule: { ...schedule, periodTicks: 1_000_000 },
    });
    const [even] = await handleResyncEvent({ ...scheduledEvent, time: new Date(0).toISOString() }, deps);
    expect(scan.scanned).toEqual([A.account]);
    expect(even).toMatchObject({
      kind: "scheduled",
      orphanCheck: { target: A, orphans: onElb(orphan), shortened: [], calls: 2 },
    });
    expect(sent.map((s) => [s.request.gatewayKey, s.request.reason, s.request.orphanedOn, s.occasion])).toEqual([
      [orphan, "resync", "elb", `orphans:0`],
    ]);
    expect(sent[0]?.request.cause).toContain("orphan check");
    const [odd] = await handleResyncEvent({ ...scheduledEvent, time: new Date(60_000).toISOString() }, deps);
    expect(scan.scanned).toEqual([A.account, B.account]);
    expect(odd).toMatchObject({ orphanCheck: { target: B, orphans: [] } });
  });

  it("runs only on the invocation that lists every record, once per tick", async () => {
    const many = keys(30);
    const states = await storeWith(many.map((k, i) => stateWith(k, `r${i}`)));
    const scan = scanning({ [A.account]: onElb(orphan), [B.account]: onElb(orphan) });
    const everyTick = { ...schedule, periodTicks: 1 };
    const { deps, continued } = harness(states, {
      orphans: scan.orphans,
      maxGatewaysPerInvocation: 1,
      schedule: everyTick,
    });
    const [cut] = await handleResyncEvent(scheduledEvent, deps);
    expect(continued).toHaveLength(1);
    expect(cut).toMatchObject({ kind: "scheduled", continuedFrom: expect.anything() });
    expect(cut && "orphanCheck" in cut).toBe(false);
    expect(scan.scanned).toEqual([]);
    const unlimited = harness(states, { orphans: scan.orphans, schedule: everyTick });
    const [whole] = await handleResyncEvent(scheduledEvent, unlimited.deps);
    expect(whole).toMatchObject({ orphanCheck: { orphans: onElb(orphan) } });
    expect(scan.scanned).toHaveLength(1);
  });

  it("names the plane of each orphan's tagged resources: one request per plane, Lattice's its own message", async () => {
    const lattice = parseClusterGatewayKey("prod-1/apps/mesh");
    const both = parseClusterGatewayKey("prod-1/apps/switching");
    const states = await storeWith(recorded.map((k, i) => stateWith(k, `r${i}`)));
    const scan = scanning({
      [A.account]: [
        { key: both, planes: ["elb", "lattice"] },
        { key: lattice, planes: ["lattice"] },
        // Recorded: left alone whatever plane its resources are on.
        { key: recorded[1] as ClusterGatewayKey, planes: ["lattice"] },
      ],
    });
    const { deps, sent } = harness(states, {
      orphans: scan.orphans,
      schedule: { ...schedule, periodTicks: 1_000_000 },
    });
    // Tick 0: target A.
    const [outcome] = await handleResyncEvent({ ...scheduledEvent, time: new Date(0).toISOString() }, deps);
    expect(outcome).toMatchObject({
      orphanCheck: {
        orphans: [
          { key: both, planes: ["elb", "lattice"] },
          { key: lattice, planes: ["lattice"] },
        ],
      },
    });
    expect(sent.map((s) => [s.request.gatewayKey, s.request.orphanedOn, s.occasion])).toEqual([
      [both, "elb", "orphans:0"],
      [both, "lattice", "orphans:0:lattice"],
      [lattice, "lattice", "orphans:0:lattice"],
    ]);
    expect(sent[2]?.request.cause).toContain("VPC Lattice resources tagged as this Gateway");
    // Two messages for the Gateway with both: neither is a duplicate of the other.
    const [first, second] = sent;
    if (!first || !second) throw new Error("expected two requests");
    expect(deduplicationId(first.request, first.occasion)).not.toBe(deduplicationId(second.request, second.occasion));
  });

  it("leaves shortened tags a record claims out, reports the others, and checks nothing without targets", async () => {
    const name = Array.from({ length: 4 }, () => "g".repeat(62)).join(".");
    const long = parseClusterGatewayKey(`prod-1/apps-namespace/${name}`);
    const states = await storeWith([stateWith(long, "long")]);
    const { tagValue } = await import("../../../shared/elb/naming.ts");
    const claimedTag = `prod-1/${tagValue(`apps-namespace/${name}`)}`;
    expect(claimedTag).not.toBe(long);
    const scan = scanning({}, [claimedTag, "prod-1/apps/other-shortened"]);
    const { deps } = harness(states, { orphans: scan.orphans, schedule: { ...schedule, periodTicks: 1_000_000 } });
    const [outcome] = await handleResyncEvent(scheduledEvent, deps);
    expect(outcome).toMatchObject({ orphanCheck: { orphans: [], shortened: ["prod-1/apps/other-shortened"] } });
    const none = harness(states, { orphans: { targets: async () => [], scan: scan.orphans.scan } });
    const [without] = await handleResyncEvent(scheduledEvent, none.deps);
    expect(without && "orphanCheck" in without).toBe(false);
  });
});
