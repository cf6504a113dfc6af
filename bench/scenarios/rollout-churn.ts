/**
 * rollout-churn: a rolling update of the Service behind every route of one Gateway, as the
 * EndpointSlice controller would report it, on the local pipeline: N/4 pods replaced one at a
 * time (maxSurge 1, maxUnavailable 0), each replacement four EndpointSlice updates — new pod
 * added not ready, new pod ready, old pod terminating, old pod removed — so N pod changes in all,
 * spread over two EndpointSlices. No controller manager runs in the test cluster, so the
 * benchmark writes the slices itself (merge patches), either as fast as the apiserver takes them
 * or paced at a given rate. Then it waits until the pipeline is idle and counts what ran: events
 * forwarded, reconciles, and their ELBv2 and DynamoDB calls (recorded, not estimated). Finally
 * the target group in moto must hold exactly the new pods.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { motoSettings } from "../../test/env/clients.ts";
import { isDynamoDbRead, isDynamoDbWrite } from "../lib/api-recorder.ts";
import { countCalls } from "../lib/attribution.ts";
import {
  endpointSlice,
  mergePatch,
  PIPELINE_SETTINGS,
  PipelineFixture,
  type Pod,
  podIp,
  sliceName,
} from "../lib/pipeline-fixture.ts";
import type { Report, Row } from "../lib/report.ts";

const SLICES = 2;
const ROUTES = 5;
/** How long the pipeline must be idle to count as done: longer than the forwarder's EndpointSlice window. */
const quietMs = (windowMs: number) => Math.max(2_000, windowMs + 1_000);

/** One EndpointSlice update: the slice and the pods it then holds. */
interface SliceUpdate {
  slice: number;
  pods: Pod[];
}

/** The rollout as a list of slice updates: `replicas` pods replaced, four updates each. */
export function rolloutUpdates(replicas: number, slices: number): SliceUpdate[] {
  const members = Array.from({ length: slices }, (_, k) =>
    Array.from({ length: replicas }, (_, n) => n)
      .filter((n) => n % slices === k)
      .map((n): Pod => ({ ip: podIp(n), ready: true })),
  );
  const updates: SliceUpdate[] = [];
  const emit = (slice: number) => updates.push({ slice, pods: (members[slice] ?? []).map((pod) => ({ ...pod })) });
  for (let old = 0; old < replicas; old++) {
    // The new pod takes the old one's slot (same slice), as the controller fills slices it has.
    const slice = old % slices;
    const pods = members[slice] ?? [];
    const fresh: Pod = { ip: podIp(replicas + old), ready: false };
    pods.push(fresh);
    emit(slice);
    fresh.ready = true;
    emit(slice);
    const leaving = pods.find((pod) => pod.ip === podIp(old));
    if (leaving === undefined) throw new Error(`pod ${old} is not in slice ${slice}`);
    leaving.ready = false;
    leaving.terminating = true;
    emit(slice);
    pods.splice(pods.indexOf(leaving), 1);
    emit(slice);
  }
  return updates;
}

export async function runRolloutChurn(changes: number, perSecond: number, windowMs: number): Promise<Report> {
  const replicas = Math.ceil(changes / 4);
  const updates = rolloutUpdates(replicas, SLICES);
  const QUIET_MS = quietMs(windowMs);
  const fixture = await PipelineFixture.start({
    routes: ROUTES,
    endpoints: replicas,
    slices: SLICES,
    endpointSliceWindowMs: windowMs,
  });
  const elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  try {
    // Until the Gateway is Programmed, nothing is measured: the pipeline may look idle while a
    // reconcile refused before the forwarder's snapshots arrived waits to be redelivered, and the
    // load balancer may still be provisioning at the first reconcile (one more change reads it).
    await fixture.quiet(QUIET_MS, 180_000);
    for (let warmup = 1; !(await fixture.gatewayProgrammed()); warmup++) {
      if (warmup > 10) throw new Error("the Gateway is not Programmed after 10 warm-up changes");
      await fixture.discovery.patchNamespacedEndpointSlice(
        {
          namespace: fixture.namespace,
          name: sliceName(0),
          body: { metadata: { labels: { warmup: String(warmup) } } },
        },
        mergePatch,
      );
      await fixture.quiet(QUIET_MS, 60_000);
    }
    fixture.recorder.clear();
    const t0 = performance.now();
    const progressBefore = fixture.progress.length;
    const apply = (update: SliceUpdate) =>
      fixture.discovery.patchNamespacedEndpointSlice(
        {
          namespace: fixture.namespace,
          name: sliceName(update.slice),
          body: { endpoints: endpointSlice(sliceName(update.slice), update.pods).endpoints },
        },
        mergePatch,
      );
    if (perSecond > 0) {
      for (const [index, update] of updates.entries()) {
        const due = t0 + (index * 1000) / perSecond;
        if (due > performance.now()) await delay(due - performance.now());
        await apply(update);
      }
    } else {
      // As fast as the apiserver takes them: each slice's updates in order, the slices side by side.
      await Promise.all(
        Array.from({ length: SLICES }, async (_, k) => {
          for (const update of updates.filter((u) => u.slice === k)) await apply(update);
        }),
      );
    }
    const tApplied = performance.now();
    await fixture.quiet(QUIET_MS, 300_000);
    const tIdle = performance.now() - QUIET_MS;

    const expected = new Set(Array.from({ length: replicas }, (_, n) => podIp(replicas + n)));
    const registered = await targetIps(elbv2);
    const converged = registered.length === expected.size && registered.every((ip) => expected.has(ip));
    if (!converged)
      throw new Error(`the target group holds ${registered.length} targets, not the ${expected.size} new pods`);

    const calls = fixture.recorder.calls.filter((c) => !Number.isNaN(c.end));
    const counts = countCalls(calls, t0, tIdle + QUIET_MS);
    const queues = fixture.pipeline?.queues;
    const entriesTo = (queue: string | undefined) =>
      calls
        .filter((c) => c.queueUrl === queue && c.start >= t0 && /^SendMessage/.test(c.operation))
        .reduce((n, c) => n + (c.items ?? 1), 0);
    const progress = fixture.progress.slice(progressBefore);
    const received = progress.flatMap((p) => (p.event.stage === "reconcile" ? [p.event] : []));
    // A deferred request (endpoint-only, paced) ran nothing: it is counted on its own row.
    const reconciles = received.filter((r) => r.deferredSeconds === undefined);
    const deferrals = received.length - reconciles.length;
    const ingests = progress.flatMap((p) => (p.event.stage === "ingest" ? [p.event] : []));
    const statuses = progress.flatMap((p) => (p.event.stage === "status" ? [p.event] : []));
    const byKey = (values: string[]) => {
      const tally = new Map<string, number>();
      for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
      return [...tally].map(([k, n]) => `${k}×${n}`).join(" ");
    };
    const sum = (prefix: string) =>
      Object.entries(counts)
        .filter(([key]) => key.startsWith(prefix))
        .reduce((n, [, c]) => n + c, 0);
    const ops = (prefix: string) =>
      Object.entries(counts)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, n]) => `${key.slice(prefix.length)}×${n}`)
        .join(" ");
    const recorded = calls.filter((c) => c.start >= t0);
    const pace = perSecond > 0 ? `paced at ${perSecond}/s` : "as fast as the apiserver takes them";
    const rows: Row[] = [
      {
        measure: "pod changes (EndpointSlice updates)",
        count: updates.length,
        detail: `${replicas} pods replaced, ${SLICES} slices, ${pace}`,
      },
      { measure: "seconds to apply them", count: round((tApplied - t0) / 1000), detail: "" },
      { measure: "seconds from the first change until idle", count: round((tIdle - t0) / 1000), detail: "" },
      {
        measure: "events sent to events.fifo",
        count: entriesTo(queues?.events),
        detail: `the forwarder passes one EndpointSlice update per slice per ${windowMs / 1000} s window`,
      },
      {
        measure: "ingest batches",
        count: ingests.length,
        detail: `${ingests.reduce((n, e) => n + e.records, 0)} records`,
      },
      { measure: "reconcile requests sent", count: entriesTo(queues?.reconcile), detail: "ingest's, plus requeues" },
      {
        measure: "reconciles run",
        count: reconciles.length,
        detail: `${byKey(reconciles.map((r) => r.reason))}; outcomes ${byKey(reconciles.map((r) => r.outcome))}`,
      },
      {
        measure: "deferrals (paced endpoint-only requests put back)",
        count: deferrals,
        detail: "each a GetItem of the dirty record and a ChangeMessageVisibility",
      },
      { measure: "ELBv2 calls", count: sum("elbv2 "), detail: ops("elbv2 ") },
      { measure: "DynamoDB calls", count: sum("dynamodb "), detail: ops("dynamodb ") },
      {
        measure: "  DynamoDB reads / writes",
        count: `${recorded.filter(isDynamoDbRead).length} / ${recorded.filter(isDynamoDbWrite).length}`,
        detail: `items read ${recorded.reduce((n, c) => n + (isDynamoDbRead(c) ? (c.itemsRead ?? 0) : 0), 0)}`,
      },
      { measure: "SQS calls (all queues)", count: sum("sqs "), detail: ops("sqs ") },
      { measure: "status writes", count: statuses.length, detail: byKey(statuses.map((s) => s.outcome)) },
      { measure: "kube-apiserver calls by the status writer", count: sum("kube "), detail: ops("kube ") },
      {
        measure: "reconciles per pod change",
        count: round(reconciles.length / updates.length, 3),
        detail: `AWS calls per pod change: ELBv2 ${round(sum("elbv2 ") / updates.length, 3)}, DynamoDB ${round(sum("dynamodb ") / updates.length, 2)}`,
      },
    ];
    return {
      tables: [
        {
          title: `rollout-churn: ${updates.length} pod changes, ${pace}, EndpointSlice window ${windowMs} ms, ${ROUTES} routes on one Gateway`,
          rows,
        },
      ],
      settings: { ...PIPELINE_SETTINGS, endpointSliceWindowMs: windowMs, quietMs: QUIET_MS },
    };
  } finally {
    elbv2.destroy();
    await fixture.stop();
  }
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Every registered target's IP in every target group moto holds (the run's moto has only ours). */
async function targetIps(elbv2: ElasticLoadBalancingV2Client): Promise<string[]> {
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  const ips: string[] = [];
  for (const group of TargetGroups) {
    const { TargetHealthDescriptions = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
    );
    for (const target of TargetHealthDescriptions) if (target.Target?.Id) ips.push(target.Target.Id);
  }
  return ips.sort();
}
