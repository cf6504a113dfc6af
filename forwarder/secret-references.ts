/**
 * Which Secrets the forwarder may forward: only those a Gateway or ListenerSet listener names as a
 * certificate, or a policy names as a CA bundle. Every other Secret in the cluster stays in the
 * cluster. The tracker remembers the references of each referring object, so it can say which
 * Secrets became referenced (to forward now) or stopped being referenced (to retract).
 */
import type { ReferencePosition } from "../shared/events/event.ts";
import { isRecord } from "../shared/events/strip.ts";

/** `namespace/name` of a Secret. */
export type SecretKey = string;

function secretRef(ref: unknown, defaultNamespace: string): SecretKey | undefined {
  if (!isRecord(ref) || typeof ref.name !== "string") return undefined;
  const group = typeof ref.group === "string" ? ref.group : "";
  const kind = typeof ref.kind === "string" ? ref.kind : "Secret";
  if (group !== "" || kind !== "Secret") return undefined;
  const namespace = typeof ref.namespace === "string" && ref.namespace !== "" ? ref.namespace : defaultNamespace;
  return `${namespace}/${ref.name}`;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function listenerCertificateRefs(kind: string, object: unknown, add: (ref: unknown) => void): void {
  if (kind === "Gateway" || kind === "ListenerSet" || kind === "XListenerSet") {
    for (const listener of listOf(field(object, "spec", "listeners"))) {
      for (const ref of listOf(field(listener, "tls", "certificateRefs"))) add(ref);
    }
  }
}

/**
 * The Secrets one object names as a listener's serving certificate: those imported into ACM. CA
 * bundles are not certificates to serve, so they are forwarded but never imported.
 */
export function listenerCertificateSecrets(kind: string, object: unknown): Set<SecretKey> {
  const namespace = field(object, "metadata", "namespace");
  const refs = new Set<SecretKey>();
  if (typeof namespace !== "string") return refs;
  listenerCertificateRefs(kind, object, (ref) => {
    const key = secretRef(ref, namespace);
    if (key !== undefined) refs.add(key);
  });
  return refs;
}

/** The Secrets one object references, by kind. Unknown kinds reference nothing. */
export function referencedSecrets(kind: string, object: unknown): Set<SecretKey> {
  const namespace = field(object, "metadata", "namespace");
  const refs = new Set<SecretKey>();
  if (typeof namespace !== "string") return refs;
  const add = (ref: unknown): void => {
    const key = secretRef(ref, namespace);
    if (key !== undefined) refs.add(key);
  };
  listenerCertificateRefs(kind, object, add);
  if (kind === "Gateway") {
    // Frontend client-certificate validation (Gateway API v1.4+): CA bundles, usually ConfigMaps.
    const frontend = field(object, "spec", "tls", "frontend");
    for (const ref of listOf(field(frontend, "default", "validation", "caCertificateRefs"))) add(ref);
    for (const perPort of listOf(field(frontend, "perPort"))) {
      for (const ref of listOf(field(perPort, "tls", "validation", "caCertificateRefs"))) add(ref);
    }
  }
  if (kind === "BackendTLSPolicy") {
    for (const ref of listOf(field(object, "spec", "validation", "caCertificateRefs"))) add(ref);
  }
  return refs;
}

export interface ReferenceChange {
  nowReferenced: SecretKey[];
  noLongerReferenced: SecretKey[];
}

/** Reference counts of Secrets across every referring object the forwarder has seen. */
export class SecretReferenceTracker {
  private readonly byReferrer = new Map<string, { secrets: Set<SecretKey>; at: ReferencePosition | undefined }>();
  private readonly counts = new Map<SecretKey, number>();

  isReferenced(secret: SecretKey): boolean {
    return (this.counts.get(secret) ?? 0) > 0;
  }

  /**
   * A referrer's version that references `secret` now (the one that made it referenced, when the
   * Secret has just become so): the `referencedBy` its upsert carries. Undefined if unreferenced.
   */
  referenceOf(secret: SecretKey): ReferencePosition | undefined {
    for (const { secrets, at } of this.byReferrer.values()) if (secrets.has(secret) && at !== undefined) return at;
    return undefined;
  }

  /**
   * Records that `referrer` (e.g. `Gateway/ns/name`), at version `at`, now references `secrets`
   * (empty when deleted).
   */
  update(referrer: string, secrets: ReadonlySet<SecretKey>, at?: ReferencePosition): ReferenceChange {
    const before = this.byReferrer.get(referrer)?.secrets ?? new Set<SecretKey>();
    const change: ReferenceChange = { nowReferenced: [], noLongerReferenced: [] };
    for (const secret of secrets) {
      if (before.has(secret)) continue;
      const count = (this.counts.get(secret) ?? 0) + 1;
      this.counts.set(secret, count);
      if (count === 1) change.nowReferenced.push(secret);
    }
    for (const secret of before) {
      if (secrets.has(secret)) continue;
      const count = (this.counts.get(secret) ?? 0) - 1;
      if (count <= 0) {
        this.counts.delete(secret);
        change.noLongerReferenced.push(secret);
      } else {
        this.counts.set(secret, count);
      }
    }
    if (secrets.size === 0) this.byReferrer.delete(referrer);
    else this.byReferrer.set(referrer, { secrets: new Set(secrets), at });
    return change;
  }
}
