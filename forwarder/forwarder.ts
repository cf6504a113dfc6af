/**
 * The forwarder: one watcher per watched collection, feeding events through stripping, the Secret
 * filter and EndpointSlice coalescing into a bounded buffer that the SQS sender drains. Kinds whose
 * CRD is not installed are re-checked periodically. Snapshots follow every relist and a timer.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type {
  ChangeEvent,
  GroupVersionKind,
  KubeObjectJson,
  ObjectOp,
  ReferencePosition,
} from "../shared/events/event.ts";
import { stripObject } from "../shared/events/strip.ts";
import type { CertificateImporter } from "./acm-importer.ts";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import { BoundedBuffer } from "./buffer.ts";
import { uploadClaimCheck } from "./claim-check-store.ts";
import type { Clock } from "./clock.ts";
import { Coalescer } from "./coalescer.ts";
import type { ForwarderConfig } from "./config.ts";
import { startHttpServer } from "./http-server.ts";
import { collectionPath, kindId, SECRET_REFERRING_KINDS, WATCHED_KINDS, type WatchedKind } from "./kinds.ts";
import type { KubeApi } from "./kube-api.ts";
import { MAX_INLINE_BODY_BYTES, type OutgoingMessage, objectEvent, prepareMessage, snapshotEvent } from "./messages.ts";
import { METRIC, Metrics } from "./metrics.ts";
import { diffRelist, identityOf, type KnownObject, objectKeyOf, snapshotItems } from "./object-state.ts";
import { listenerCertificateSecrets, referencedSecrets, SecretReferenceTracker } from "./secret-references.ts";
import { SqsSender } from "./sender.ts";
import { type RelistReason, Watcher } from "./watcher.ts";

/** Same object (uid) with the same forwarded content; only the resourceVersion may differ. */
function sameApartFromVersion(before: KnownObject | undefined, after: KnownObject): boolean {
  if (before === undefined || before.identity.uid !== after.identity.uid) return false;
  const content = ({ object }: KnownObject) => {
    const metadata = object.metadata as Record<string, unknown> | undefined;
    const { resourceVersion: _rv, ...rest } = metadata ?? {};
    return JSON.stringify({ ...object, metadata: rest });
  };
  return content(before) === content(after);
}

/** How one object event goes out: a retraction marker, and a deduplication occasion (sqs-attributes.ts). */
interface EmitMarks {
  retraction?: boolean;
  occasion?: string;
  /** A Secret upsert's: the reference it is forwarded for (event.ts). */
  referencedBy?: ReferencePosition;
}

export interface ForwarderDependencies {
  config: ForwarderConfig;
  api: KubeApi;
  sqs: SQSClient;
  s3: S3Client;
  clock: Clock;
  random: () => number;
  log: (message: string) => void;
  backoff?: BackoffPolicy;
  kinds?: readonly WatchedKind[];
  /**
   * Imports listener certificate Secrets into ACM; the forwarded Secret then carries
   * `acmCertificateArn` or `acmImportError`. Without it Secrets are forwarded as metadata only.
   */
  certificates?: CertificateImporter;
}

/** Everything known about one watched kind. */
interface KindState {
  kind: WatchedKind;
  /** Set once discovery found a served version; undefined while the kind is not installed. */
  gvk: GroupVersionKind | undefined;
  /** Latest state of every object seen (for Secrets: every Secret, referenced or not). */
  known: Map<string, KnownObject>;
  watchers: Watcher[];
  /** The namespace of each watcher (same index); undefined: cluster-wide. */
  scopes: (string | undefined)[];
  /** A relist happened and its snapshot waits for every watcher (and Secret referrers) to sync. */
  snapshotDue: boolean;
  discovered: boolean;
}

function compareVersions(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
}

export class Forwarder {
  readonly metrics = new Metrics();
  private readonly deps: ForwarderDependencies;
  private readonly buffer: BoundedBuffer<OutgoingMessage>;
  private readonly sender: SqsSender;
  private readonly kinds: KindState[];
  private readonly secretReferences = new SecretReferenceTracker();
  /** The subset of referenced Secrets named as listener certificates: the ones imported into ACM. */
  private readonly certificateReferences = new SecretReferenceTracker();
  private readonly coalescer: Coalescer<() => Promise<void>>;
  private readonly controller = new AbortController();
  private readonly bootId = randomUUID().slice(0, 8);
  private snapshotCounter = 0;
  private referenceCounter = 0;
  private emitChain: Promise<void> = Promise.resolve();
  private readonly tasks: Promise<unknown>[] = [];
  private cancelSnapshotTimer: (() => void) | undefined;
  private cancelProbeTimer: (() => void) | undefined;
  private server: Server | undefined;
  private readonly countSent: (labels: Record<string, string>) => void;
  private readonly countSendError: (labels: Record<string, string>) => void;
  private readonly countRelist: (labels: Record<string, string>) => void;
  private readonly countClaimCheck: (labels: Record<string, string>) => void;

  constructor(deps: ForwarderDependencies) {
    this.deps = deps;
    const backoff = deps.backoff ?? DEFAULT_BACKOFF;
    this.buffer = new BoundedBuffer(deps.config.bufferCapacity);
    this.countSent = this.metrics.counter(METRIC.eventsSent, "Events accepted by SQS, by kind and op.");
    this.countSendError = this.metrics.counter(METRIC.sendErrors, "Failed SQS sends and refused batch entries.");
    this.countRelist = this.metrics.counter(METRIC.relists, "Lists of a kind, by reason (initial, expired, ...).");
    this.countClaimCheck = this.metrics.counter(METRIC.claimChecks, "Events too large for SQS, sent via S3.");
    this.sender = new SqsSender({
      sqs: deps.sqs,
      queueUrl: deps.config.queueUrl,
      buffer: this.buffer,
      clock: deps.clock,
      random: deps.random,
      backoff,
      log: deps.log,
      sent: (message) => this.countSent({ kind: message.event.kind.kind, op: message.event.op }),
      failed: (code) => this.countSendError({ code }),
    });
    this.coalescer = new Coalescer(deps.config.endpointSliceWindowMs, deps.clock, (forward) => {
      forward().catch((error: unknown) => deps.log(`coalesced forward failed: ${String(error)}`));
    });
    this.kinds = (deps.kinds ?? WATCHED_KINDS).map((kind) => ({
      kind,
      gvk: undefined,
      known: new Map(),
      watchers: [],
      scopes: [],
      snapshotDue: false,
      discovered: false,
    }));
    this.metrics.gauge(METRIC.bufferDepth, "Events waiting for SQS (queued or being sent).", () => this.buffer.depth);
    this.metrics.gauge(METRIC.watchLag, "Seconds the most out-of-date watch has been disconnected.", () =>
      this.watchLagSeconds(),
    );
    this.metrics.gauge(
      METRIC.coalescedHeld,
      "EndpointSlices whose latest change waits for its window.",
      () => this.coalescer.held,
    );
  }

  async start(): Promise<void> {
    const { config, clock } = this.deps;
    const signal = this.controller.signal;
    this.server = await startHttpServer(config.listenHost, config.listenPort, {
      ready: () => this.readiness(),
      metrics: () => this.metrics.render(),
    });
    await this.sender.probe();
    this.tasks.push(this.sender.run(signal));
    for (const state of this.kinds) this.tasks.push(this.runKind(state, signal));
    const periodic = (): void => {
      this.cancelSnapshotTimer = clock.setTimer(config.snapshotIntervalMs, () => {
        for (const state of this.kinds) if (state.gvk !== undefined) state.snapshotDue = true;
        this.takeDueSnapshots().finally(periodic);
      });
    };
    periodic();
    const probe = (): void => {
      this.cancelProbeTimer = clock.setTimer(15_000, () => {
        this.sender.probe().finally(probe);
      });
    };
    probe();
  }

  /** The HTTP server (tests read its port). */
  get httpServer(): Server | undefined {
    return this.server;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    this.buffer.close();
    this.cancelSnapshotTimer?.();
    this.cancelProbeTimer?.();
    this.coalescer.stop();
    await Promise.allSettled(this.tasks);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  readiness(): { ready: boolean; detail: string } {
    const waiting: string[] = [];
    for (const state of this.kinds) {
      if (!state.discovered) waiting.push(`${kindId(state.kind)} not discovered yet`);
      else if (state.watchers.some((w) => !w.synced)) waiting.push(`${kindId(state.kind)} not synced yet`);
    }
    if (!this.sender.reachable) waiting.push("SQS not reachable");
    return waiting.length === 0 ? { ready: true, detail: "ready" } : { ready: false, detail: waiting.join("\n") };
  }

  private watchLagSeconds(): number {
    const now = this.deps.clock.now();
    let lag = 0;
    for (const state of this.kinds) {
      for (const watcher of state.watchers) {
        if (watcher.disconnectedSince !== undefined) lag = Math.max(lag, (now - watcher.disconnectedSince) / 1000);
      }
    }
    return lag;
  }

  /** Discovers the kind's served version, watches it, and re-checks while it is not installed. */
  private async runKind(state: KindState, signal: AbortSignal): Promise<void> {
    const { api, clock, config, log } = this.deps;
    let warned = false;
    let discoveryFailures = 0;
    while (!signal.aborted) {
      let version: string | undefined;
      try {
        for (const candidate of state.kind.versions) {
          if (await api.serves(state.kind.group, candidate, state.kind.plural)) {
            version = candidate;
            break;
          }
        }
      } catch (error) {
        log(`discovery of ${kindId(state.kind)} failed: ${error instanceof Error ? error.message : String(error)}`);
        state.discovered = false;
        // The API server itself is unreachable: retry sooner than the missing-CRD re-check.
        const delay = backoffDelay(discoveryFailures++, this.deps.backoff ?? DEFAULT_BACKOFF, this.deps.random);
        await clock.sleep(Math.min(delay, config.kindRecheckIntervalMs), signal);
        continue;
      }
      discoveryFailures = 0;
      if (version === undefined) {
        if (!warned) log(`warning: ${kindId(state.kind)} is not served (CRD not installed?); re-checking periodically`);
        warned = true;
        // A missing kind does not hold readiness back: there is nothing of it to forward.
        state.discovered = true;
        state.watchers = [];
        await clock.sleep(config.kindRecheckIntervalMs, signal);
        continue;
      }
      warned = false;
      state.gvk = { group: state.kind.group, version, kind: state.kind.kind };
      const scopes: (string | undefined)[] =
        state.kind.namespaced && config.namespaces !== undefined ? config.namespaces : [undefined];
      const kindController = new AbortController();
      const stopKind = (): void => kindController.abort();
      signal.addEventListener("abort", stopKind, { once: true });
      state.scopes = scopes;
      state.watchers = scopes.map(
        (namespace) =>
          new Watcher({
            api,
            path: collectionPath(state.kind, version, namespace),
            sink: {
              upserted: (object) => this.upserted(state, object),
              deleted: (object) => this.deleted(state, object),
              relisted: (items, rv, reason) => this.relisted(state, namespace, items, rv, reason),
              synced: () => {
                this.takeDueSnapshots().catch((error: unknown) => log(`snapshot failed: ${String(error)}`));
              },
            },
            clock,
            random: this.deps.random,
            backoff: this.deps.backoff ?? DEFAULT_BACKOFF,
            log,
          }),
      );
      state.discovered = true;
      const outcomes = await Promise.all(
        state.watchers.map(async (watcher) => {
          const outcome = await watcher.run(kindController.signal);
          if (outcome === "not-served") kindController.abort();
          return outcome;
        }),
      );
      signal.removeEventListener("abort", stopKind);
      if (outcomes.includes("not-served")) {
        log(`warning: ${kindId(state.kind)} is no longer served; re-checking periodically`);
        state.gvk = undefined;
        state.watchers = [];
      }
    }
  }

  private isSecret(state: KindState): boolean {
    return state.kind.group === "" && state.kind.kind === "Secret";
  }

  private secretState(): KindState | undefined {
    return this.kinds.find((state) => this.isSecret(state));
  }

  /**
   * Stripped, with apiVersion and kind set: a list answer leaves them out of built-in kinds' items,
   * and the event schema requires them to match the envelope.
   */
  private normalised(state: KindState, raw: KubeObjectJson): KubeObjectJson | undefined {
    if (state.gvk === undefined) return undefined;
    const { group, version, kind } = state.gvk;
    return stripObject({ ...raw, apiVersion: group === "" ? version : `${group}/${version}`, kind });
  }

  private async upserted(state: KindState, raw: KubeObjectJson): Promise<void> {
    const object = this.normalised(state, raw);
    if (object === undefined) return;
    const identity = identityOf(object);
    if (identity === undefined || state.gvk === undefined) return;
    const key = objectKeyOf(identity);
    const entry: KnownObject = { identity, object };
    if (state.kind.kind === "Node" && sameApartFromVersion(state.known.get(key), entry)) {
      // A node's status is rewritten every few minutes with nothing switchyard reads changed:
      // the forwarded form is the same, so nothing is sent and the known version stays the one
      // the mirror holds (snapshots then agree with it).
      return;
    }
    state.known.set(key, entry);
    if (this.isSecret(state)) {
      if (this.secretReferences.isReferenced(key)) await this.emitSecret(state, entry, raw);
      return;
    }
    if (SECRET_REFERRING_KINDS.has(state.kind.kind)) {
      const at = {
        kind: state.kind.kind,
        ...(identity.namespace === undefined ? {} : { namespace: identity.namespace }),
        resourceVersion: identity.resourceVersion,
      };
      await this.referencesChanged(
        `${state.kind.kind}/${key}`,
        referencedSecrets(state.kind.kind, object),
        listenerCertificateSecrets(state.kind.kind, object),
        at,
      );
    }
    if (state.kind.kind === "EndpointSlice") {
      this.coalescer.offer(key, () => this.emitObject(state, "upsert", entry));
      return;
    }
    await this.emitObject(state, "upsert", entry);
  }

  private async deleted(state: KindState, raw: KubeObjectJson): Promise<void> {
    const object = this.normalised(state, raw);
    if (object === undefined) return;
    const identity = identityOf(object);
    if (identity === undefined || state.gvk === undefined) return;
    const key = objectKeyOf(identity);
    state.known.delete(key);
    if (state.kind.kind === "EndpointSlice") this.coalescer.discard(key);
    if (SECRET_REFERRING_KINDS.has(state.kind.kind))
      await this.referencesChanged(`${state.kind.kind}/${key}`, new Set(), new Set());
    if (this.isSecret(state) && !this.secretReferences.isReferenced(key)) return;
    await this.emitObject(state, "delete", { identity, object });
  }

  /**
   * Forwards Secrets that became referenced (importing those that became listener certificates),
   * and retracts those no longer referenced. A Secret that stops being a certificate but stays a
   * CA bundle keeps its last forwarded form (with its ARN) until it changes: the core reads the
   * ARN only through a listener's certificateRef.
   */
  private async referencesChanged(
    referrer: string,
    secrets: Set<string>,
    certificates: Set<string>,
    at?: ReferencePosition,
  ): Promise<void> {
    const change = this.secretReferences.update(referrer, secrets, at);
    const certificateChange = this.certificateReferences.update(referrer, certificates, at);
    const secretState = this.secretState();
    if (secretState === undefined) return;
    const upserts = new Set([
      ...change.nowReferenced,
      ...certificateChange.nowReferenced.filter((key) => this.secretReferences.isReferenced(key)),
    ]);
    for (const key of upserts) {
      const secret = secretState.known.get(key);
      // The cache holds Secrets stripped of their data: an import reads the Secret afresh. Its own
      // deduplication occasion: after a retraction it is the same version again, which SQS would
      // otherwise drop as a duplicate of its first upsert for five minutes.
      const occasion = `referenced-${this.bootId}-${++this.referenceCounter}`;
      if (secret !== undefined) await this.emitSecret(secretState, secret, undefined, occasion);
    }
    for (const key of change.noLongerReferenced) {
      const secret = secretState.known.get(key);
      // A retraction, not a deletion: the Secret still exists at this version, and a new reference
      // re-sends it unchanged, at the same version, which the mirror must then accept.
      if (secret !== undefined) await this.emitObject(secretState, "delete", secret, { retraction: true });
    }
  }

  private async relisted(
    state: KindState,
    namespace: string | undefined,
    items: KubeObjectJson[],
    _resourceVersion: string,
    reason: RelistReason,
  ): Promise<void> {
    this.countRelist({ kind: state.kind.kind, reason });
    const listed: KnownObject[] = [];
    // As listed, data included: a Secret's import needs it and the stripped form lacks it.
    const listedRaw = new Map<string, KubeObjectJson>();
    for (const item of items) {
      const object = this.normalised(state, item);
      if (object === undefined) continue;
      const identity = identityOf(object);
      if (identity === undefined) continue;
      listed.push({ identity, object });
      listedRaw.set(objectKeyOf(identity), item);
    }
    const diff = diffRelist(state.known, listed, namespace);
    for (const gone of diff.deletes) await this.deleted(state, gone.object);
    for (const changed of diff.upserts)
      await this.upserted(state, listedRaw.get(objectKeyOf(changed.identity)) ?? changed.object);
    // Taken once the watcher reports itself synced (and, for Secrets, their referrers too).
    state.snapshotDue = true;
  }

  /** Whether every watcher of the kind has listed, so its snapshot speaks for the whole kind. */
  private snapshotReady(state: KindState): boolean {
    if (state.gvk === undefined || state.watchers.length === 0 || state.watchers.some((w) => !w.synced)) return false;
    if (!this.isSecret(state)) return true;
    // Which Secrets are forwarded depends on every referring kind having been listed.
    return this.kinds.every(
      (other) =>
        !SECRET_REFERRING_KINDS.has(other.kind.kind) ||
        (other.discovered && other.watchers.every((watcher) => watcher.synced)),
    );
  }

  private async takeDueSnapshots(): Promise<void> {
    for (const state of this.kinds) {
      if (!state.snapshotDue || !this.snapshotReady(state) || state.gvk === undefined) continue;
      state.snapshotDue = false;
      const versions = state.watchers.map((w) => w.resourceVersion).filter((v) => v !== undefined);
      // The oldest position among the kind's watchers: the snapshot speaks for nothing newer.
      const resourceVersion = versions.sort(compareVersions)[0];
      if (resourceVersion === undefined) continue;
      const known = this.isSecret(state)
        ? new Map([...state.known].filter(([key]) => this.secretReferences.isReferenced(key)))
        : state.known;
      const namespaces = state.kind.namespaced ? this.deps.config.namespaces : undefined;
      const event = snapshotEvent(
        this.deps.config.clusterId,
        state.gvk,
        `${this.bootId}-${++this.snapshotCounter}`,
        resourceVersion,
        snapshotItems(known),
        namespaces,
        this.isSecret(state) ? this.referrerVersions() : undefined,
      );
      await this.emit(event);
    }
  }

  /**
   * Where every watch of a Secret-referring kind stands: the references a Secret snapshot taken now
   * reflects. A watch that is relisting has no position and is left out, so the mirror does not
   * let the snapshot retract a Secret forwarded for a reference of that watch.
   */
  private referrerVersions(): ReferencePosition[] {
    const positions: ReferencePosition[] = [];
    for (const state of this.kinds) {
      if (!SECRET_REFERRING_KINDS.has(state.kind.kind) || state.gvk === undefined) continue;
      state.watchers.forEach((watcher, index) => {
        const namespace = state.scopes[index];
        if (watcher.resourceVersion === undefined) return;
        positions.push({
          kind: state.kind.kind,
          ...(namespace === undefined ? {} : { namespace }),
          resourceVersion: watcher.resourceVersion,
        });
      });
    }
    return positions;
  }

  /**
   * Upserts a referenced Secret. A listener certificate is first imported into ACM and goes out
   * with `acmCertificateArn` or `acmImportError` in place of its data. `raw` is the Secret as the
   * API server sent it (data included) when at hand; otherwise it is read again.
   */
  private async emitSecret(
    state: KindState,
    entry: KnownObject,
    raw: KubeObjectJson | undefined,
    occasion?: string,
  ): Promise<void> {
    const importer = this.deps.certificates;
    const { namespace, name } = entry.identity;
    const key = objectKeyOf(entry.identity);
    const referencedBy = this.secretReferences.referenceOf(key);
    const marks: EmitMarks = {
      ...(occasion === undefined ? {} : { occasion }),
      ...(referencedBy === undefined ? {} : { referencedBy }),
    };
    if (importer === undefined || namespace === undefined || !this.certificateReferences.isReferenced(key)) {
      await this.emitObject(state, "upsert", entry, marks);
      return;
    }
    let source = raw !== undefined && Object.hasOwn(raw, "data") ? raw : undefined;
    if (source === undefined) {
      try {
        source = await this.deps.api.get(`/api/v1/namespaces/${namespace}/secrets/${name}`);
      } catch (error) {
        this.deps.log(`reading Secret ${key} for its ACM import failed: ${String(error)}`);
        // Forward what is known: the next change or relist of the Secret imports it.
        await this.emitObject(state, "upsert", entry, marks);
        return;
      }
      // Deleted meanwhile: its delete event follows on the watch.
      if (source === undefined) return;
    }
    const stripped = this.normalised(state, source);
    const identity = stripped === undefined ? undefined : identityOf(stripped);
    if (stripped === undefined || identity === undefined) return;
    const outcome = await importer.importSecret({ namespace, name }, source);
    await this.emitObject(state, "upsert", { identity, object: { ...stripped, ...outcome } }, marks);
  }

  private async emitObject(state: KindState, op: ObjectOp, entry: KnownObject, marks: EmitMarks = {}): Promise<void> {
    if (state.gvk === undefined) return;
    const { clusterId } = this.deps.config;
    const event = objectEvent(
      clusterId,
      state.gvk,
      op,
      entry.identity,
      entry.object,
      marks.retraction === true,
      marks.referencedBy,
    );
    await this.emit(event, marks.occasion);
  }

  /** Serialised, so events enter the buffer in the order they were produced. */
  private emit(event: ChangeEvent, occasion?: string): Promise<void> {
    const next = this.emitChain.then(() => this.enqueue(event, occasion));
    this.emitChain = next.catch(() => undefined);
    return next;
  }

  private async enqueue(event: ChangeEvent, occasion: string | undefined): Promise<void> {
    const { config, s3, clock, random, log } = this.deps;
    const prepared = prepareMessage(event, config.claimCheckBucket, MAX_INLINE_BODY_BYTES, occasion);
    if (prepared.kind === "claimCheck") {
      const retry = { clock, random, backoff: this.deps.backoff ?? DEFAULT_BACKOFF, log };
      await uploadClaimCheck(s3, prepared.upload, retry, this.controller.signal);
      this.countClaimCheck({ kind: event.kind.kind });
    }
    await this.buffer.push(prepared.message);
  }
}
