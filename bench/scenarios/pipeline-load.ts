/**
 * pipeline-load: end-to-end latency under a steady load on the local pipeline (`startPipeline`,
 * cli/dev/pipeline.ts, against moto, DynamoDB Local and kube-apiserver): N ALB Gateways with one
 * HTTPRoute each, then HTTPRoute changes at a fixed rate (default 10 per second across 100
 * Gateways, round-robin, each a new path prefix), sent on schedule without waiting for the pipeline.
 *
 * Per change:
 * - apply → first AWS write: the first ELBv2 write whose request carries the change's new path
 *   (`/g<k>/v<v>`, seen in the request body by a wrapper around the SDK's HTTP handler), measured
 *   at the end of that call;
 * - apply → route status written: the first status write for that route after that AWS write.
 *   A route changes every N / rate seconds (10 s by default), so at most one change per route is
 *   in flight unless the pipeline falls that far behind (then a later change's write may answer
 *   for both; `overtaken` counts changes whose path never reached AWS because a newer one came
 *   first).
 * The Gateways stay Programmed through route changes; after the run every Gateway must be
 * Programmed and every route's status current (the run stops otherwise).
 *
 * It also reports the per-change counts the fleet model (bench/fleet-model.ts) takes as inputs:
 * handler invocations and their durations (receive → delete of the same batch, per queue: each
 * runner handles one batch at a time), SQS requests, DynamoDB calls and items, ELBv2 calls, and the
 * size of the DynamoDB items the run left.
 */

import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpRequest } from "@smithy/protocol-http";
import type { HttpHandlerOptions } from "@smithy/types";
import { DUMMY_CREDENTIALS, TEST_REGION } from "../../test/env/clients.ts";
import { ENV } from "../../test/env/variables.ts";
import type { ApiCall } from "../lib/api-recorder.ts";
import { countCalls } from "../lib/attribution.ts";
import { GROUP, type LiveObject, mergePatch, PIPELINE_SETTINGS, PipelineFixture } from "../lib/pipeline-fixture.ts";
import type { Report, Row } from "../lib/report.ts";
import { median, percentile } from "../lib/statistics.ts";

const QUIET_MS = 1_000;
const SETTLE_TIMEOUT_MS = 900_000;

export function gatewayName(k: number): string {
  return k === 0 ? "gw" : `gw-${k}`;
}
function routeName(k: number): string {
  return `load-${k}`;
}
function routeSpec(k: number, v: number) {
  return {
    parentRefs: [{ name: gatewayName(k) }],
    rules: [
      {
        matches: [{ path: { type: "PathPrefix", value: `/g${k}/v${v}` } }],
        backendRefs: [{ name: "web", port: 8080 }],
      },
    ],
  };
}

interface Change {
  k: number;
  v: number;
  sent: number;
  firstWrite?: number;
  statusWritten?: number;
}

/** DynamoDB's item size: attribute names plus values (strings and binaries by bytes, numbers ≈ digits/2 + 1). */
export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, "").length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  return 0;
}

export async function runPipelineLoad(gateways: number, perSecond: number, seconds: number): Promise<Report> {
  const fixture = await PipelineFixture.start({ routes: 0, endpoints: 3 });
  // Which change's path reached AWS when: ELBv2 writes carrying `/g<k>/v<v>` (query protocol body).
  const firstWrites = new Map<string, number>();
  const prototype = NodeHttpHandler.prototype;
  const recorded = prototype.handle;
  prototype.handle = async function watchedHandle(
    this: NodeHttpHandler,
    request: HttpRequest,
    options?: HttpHandlerOptions,
  ) {
    const body = typeof request.body === "string" ? request.body : "";
    const result = await recorded.call(this, request, options);
    if (body.includes("Action=") && !/Action=(Describe|Get|List)/.test(body)) {
      const at = performance.now();
      for (const m of decodeURIComponent(body.replace(/\+/g, " ")).matchAll(/\/g(\d+)\/v(\d+)/g)) {
        const key = `${m[1]}/${m[2]}`;
        if (!firstWrites.has(key)) firstWrites.set(key, at);
      }
    }
    return result;
  };
  const routeStatusWrites = new Map<string, number[]>();
  try {
    // N Gateways (the fixture's `gw` is the first), one route each.
    for (let k = 1; k < gateways; k++)
      await fixture.objects.createNamespacedCustomObject({
        ...fixture.resource("gateways"),
        body: {
          apiVersion: `${GROUP}/v1`,
          kind: "Gateway",
          metadata: { name: gatewayName(k) },
          spec: { gatewayClassName: fixture.className, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
        },
      });
    for (let k = 0; k < gateways; k++)
      await fixture.objects.createNamespacedCustomObject({
        ...fixture.resource("httproutes"),
        body: { apiVersion: `${GROUP}/v1`, kind: "HTTPRoute", metadata: { name: routeName(k) }, spec: routeSpec(k, 0) },
      });
    const versions = Array.from({ length: gateways }, () => 0);
    const setupStart = performance.now();
    await fixture.quiet(QUIET_MS, SETTLE_TIMEOUT_MS);
    // Warm-up rounds (not measured): a load balancer created while provisioning turns Programmed
    // on a later reconcile; one change per route not yet Programmed, until all are.
    for (let round = 0; ; round++) {
      const pending = await notProgrammed(fixture, gateways);
      process.stderr.write(`pipeline-load: setup round ${round}: ${pending.length} Gateways not Programmed\n`);
      if (pending.length === 0) break;
      if (round >= 4) throw new Error(`${pending.length} Gateways never became Programmed`);
      for (const k of pending) {
        versions[k] = (versions[k] ?? 0) + 1;
        await patch(fixture, k, versions[k]);
      }
      await fixture.quiet(QUIET_MS, SETTLE_TIMEOUT_MS);
    }
    const setupMs = performance.now() - setupStart;
    fixture.recorder.clear();
    const progressFrom = fixture.progress.length;

    // The load: change j at start + j / rate, to route j mod N.
    const total = Math.round(perSecond * seconds);
    const changes: Change[] = [];
    const patches: Promise<unknown>[] = [];
    const start = performance.now();
    for (let j = 0; j < total; j++) {
      const due = start + (j * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const k = j % gateways;
      const v = (versions[k] ?? 0) + 1;
      versions[k] = v;
      const change: Change = { k, v, sent: performance.now() };
      changes.push(change);
      patches.push(patch(fixture, k, v));
    }
    await Promise.all(patches);
    const sendEnd = performance.now();
    await fixture.quiet(QUIET_MS, SETTLE_TIMEOUT_MS);
    const idle = performance.now();

    // Every Gateway Programmed, every route's status for its generation.
    const stale = await notProgrammed(fixture, gateways);
    if (stale.length > 0)
      throw new Error(`after the load, Gateways not Programmed: ${stale.map(gatewayName).join(", ")}`);
    const staleRoutes = await routesNotCurrent(fixture, gateways);
    if (staleRoutes.length > 0) throw new Error(`after the load, route status not current: ${staleRoutes.join(", ")}`);

    const progress = fixture.progress.slice(progressFrom);
    for (const p of progress) {
      if (p.event.stage !== "status" || p.event.outcome !== "written") continue;
      const list = routeStatusWrites.get(p.event.object) ?? [];
      list.push(p.at);
      routeStatusWrites.set(p.event.object, list);
    }
    for (const c of changes) {
      c.firstWrite = firstWrites.get(`${c.k}/${c.v}`);
      if (c.firstWrite === undefined) continue;
      const object = `HTTPRoute ${fixture.namespace}/${routeName(c.k)}`;
      c.statusWritten = routeStatusWrites.get(object)?.find((t) => t >= (c.firstWrite ?? 0));
    }
    const calls = fixture.recorder.calls;
    const counts = countCalls(calls, start, idle);
    const invocations = handlerInvocations(calls, fixture.queueUrls());
    const reconciles = progress.filter((p) => p.event.stage === "reconcile");
    const table = fixture.pipeline?.tableName ?? "";
    const items = await tableItems(fixture, table);
    return summarise({
      gateways,
      perSecond,
      seconds,
      changes,
      counts,
      invocations,
      reconciles: reconciles.length,
      reconcileOutcomes: tally(reconciles.map((p) => (p.event.stage === "reconcile" ? p.event.outcome : ""))),
      sendSeconds: (sendEnd - start) / 1000,
      drainSeconds: (idle - start) / 1000,
      setupSeconds: setupMs / 1000,
      calls: calls.filter((c) => c.start >= start && c.start < idle),
      items,
    });
  } finally {
    prototype.handle = recorded;
    await fixture.stop();
  }
}

async function patch(fixture: PipelineFixture, k: number, v: number): Promise<void> {
  await fixture.objects.patchNamespacedCustomObject(
    { ...fixture.resource("httproutes"), name: routeName(k), body: { spec: routeSpec(k, v) } },
    mergePatch,
  );
}

async function notProgrammed(fixture: PipelineFixture, gateways: number): Promise<number[]> {
  const list = (await fixture.objects.listNamespacedCustomObject(fixture.resource("gateways"))) as {
    items: LiveObject[];
  };
  const programmed = new Set(
    list.items
      .filter((gw) =>
        ["Accepted", "Programmed"].every((type) =>
          (gw.status?.conditions ?? []).some(
            (c) => c.type === type && c.status === "True" && c.observedGeneration === gw.metadata.generation,
          ),
        ),
      )
      .map((gw) => gw.metadata.name),
  );
  return Array.from({ length: gateways }, (_, k) => k).filter((k) => !programmed.has(gatewayName(k)));
}

async function routesNotCurrent(fixture: PipelineFixture, gateways: number): Promise<string[]> {
  const list = (await fixture.objects.listNamespacedCustomObject(fixture.resource("httproutes"))) as {
    items: LiveObject[];
  };
  const stale: string[] = [];
  for (let k = 0; k < gateways; k++) {
    const route = list.items.find((r) => r.metadata.name === routeName(k));
    const parent = route?.status?.parents?.find((p) => p.parentRef.name === gatewayName(k));
    const current =
      route &&
      parent?.conditions.every((c) => c.observedGeneration === route.metadata.generation) &&
      parent.conditions.some((c) => c.type === "Accepted" && c.status === "True");
    if (!current) stale.push(routeName(k));
  }
  return stale;
}

interface Invocation {
  queue: "events" | "reconcile" | "status";
  messages: number;
  ms: number;
}

/**
 * Handler invocations from the recorded SQS calls: each runner handles one batch at a time, so a
 * receive that returned messages is followed on its queue by that batch's delete (or visibility
 * change); the time between them is the handler's.
 */
export function handlerInvocations(calls: readonly ApiCall[], queues: readonly string[]): Invocation[] {
  const names = ["events", "reconcile", "status"] as const;
  const out: Invocation[] = [];
  queues.forEach((url, i) => {
    const queue = names[i];
    if (queue === undefined) return;
    const onQueue = calls.filter((c) => c.queueUrl === url && !Number.isNaN(c.end)).sort((a, b) => a.start - b.start);
    for (let n = 0; n < onQueue.length; n++) {
      const receive = onQueue[n];
      if (receive?.operation !== "ReceiveMessage" || (receive.receivedIds?.length ?? 0) === 0) continue;
      const done = onQueue
        .slice(n + 1)
        .find((c) =>
          /^(DeleteMessage|DeleteMessageBatch|ChangeMessageVisibility|ChangeMessageVisibilityBatch)$/.test(c.operation),
        );
      if (done === undefined) continue;
      out.push({ queue, messages: receive.receivedIds?.length ?? 0, ms: done.start - receive.end });
    }
  });
  return out;
}

async function tableItems(
  fixture: PipelineFixture,
  tableName: string,
): Promise<{ items: number; bytes: number; byKind: Record<string, { items: number; bytes: number }> }> {
  const dynamo = new DynamoDBClient({
    endpoint: fixture.env.variables[ENV.dynamoDbEndpoint] ?? "",
    region: TEST_REGION,
    credentials: DUMMY_CREDENTIALS,
  });
  let items = 0;
  let bytes = 0;
  const byKind: Record<string, { items: number; bytes: number }> = {};
  try {
    for await (const page of paginateScan({ client: dynamo }, { TableName: tableName })) {
      for (const item of page.Items ?? []) {
        const size = itemSize(item);
        items++;
        bytes += size;
        const kind = (item.pk?.S ?? item.PK?.S ?? "?").split(/[#|/]/)[0] ?? "?";
        const seen = byKind[kind] ?? { items: 0, bytes: 0 };
        seen.items++;
        seen.bytes += size;
        byKind[kind] = seen;
      }
    }
  } finally {
    dynamo.destroy();
  }
  return { items, bytes, byKind };
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

interface Run {
  gateways: number;
  perSecond: number;
  seconds: number;
  changes: Change[];
  counts: Record<string, number>;
  invocations: Invocation[];
  reconciles: number;
  reconcileOutcomes: Record<string, number>;
  sendSeconds: number;
  drainSeconds: number;
  setupSeconds: number;
  calls: ApiCall[];
  items: { items: number; bytes: number; byKind: Record<string, { items: number; bytes: number }> };
}

const round = (n: number, d = 0) => Number(n.toFixed(d));

function summarise(run: Run): Report {
  const n = run.changes.length;
  const toWrite = run.changes.flatMap((c) => (c.firstWrite === undefined ? [] : [c.firstWrite - c.sent]));
  const toStatus = run.changes.flatMap((c) =>
    c.firstWrite === undefined || c.statusWritten === undefined ? [] : [c.statusWritten - c.sent],
  );
  const half = Math.floor(n / 2);
  const firstHalf = run.changes
    .slice(0, half)
    .flatMap((c) => (c.firstWrite === undefined ? [] : [c.firstWrite - c.sent]));
  const secondHalf = run.changes
    .slice(half)
    .flatMap((c) => (c.firstWrite === undefined ? [] : [c.firstWrite - c.sent]));
  const latency = (measure: string, values: number[]): Row => ({
    measure,
    samples: values.length,
    "p50 ms": values.length ? round(percentile(values, 50)) : "—",
    "p95 ms": values.length ? round(percentile(values, 95)) : "—",
    "max ms": values.length ? round(percentile(values, 100)) : "—",
  });
  const byQueue = (q: Invocation["queue"]) => run.invocations.filter((i) => i.queue === q);
  const perChange = (x: number) => round(x / n, 3);
  const sum = (prefix: string) =>
    Object.entries(run.counts)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((a, [, v]) => a + v, 0);
  const dynamoCalls = run.calls.filter((c) => c.service === "dynamodb");
  const itemsWritten = dynamoCalls
    .filter((c) => /Put|Update|Delete|Write/.test(c.operation))
    .reduce((a, c) => a + (c.items ?? 1), 0);
  const itemsRead = dynamoCalls.reduce((a, c) => a + (c.itemsRead ?? 0), 0);
  const sqsRequests = run.calls.filter(
    (c) => c.service === "sqs" && (c.operation !== "ReceiveMessage" || (c.receivedIds?.length ?? 0) > 0),
  ).length;
  const emptyPolls = run.calls.filter(
    (c) => c.service === "sqs" && c.operation === "ReceiveMessage" && (c.receivedIds?.length ?? 0) === 0,
  ).length;
  const handlerRows: Row[] = (["events", "reconcile", "status"] as const).map((q) => {
    const inv = byQueue(q);
    const ms = inv.map((i) => i.ms);
    return {
      handler: q === "events" ? "ingest" : q,
      invocations: inv.length,
      "per change": perChange(inv.length),
      "messages per invocation": inv.length ? round(inv.reduce((a, i) => a + i.messages, 0) / inv.length, 2) : 0,
      "ms median": ms.length ? round(median(ms)) : "—",
      "ms p95": ms.length ? round(percentile(ms, 95)) : "—",
      "ms mean": ms.length ? round(ms.reduce((a, b) => a + b, 0) / ms.length) : "—",
    };
  });
  const countRows: Row[] = [
    { measure: "changes applied", value: n, "per change": 1 },
    { measure: "reconciles", value: run.reconciles, "per change": perChange(run.reconciles) },
    ...Object.entries(run.reconcileOutcomes).map(([o, v]) => ({
      measure: `  outcome ${o}`,
      value: v,
      "per change": perChange(v),
    })),
    {
      measure: "SQS requests (billed: sends, non-empty receives, deletes, visibility)",
      value: sqsRequests,
      "per change": perChange(sqsRequests),
    },
    {
      measure: "  SQS messages sent",
      value: run.calls.filter((c) => c.service === "sqs").reduce((a, c) => a + (c.sentIds?.length ?? 0), 0),
      "per change": perChange(
        run.calls.filter((c) => c.service === "sqs").reduce((a, c) => a + (c.sentIds?.length ?? 0), 0),
      ),
    },
    { measure: "  empty long polls (idle runners)", value: emptyPolls, "per change": perChange(emptyPolls) },
    { measure: "DynamoDB calls", value: sum("dynamodb "), "per change": perChange(sum("dynamodb ")) },
    { measure: "  items read", value: itemsRead, "per change": perChange(itemsRead) },
    { measure: "  items written", value: itemsWritten, "per change": perChange(itemsWritten) },
    { measure: "ELBv2 calls", value: sum("elbv2 "), "per change": perChange(sum("elbv2 ")) },
    {
      measure: "kube-apiserver calls (status GET/PATCH, the load's own PATCHes)",
      value: sum("kube "),
      "per change": perChange(sum("kube ")),
    },
    ...Object.entries(run.counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => ({ measure: `  ${k}`, value: v, "per change": perChange(v) })),
    { measure: "DynamoDB items in the table after the run", value: run.items.items, "per change": "—" },
    {
      measure: "  mean item size, bytes",
      value: run.items.items ? round(run.items.bytes / run.items.items) : 0,
      "per change": "—",
    },
    ...Object.entries(run.items.byKind).map(([k, v]) => ({
      measure: `  items ${k}`,
      value: v.items,
      "per change": `${round(v.bytes / v.items)} B mean`,
    })),
  ];
  return {
    tables: [
      {
        title: `pipeline-load: ${n} HTTPRoute changes at ${run.perSecond}/s across ${run.gateways} Gateways (sent in ${round(run.sendSeconds, 1)} s, idle after ${round(run.drainSeconds, 1)} s)`,
        rows: [
          latency("apply → first AWS write (the change's path in an ELBv2 write)", toWrite),
          latency("apply → route status written after that write", toStatus),
          latency("  apply → first AWS write, first half of the changes", firstHalf),
          latency("  apply → first AWS write, second half of the changes", secondHalf),
          {
            measure: "changes whose path never reached AWS (a newer change overtook it)",
            samples: n - toWrite.length,
            "p50 ms": "—",
            "p95 ms": "—",
            "max ms": "—",
          },
        ],
      },
      {
        title: "pipeline-load: handler invocations (receive → delete of the batch, per queue runner)",
        rows: handlerRows,
      },
      { title: "pipeline-load: counts over the load, per change", rows: countRows },
    ],
    settings: { ...PIPELINE_SETTINGS, quietMs: QUIET_MS, setupSeconds: round(run.setupSeconds, 1) },
  };
}
