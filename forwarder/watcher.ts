/**
 * List-then-watch of one collection (a kind, cluster-wide or in one namespace), resumed from the
 * last resourceVersion seen. Any watch failure other than a clean close makes it relist: 410 Gone,
 * but also any other ERROR event (QUIRKS.md K2: a watch starting at the compaction revision gets a
 * 500), and connection errors, after an exponential backoff with jitter. The sink sees every
 * object the list returns, so it can diff against what it forwarded before.
 */
import type { KubeObjectJson } from "../shared/events/event.ts";
import { isRecord } from "../shared/events/strip.ts";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import { type KubeApi, KubeApiError } from "./kube-api.ts";

/** What a watcher needs of the API server (KubeApi; a scripted fake in unit tests). */
export type CollectionApi = Pick<KubeApi, "list" | "watch">;

export type RelistReason = "initial" | "expired" | "watch-error" | "connection-error";

export interface WatchSink {
  upserted(object: KubeObjectJson): Promise<void>;
  deleted(object: KubeObjectJson): Promise<void>;
  relisted(items: KubeObjectJson[], resourceVersion: string, reason: RelistReason): Promise<void>;
  /** After each list, once the watcher counts as synced. */
  synced(): void;
}

export interface WatcherOptions {
  api: CollectionApi;
  path: string;
  sink: WatchSink;
  clock: Clock;
  random: () => number;
  backoff: BackoffPolicy;
  log: (message: string) => void;
  /** Server-side watch timeout; the watch then resumes from where it was. */
  watchTimeoutSeconds?: number;
}

export class Watcher {
  /** True once the first list has been handed to the sink. */
  synced = false;
  /** The resourceVersion the watch resumes from; undefined means the next step is a list. */
  resourceVersion: string | undefined;
  /** When the watcher lost its connection, or undefined while it is current. */
  disconnectedSince: number | undefined;
  private readonly options: WatcherOptions;

  constructor(options: WatcherOptions) {
    this.options = options;
  }

  /** Runs until `signal` aborts ("stopped") or the collection is not served any more. */
  async run(signal: AbortSignal): Promise<"stopped" | "not-served"> {
    const { api, path, sink, clock, random, backoff, log } = this.options;
    let reason: RelistReason = "initial";
    let failures = 0;
    this.disconnectedSince = clock.now();
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) {
          const listed = await api.list(path);
          await sink.relisted(listed.items, listed.resourceVersion, reason);
          this.resourceVersion = listed.resourceVersion;
          this.synced = true;
          sink.synced();
        }
        this.disconnectedSince = undefined;
        const watchError = await this.watchOnce(signal);
        if (watchError === undefined) {
          failures = 0;
          continue;
        }
        reason = watchError.code === 410 ? "expired" : "watch-error";
        log(`watch ${path}: ${watchError.message} (code ${watchError.code}); relisting`);
        this.resourceVersion = undefined;
        // A 410 is expected after a long disconnection: relist at once. Other errors back off.
        if (reason === "expired") continue;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof KubeApiError && error.statusCode === 404) return "not-served";
        if (error instanceof KubeApiError && error.statusCode === 410) {
          reason = "expired";
          this.resourceVersion = undefined;
          continue;
        }
        reason = "connection-error";
        log(`watch ${path}: ${error instanceof Error ? error.message : String(error)}; relisting after backoff`);
        this.resourceVersion = undefined;
      }
      this.disconnectedSince ??= clock.now();
      await clock.sleep(backoffDelay(failures++, backoff, random), signal);
    }
    return "stopped";
  }

  /** One watch request; an ERROR event's Status, or undefined when the server closed cleanly. */
  private async watchOnce(signal: AbortSignal): Promise<{ code: number; message: string } | undefined> {
    const { api, path, sink } = this.options;
    const timeout = this.options.watchTimeoutSeconds ?? 240 + Math.floor(this.options.random() * 120);
    for await (const { type, object } of api.watch(path, String(this.resourceVersion), timeout, signal)) {
      if (type === "ERROR") {
        const code = typeof object.code === "number" ? object.code : 0;
        const message = typeof object.message === "string" ? object.message : "ERROR event";
        return { code, message };
      }
      const metadata = isRecord(object.metadata) ? object.metadata : {};
      const version = typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : undefined;
      if (type === "ADDED" || type === "MODIFIED") await sink.upserted(object);
      else if (type === "DELETED") await sink.deleted(object);
      // BOOKMARK: nothing to forward, only a newer position.
      if (version !== undefined) this.resourceVersion = version;
    }
    return undefined;
  }
}
