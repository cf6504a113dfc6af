// The watcher's recovery rules against a scripted API server: resume after a clean close, relist
// on 410 and on any other ERROR event (QUIRKS.md K2), back off after connection errors.
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../forwarder/clock.ts";
import { KubeApiError } from "../../../forwarder/kube-api.ts";
import { type CollectionApi, type RelistReason, Watcher } from "../../../forwarder/watcher.ts";
import type { KubeObjectJson } from "../../../shared/events/event.ts";

type WatchLine = { type: string; object: Record<string, unknown> };
/** One scripted watch request: its events, then how it ends. */
type WatchScript = { events: WatchLine[]; end: "close" | Error };

function gw(name: string, resourceVersion: string): KubeObjectJson {
  return { metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion } };
}

class ScriptedApi implements CollectionApi {
  readonly calls: string[] = [];
  private readonly lists: { items: KubeObjectJson[]; resourceVersion: string }[];
  private readonly watches: WatchScript[];
  private readonly whenDone: () => void;

  constructor(
    lists: { items: KubeObjectJson[]; resourceVersion: string }[],
    watches: WatchScript[],
    whenDone: () => void,
  ) {
    this.lists = lists;
    this.watches = watches;
    this.whenDone = whenDone;
  }

  async list(): Promise<{ items: KubeObjectJson[]; resourceVersion: string }> {
    this.calls.push("list");
    const next = this.lists.shift();
    if (next === undefined) throw new Error("unscripted list");
    return next;
  }

  async *watch(_path: string, resourceVersion: string): AsyncGenerator<WatchLine> {
    this.calls.push(`watch@${resourceVersion}`);
    const script = this.watches.shift();
    if (script === undefined) {
      this.whenDone();
      return;
    }
    yield* script.events;
    if (script.end !== "close") throw script.end;
  }
}

/** Sleeps resolve at once; the delays asked for are recorded. */
function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => 0,
    sleep: async (ms) => {
      slept.push(ms);
    },
    setTimer: () => () => undefined,
  };
}

async function runScript(
  lists: { items: KubeObjectJson[]; resourceVersion: string }[],
  watches: WatchScript[],
): Promise<{ calls: string[]; relists: RelistReason[]; upserts: string[]; deletes: string[]; slept: number[] }> {
  const controller = new AbortController();
  const api = new ScriptedApi(lists, watches, () => controller.abort());
  const clock = recordingClock();
  const relists: RelistReason[] = [];
  const upserts: string[] = [];
  const deletes: string[] = [];
  const name = (o: KubeObjectJson): string => String((o.metadata as { name: string }).name);
  const watcher = new Watcher({
    api,
    path: "/apis/gateway.networking.k8s.io/v1/gateways",
    sink: {
      upserted: async (o) => void upserts.push(name(o)),
      deleted: async (o) => void deletes.push(name(o)),
      relisted: async (_items, _rv, reason) => void relists.push(reason),
      synced: () => undefined,
    },
    clock,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1000 },
    log: () => undefined,
    watchTimeoutSeconds: 60,
  });
  expect(await watcher.run(controller.signal)).toBe("stopped");
  return { calls: api.calls, relists, upserts, deletes, slept: clock.slept };
}

describe("Watcher", () => {
  it("resumes from the last resourceVersion seen after the server closes the watch", async () => {
    const result = await runScript(
      [{ items: [gw("a", "5")], resourceVersion: "10" }],
      [
        { events: [{ type: "ADDED", object: gw("b", "11") }], end: "close" },
        { events: [{ type: "BOOKMARK", object: { metadata: { resourceVersion: "15" } } }], end: "close" },
        { events: [{ type: "DELETED", object: gw("b", "16") }], end: "close" },
      ],
    );
    expect(result.calls).toEqual(["list", "watch@10", "watch@11", "watch@15", "watch@16"]);
    expect(result.relists).toEqual(["initial"]);
    expect(result.upserts).toEqual(["b"]);
    expect(result.deletes).toEqual(["b"]);
    expect(result.slept).toEqual([]);
  });

  it("relists at once on an ERROR event with 410 Gone", async () => {
    const result = await runScript(
      [
        { items: [], resourceVersion: "10" },
        { items: [], resourceVersion: "30" },
      ],
      [{ events: [{ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } }], end: "close" }],
    );
    expect(result.calls).toEqual(["list", "watch@10", "list", "watch@30"]);
    expect(result.relists).toEqual(["initial", "expired"]);
    expect(result.slept).toEqual([]);
  });

  it("relists, after a backoff, on an ERROR event with any other code (500 at the compaction revision)", async () => {
    const result = await runScript(
      [
        { items: [], resourceVersion: "10" },
        { items: [], resourceVersion: "30" },
      ],
      [
        {
          events: [
            { type: "ERROR", object: { kind: "Status", code: 500, message: "etcd event received with PrevKv=nil" } },
          ],
          end: "close",
        },
      ],
    );
    expect(result.calls).toEqual(["list", "watch@10", "list", "watch@30"]);
    expect(result.relists).toEqual(["initial", "watch-error"]);
    expect(result.slept).toEqual([50]);
  });

  it("relists after connection errors with growing backoff, and treats an HTTP 410 like the ERROR event", async () => {
    const result = await runScript(
      [
        { items: [], resourceVersion: "10" },
        { items: [], resourceVersion: "20" },
        { items: [], resourceVersion: "30" },
        { items: [], resourceVersion: "40" },
      ],
      [
        { events: [], end: new Error("ECONNRESET") },
        { events: [], end: new Error("ECONNRESET") },
        { events: [], end: new KubeApiError(410, "too old resource version") },
      ],
    );
    expect(result.relists).toEqual(["initial", "connection-error", "connection-error", "expired"]);
    expect(result.slept).toEqual([50, 100]);
  });

  it("stops with not-served when the collection answers 404 (its CRD was removed)", async () => {
    const api: CollectionApi = {
      list: async () => {
        throw new KubeApiError(404, "not found");
      },
      // biome-ignore lint/correctness/useYield: never reached, the list fails first
      watch: async function* () {
        return;
      },
    };
    const watcher = new Watcher({
      api,
      path: "/apis/gateway.k8s.aws/v1beta1/loadbalancerconfigurations",
      sink: {
        upserted: async () => undefined,
        deleted: async () => undefined,
        relisted: async () => undefined,
        synced: () => undefined,
      },
      clock: recordingClock(),
      random: () => 0,
      backoff: { initialMs: 100, maxMs: 1000 },
      log: () => undefined,
    });
    expect(await watcher.run(new AbortController().signal)).toBe("not-served");
  });
});
