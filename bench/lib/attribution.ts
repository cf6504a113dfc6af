/**
 * Which parts of a time window the emulators spent answering (pure, over recorded calls); see
 * bench/scenarios/pipeline-latency.ts for how the benchmark uses it.
 */
import type { ApiCall } from "./api-recorder.ts";
import type { Interval } from "./statistics.ts";

export interface TaggedInterval extends Interval {
  label: string;
}

/**
 * Calls per `service operation` made in [from, to): those started in it, and long polls that
 * delivered messages in it (they usually started earlier); long polls that returned nothing are
 * the runners idling and are not counted.
 */
export function countCalls(calls: readonly ApiCall[], from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) {
    const counted =
      c.operation === "ReceiveMessage"
        ? (c.receivedIds?.length ?? 0) > 0 && c.end >= from && c.end < to
        : c.start >= from && c.start < to;
    if (!counted) continue;
    const key = `${serviceLabel(c)} ${c.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function serviceLabel(call: ApiCall): string {
  if (call.endpoint === "kube") return "kube";
  if (call.service === "elasticloadbalancing") return "elbv2";
  return call.service;
}

/**
 * The intervals during which an emulator was answering, of calls that overlap `window`: each call
 * from its start to its end (a call still in flight, to the window's end). An SQS ReceiveMessage
 * counts only if it returned messages, and only from the moment the last of them had been accepted
 * by a recorded send (its own start, if later): before that the long poll was waiting for work that
 * did not exist yet. `watch` is added as Kubernetes time (the apply until the watch delivered it).
 */
export function emulatorIntervals(calls: readonly ApiCall[], window: Interval, watch: Interval): TaggedInterval[] {
  const accepted = new Map<string, number>();
  for (const call of calls) for (const id of call.sentIds ?? []) accepted.set(id, call.end);
  const intervals: TaggedInterval[] = [{ ...watch, label: "kube" }];
  for (const call of calls) {
    const end = Number.isNaN(call.end) ? window.end : call.end;
    if (end <= window.start || call.start >= window.end) continue;
    let start = call.start;
    if (call.operation === "ReceiveMessage") {
      const ids = call.receivedIds ?? [];
      if (ids.length === 0) continue;
      start = Math.max(start, ...ids.map((id) => accepted.get(id) ?? call.start));
    }
    intervals.push({ start, end, label: serviceLabel(call) });
  }
  return intervals;
}
