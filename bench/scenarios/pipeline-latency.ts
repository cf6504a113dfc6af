/**
 * pipeline-latency: apply → first AWS write and apply → route status written for the route's new
 * generation, over N successive HTTPRoute changes on the local pipeline, each waited to completion
 * (the pipeline idle again) before the next. Every API call is recorded (bench/lib/api-recorder.ts),
 * so each change's window splits into time some emulator was answering and time switchyard spent
 * on its own.
 *
 * Attribution, per change, in the window [apply sent, status written]:
 * - emulator time: the union of the intervals during which a call to moto, DynamoDB Local or the
 *   kube-apiserver was in flight (HTTP request handed over → last byte of the answer). Overlapping
 *   calls count once.
 *   - SQS long polls: a ReceiveMessage that returned messages counts from the moment the last of
 *     those messages was accepted by SendMessage (or from its own start, if later) — the queue's
 *     delivery time; long polls that waited for nothing are idle and count for no one.
 *   - Kubernetes watch delivery: from sending the apply until the benchmark's own watch on the
 *     routes saw the new resourceVersion (the forwarder's watch is served by the same apiserver at
 *     the same moment; this is the apiserver's time, an estimate for the forwarder's watch).
 * - switchyard's time: the rest of the window. It includes the forwarder (decode, strip, buffer,
 *   sender), the handlers' own work, the AWS SDK's serialisation, signing and retries, the client
 *   rate limiter, waiting for a busy queue runner, and everything the 2-core machine's contention
 *   adds to those. The queue runners long-poll with WaitTimeSeconds 20 and receive the moment a
 *   message arrives (no batching window, Lambda's default); the forwarder sends HTTPRoute changes
 *   at once (only EndpointSlices are coalesced). So no poll interval of switchyard's choosing sits
 *   in this window; if one did, it would count as switchyard's time.
 */
import type { ApiCall } from "../lib/api-recorder.ts";
import { isAwsWrite } from "../lib/api-recorder.ts";
import { countCalls, emulatorIntervals, type TaggedInterval } from "../lib/attribution.ts";
import { mergePatch, PIPELINE_SETTINGS, PipelineFixture, routeName, routeSpec } from "../lib/pipeline-fixture.ts";
import type { Report, Row } from "../lib/report.ts";
import { coveredWithin, percentile } from "../lib/statistics.ts";

const QUIET_MS = 500;
const CHANGE_TIMEOUT_MS = 60_000;

interface Sample {
  applyToFirstWrite: number;
  applyToStatus: number;
  /** Cumulative times from the apply, per stage (NaN when the stage was not seen). */
  stages: Record<string, number>;
  emulator: Record<"all" | "kube" | "sqs" | "elbv2" | "dynamodb", number>;
  emulatorToFirstWrite: number;
  /** Counted from the apply until the pipeline was idle again (the echo of the status write included). */
  counts: Record<string, number>;
  reconciles: number;
}

export const STAGES = [
  "kube watch delivered",
  "event sent (events.fifo)",
  "ingest received",
  "reconcile requested (reconcile.fifo)",
  "reconcile received",
  "first AWS write",
  "status intents sent",
  "status received",
  "route status written",
] as const;

export async function runPipelineLatency(changes: number, routes: number): Promise<Report> {
  const fixture = await PipelineFixture.start({ routes, endpoints: 3 });
  try {
    const arrivals = new Map<string, number>();
    await fixture.watch("httproutes", (rv, at) => {
      if (!arrivals.has(rv)) arrivals.set(rv, at);
    });
    await fixture.quiet(1_000, 120_000);
    let version = 0;
    // Warm-up (not measured): the first reconcile created the load balancer while it was
    // provisioning; the next reconcile reads it active and the Gateway turns Programmed.
    for (let w = 0; w < 3 || !(await fixture.gatewayProgrammed()); w++) {
      if (w >= 10) throw new Error("the Gateway did not become Programmed during the warm-up");
      await change(fixture, w % routes, ++version, arrivals);
    }
    const samples: Sample[] = [];
    for (let k = 0; k < changes; k++) {
      samples.push(await change(fixture, k % routes, ++version, arrivals));
      process.stderr.write(
        `pipeline-latency: change ${k + 1}/${changes}: ${Math.round(samples.at(-1)?.applyToStatus ?? 0)} ms\n`,
      );
    }
    return summarise(samples);
  } finally {
    await fixture.stop();
  }
}

async function change(fixture: PipelineFixture, i: number, v: number, arrivals: Map<string, number>): Promise<Sample> {
  const name = routeName(i);
  await fixture.quiet(QUIET_MS, CHANGE_TIMEOUT_MS);
  const object = `HTTPRoute ${fixture.namespace}/${name}`;
  const written = fixture.nextProgress(
    (p) => p.event.stage === "status" && p.event.object === object && p.event.outcome === "written",
    CHANGE_TIMEOUT_MS,
    `the status of ${object} to be written`,
  );
  const t0 = performance.now();
  const patched = (await fixture.objects.patchNamespacedCustomObject(
    { ...fixture.resource("httproutes"), name, body: { spec: routeSpec(i, v) } },
    mergePatch,
  )) as { metadata: { resourceVersion: string; generation: number } };
  const applyEnd = performance.now();
  const tStatus = (await written).at;
  await fixture.quiet(QUIET_MS, CHANGE_TIMEOUT_MS);
  const tIdle = performance.now();
  if (!(await fixture.routeCurrent(name)))
    throw new Error(`${object}: status is not for generation ${patched.metadata.generation}`);
  if (!(await fixture.gatewayProgrammed())) throw new Error("the Gateway is not Programmed after a route change");

  const calls = fixture.recorder.calls;
  const window = { start: t0, end: tStatus };
  const watched = arrivals.get(patched.metadata.resourceVersion) ?? applyEnd;
  const intervals = emulatorIntervals(calls, window, { start: t0, end: Math.max(applyEnd, watched) });
  const union = (filter: (tagged: TaggedInterval) => boolean) => coveredWithin(intervals.filter(filter), window);
  const queues = fixture.pipeline?.queues;
  if (queues === undefined) throw new Error("the pipeline is not running");
  const stages = stageMarks(calls, t0, tStatus, watched, queues);
  const firstWrite = t0 + (stages["first AWS write"] ?? Number.NaN);

  const counts = countCalls(calls, t0, tIdle);
  const reconciles = fixture.progress.filter((p) => p.at >= t0 && p.at < tIdle && p.event.stage === "reconcile").length;
  fixture.recorder.clear();
  return {
    applyToFirstWrite: firstWrite - t0,
    applyToStatus: tStatus - t0,
    stages,
    emulator: {
      all: union(() => true),
      kube: union((t) => t.label === "kube"),
      sqs: union((t) => t.label === "sqs"),
      elbv2: union((t) => t.label === "elbv2"),
      dynamodb: union((t) => t.label === "dynamodb"),
    },
    emulatorToFirstWrite: coveredWithin(intervals, { start: t0, end: firstWrite }),
    counts,
    reconciles,
  };
}

function stageMarks(
  calls: readonly ApiCall[],
  t0: number,
  tStatus: number,
  watched: number,
  queues: { events: string; reconcile: string; status: string },
): Record<string, number> {
  const after = (from: number, match: (c: ApiCall) => boolean) =>
    calls.find((c) => !Number.isNaN(c.end) && c.end >= from && c.end <= tStatus && match(c));
  const sent = (queue: string, from: number) =>
    after(from, (c) => c.queueUrl === queue && (c.operation === "SendMessage" || c.operation === "SendMessageBatch"));
  // A long poll can hand a message over before the sender has read its own answer: match from the
  // send's start, so such a delivery counts (its step from the send is then slightly negative).
  const received = (send: ApiCall | undefined) =>
    send === undefined
      ? undefined
      : after(
          send.start,
          (c) => c.operation === "ReceiveMessage" && (c.receivedIds ?? []).some((id) => send.sentIds?.includes(id)),
        );
  const event = sent(queues.events, t0);
  const ingest = received(event);
  const request = sent(queues.reconcile, ingest?.end ?? t0);
  const reconcile = received(request);
  const write = after(t0, (c) => c.service === "elasticloadbalancing" && isAwsWrite(c));
  const status = sent(queues.status, reconcile?.end ?? t0);
  const statusIn = received(status);
  const at = (c: ApiCall | undefined) => (c === undefined ? Number.NaN : c.end - t0);
  const marks: Record<(typeof STAGES)[number], number> = {
    "kube watch delivered": watched - t0,
    "event sent (events.fifo)": at(event),
    "ingest received": at(ingest),
    "reconcile requested (reconcile.fifo)": at(request),
    "reconcile received": at(reconcile),
    "first AWS write": at(write),
    "status intents sent": at(status),
    "status received": at(statusIn),
    "route status written": tStatus - t0,
  };
  return marks;
}

const ms = (n: number) => (Number.isNaN(n) ? "—" : `${Math.round(n)}`);

function summarise(samples: Sample[]): Report {
  const p = (values: number[], q: number) =>
    percentile(
      values.filter((v) => !Number.isNaN(v)),
      q,
    );
  const row = (what: string, values: number[]): Row => ({
    measure: what,
    samples: values.filter((v) => !Number.isNaN(v)).length,
    "p50 ms": ms(p(values, 50)),
    "p95 ms": ms(p(values, 95)),
    "max ms": ms(p(values, 100)),
  });
  const by = (f: (s: Sample) => number) => samples.map(f);
  const summary: Row[] = [
    row(
      "apply → first AWS write",
      by((s) => s.applyToFirstWrite),
    ),
    row(
      "apply → route status written (generation current)",
      by((s) => s.applyToStatus),
    ),
    row(
      "  emulators answering (union; moto, DynamoDB Local, kube-apiserver)",
      by((s) => s.emulator.all),
    ),
    row(
      "  switchyard's own time (window − emulators)",
      by((s) => s.applyToStatus - s.emulator.all),
    ),
    row(
      "    of which before the first AWS write",
      by((s) => s.applyToFirstWrite - s.emulatorToFirstWrite),
    ),
    row(
      "  kube-apiserver (apply, watch delivery, status GET/PATCH)",
      by((s) => s.emulator.kube),
    ),
    row(
      "  moto SQS (sends, deliveries, deletes)",
      by((s) => s.emulator.sqs),
    ),
    row(
      "  moto ELBv2",
      by((s) => s.emulator.elbv2),
    ),
    row(
      "  DynamoDB Local",
      by((s) => s.emulator.dynamodb),
    ),
  ];
  const stages: Row[] = STAGES.map((stage, index) => {
    const cumulative = by((s) => s.stages[stage] ?? Number.NaN);
    const previous = index === 0 ? undefined : STAGES[index - 1];
    const step = by(
      (s) => (s.stages[stage] ?? Number.NaN) - (previous === undefined ? 0 : (s.stages[previous] ?? Number.NaN)),
    );
    return {
      stage,
      samples: cumulative.filter((v) => !Number.isNaN(v)).length,
      "since apply p50": ms(p(cumulative, 50)),
      "since apply p95": ms(p(cumulative, 95)),
      "step p50": ms(p(step, 50)),
      "step p95": ms(p(step, 95)),
    };
  });
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s.counts)))].sort();
  const counts: Row[] = [
    {
      call: "reconciles (the change's, then the echo of its status write)",
      median: percentile(
        by((s) => s.reconciles),
        50,
      ),
      max: percentile(
        by((s) => s.reconciles),
        100,
      ),
    },
    ...keys.map((key) => ({
      call: key,
      median: percentile(
        by((s) => s.counts[key] ?? 0),
        50,
      ),
      max: percentile(
        by((s) => s.counts[key] ?? 0),
        100,
      ),
    })),
  ];
  return {
    tables: [
      { title: `pipeline-latency: ${samples.length} HTTPRoute changes, each waited to completion`, rows: summary },
      {
        title: "pipeline-latency: where the time goes (cumulative from the apply; step = since the previous stage)",
        rows: stages,
      },
      { title: "pipeline-latency: calls per change, from the apply until the pipeline is idle again", rows: counts },
    ],
    settings: { ...PIPELINE_SETTINGS, quietMs: QUIET_MS },
  };
}
