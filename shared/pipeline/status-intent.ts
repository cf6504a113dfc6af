/**
 * The message on the status queue: statuses the reconciler computed for objects of one cluster,
 * each with the generation it was computed from, for the status λ to write (or, for a cluster in
 * via-forwarder mode, to hand to that cluster's forwarder). The unit is one object's status (a
 * `StatusIntent` of the writer); a Gateway with many routes yields many, so they travel batched
 * per cluster in messages that stay under SQS's message size limit.
 */
import { ROUTE_KINDS } from "../gateway-api/types.ts";
import type { Condition } from "../k8s/meta.ts";
import type { LatticePolicyKind } from "../lattice/policy-status.ts";
import { namesGateway, parentInScope } from "../status/merge.ts";
import type { StatusIntent } from "../status/writer/decision.ts";

export type { StatusIntent } from "../status/writer/decision.ts";

export const STATUS_INTENT_VERSION = 1;

/**
 * SQS's message size limit, body and attributes together.
 * @default 262_144 (256 KiB), the limit every SQS queue has had; a queue configured larger still
 * accepts these.
 */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Room left for message attributes and the group/deduplication ids next to the body. */
const ATTRIBUTE_ALLOWANCE_BYTES = 2 * 1024;

export interface StatusIntentMessage {
  version: typeof STATUS_INTENT_VERSION;
  /** The registered cluster the objects live in. */
  cluster: string;
  /** The Gateway whose reconcile computed these (`cluster/namespace/name`), for logs. */
  source?: string;
  intents: StatusIntent[];
}

export type StatusIntentDecode = { ok: true; message: StatusIntentMessage } | { ok: false; reason: string };

const CLUSTER_ID = /^[a-z0-9-]{1,63}$/;
/**
 * The VPC Lattice policies whose `status.conditions` switchyard writes (listed here, not imported
 * from shared/lattice: the forwarder's image carries this file without the Lattice modules).
 */
const LATTICE_POLICY_KINDS: ReadonlySet<string> = new Set<LatticePolicyKind>([
  "TargetGroupPolicy",
  "VpcAssociationPolicy",
  "AccessLogPolicy",
  "IAMAuthPolicy",
]);
const isLatticePolicyKind = (kind: string): kind is LatticePolicyKind => LATTICE_POLICY_KINDS.has(kind);
const STATUS_KINDS: ReadonlySet<string> = new Set([
  "GatewayClass",
  "Gateway",
  "ListenerSet",
  ...ROUTE_KINDS,
  "BackendTLSPolicy",
  "ServiceExport",
  ...LATTICE_POLICY_KINDS,
]);
const CONDITION_STATUSES: ReadonlySet<string> = new Set(["True", "False", "Unknown"]);

export function encodeStatusIntentMessage(message: StatusIntentMessage): string {
  return JSON.stringify(message);
}

/** A refusal at `path` (`intents[2].conditions[0].status`); thrown only inside this module. */
class Refused extends Error {
  constructor(path: string, expected: string) {
    super(`${path}: expected ${expected}`);
  }
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Json {
  if (!isRecord(value)) throw new Refused(path, "an object");
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== "string") throw new Refused(path, "a string");
  return value;
}

function nonEmpty(value: unknown, path: string): string {
  const text = string(value, path);
  if (text === "") throw new Refused(path, "a non-empty string");
  return text;
}

function count(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new Refused(path, "a non-negative integer");
  }
  return value;
}

function array<T>(value: unknown, path: string, item: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(value)) throw new Refused(path, "an array");
  return value.map((v, i) => item(v, `${path}[${i}]`));
}

function condition(value: unknown, path: string): Condition {
  const c = record(value, path);
  const status = string(c.status, `${path}.status`);
  if (!CONDITION_STATUSES.has(status)) throw new Refused(`${path}.status`, '"True", "False" or "Unknown"');
  const out: Condition = {
    type: nonEmpty(c.type, `${path}.type`),
    status: status as Condition["status"],
    reason: nonEmpty(c.reason, `${path}.reason`),
    message: string(c.message, `${path}.message`),
  };
  if (c.observedGeneration !== undefined)
    out.observedGeneration = count(c.observedGeneration, `${path}.observedGeneration`);
  if (c.lastTransitionTime !== undefined)
    out.lastTransitionTime = string(c.lastTransitionTime, `${path}.lastTransitionTime`);
  return out;
}

function conditions(value: unknown, path: string): Condition[] {
  return array(value, path, condition);
}

function listener(value: unknown, path: string) {
  const l = record(value, path);
  return {
    name: nonEmpty(l.name, `${path}.name`),
    supportedKinds: array(l.supportedKinds, `${path}.supportedKinds`, (k, p) => {
      const kind = record(k, p);
      return {
        ...(kind.group !== undefined ? { group: string(kind.group, `${p}.group`) } : {}),
        kind: nonEmpty(kind.kind, `${p}.kind`),
      };
    }),
    attachedRoutes: count(l.attachedRoutes, `${path}.attachedRoutes`),
    conditions: conditions(l.conditions, `${path}.conditions`),
  };
}

function parentRef(value: unknown, path: string) {
  const r = record(value, path);
  return {
    ...(r.group !== undefined ? { group: string(r.group, `${path}.group`) } : {}),
    ...(r.kind !== undefined ? { kind: string(r.kind, `${path}.kind`) } : {}),
    ...(r.namespace !== undefined ? { namespace: string(r.namespace, `${path}.namespace`) } : {}),
    name: nonEmpty(r.name, `${path}.name`),
    ...(r.sectionName !== undefined ? { sectionName: string(r.sectionName, `${path}.sectionName`) } : {}),
    ...(r.port !== undefined ? { port: count(r.port, `${path}.port`) } : {}),
  };
}

function intent(value: unknown, path: string): StatusIntent {
  const body = intentBody(value, path);
  const uid = record(value, path).uid;
  return uid === undefined ? body : { ...body, uid: nonEmpty(uid, `${path}.uid`) };
}

function intentBody(value: unknown, path: string): StatusIntent {
  const i = record(value, path);
  const kind = string(i.kind, `${path}.kind`);
  if (!STATUS_KINDS.has(kind)) throw new Refused(`${path}.kind`, `one of ${[...STATUS_KINDS].join(", ")}`);
  const name = nonEmpty(i.name, `${path}.name`);
  const observedGeneration = count(i.observedGeneration, `${path}.observedGeneration`);
  if (kind === "GatewayClass") {
    return { kind, name, observedGeneration, conditions: conditions(i.conditions, `${path}.conditions`) };
  }
  // Every other kind is namespaced: the writer builds its path from the namespace.
  const namespace = nonEmpty(i.namespace, `${path}.namespace`);
  if (kind === "Gateway") {
    return {
      kind,
      namespace,
      name,
      observedGeneration,
      conditions: conditions(i.conditions, `${path}.conditions`),
      listeners: array(i.listeners, `${path}.listeners`, listener),
      addresses: array(i.addresses, `${path}.addresses`, (a, p) => {
        const address = record(a, p);
        const type = string(address.type, `${p}.type`);
        if (type !== "Hostname" && type !== "IPAddress") throw new Refused(`${p}.type`, '"Hostname" or "IPAddress"');
        return { type, value: nonEmpty(address.value, `${p}.value`) };
      }),
      attachedListenerSets: count(i.attachedListenerSets, `${path}.attachedListenerSets`),
    };
  }
  if (kind === "BackendTLSPolicy") {
    const g = record(i.gateway, `${path}.gateway`);
    const gateway = {
      namespace: nonEmpty(g.namespace, `${path}.gateway.namespace`),
      name: nonEmpty(g.name, `${path}.gateway.name`),
    };
    const controllerNames = array(i.controllerNames, `${path}.controllerNames`, nonEmpty);
    const ancestors = array(i.ancestors, `${path}.ancestors`, (v, p) => {
      const a = record(v, p);
      const ancestorRef = parentRef(a.ancestorRef, `${p}.ancestorRef`);
      // An entry outside the intent's own scope would be written where no later intent clears it.
      if (!namesGateway(ancestorRef, gateway, namespace)) {
        throw new Refused(`${p}.ancestorRef`, `a reference to Gateway ${gateway.namespace}/${gateway.name}`);
      }
      const controllerName = nonEmpty(a.controllerName, `${p}.controllerName`);
      if (!controllerNames.includes(controllerName)) {
        throw new Refused(`${p}.controllerName`, `one of controllerNames (${controllerNames.join(", ")})`);
      }
      return { ancestorRef, controllerName, conditions: conditions(a.conditions, `${p}.conditions`) };
    });
    return { kind, namespace, name, observedGeneration, gateway, ancestors, controllerNames };
  }
  if (kind === "ServiceExport" || isLatticePolicyKind(kind)) {
    return { kind, namespace, name, observedGeneration, conditions: conditions(i.conditions, `${path}.conditions`) };
  }
  if (kind === "ListenerSet") {
    return {
      kind,
      namespace,
      name,
      observedGeneration,
      conditions: conditions(i.conditions, `${path}.conditions`),
      listeners: array(i.listeners, `${path}.listeners`, listener),
    };
  }
  const ref = (v: unknown, p: string) => {
    const g = record(v, p);
    return { namespace: nonEmpty(g.namespace, `${p}.namespace`), name: nonEmpty(g.name, `${p}.name`) };
  };
  const scope =
    i.scope === undefined
      ? undefined
      : (() => {
          const sc = record(i.scope, `${path}.scope`);
          return {
            gateway: ref(sc.gateway, `${path}.scope.gateway`),
            listenerSets: array(sc.listenerSets, `${path}.scope.listenerSets`, ref),
          };
        })();
  return {
    kind: kind as (typeof ROUTE_KINDS)[number],
    namespace,
    name,
    observedGeneration,
    parents: array(i.parents, `${path}.parents`, (v, p) => {
      const parent = record(v, p);
      const reference = parentRef(parent.parentRef, `${p}.parentRef`);
      // An entry outside the intent's own scope would be written where no later intent clears it.
      if (scope !== undefined && !parentInScope(reference, scope, namespace)) {
        throw new Refused(
          `${p}.parentRef`,
          `a parent in scope (Gateway ${scope.gateway.namespace}/${scope.gateway.name} or its ListenerSets)`,
        );
      }
      return {
        parentRef: reference,
        controllerName: nonEmpty(parent.controllerName, `${p}.controllerName`),
        conditions: conditions(parent.conditions, `${p}.conditions`),
      };
    }),
    controllerNames: array(i.controllerNames, `${path}.controllerNames`, nonEmpty),
    ...(scope === undefined ? {} : { scope }),
  };
}

/**
 * Never throws: a body that is not a status intent message is an error value naming the first
 * field at fault. Every field the writer reads is checked, so a hand-crafted message cannot make
 * the writer PATCH a malformed status.
 */
export function decodeStatusIntentMessage(body: string): StatusIntentDecode {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  try {
    const m = record(value, "body");
    if (m.version !== STATUS_INTENT_VERSION) {
      return {
        ok: false,
        reason: `version: expected ${STATUS_INTENT_VERSION}, got ${JSON.stringify(m.version) ?? "nothing"}`,
      };
    }
    const cluster = string(m.cluster, "cluster");
    if (!CLUSTER_ID.test(cluster)) throw new Refused("cluster", "a cluster id (a-z, 0-9 and '-', at most 63)");
    const message: StatusIntentMessage = {
      version: STATUS_INTENT_VERSION,
      cluster,
      ...(m.source !== undefined ? { source: string(m.source, "source") } : {}),
      intents: array(m.intents, "intents", intent),
    };
    return { ok: true, message };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    // Anything else is a bug in this module, not a bad message.
    throw error;
  }
}

/** The object an intent is for, as people read it: `HTTPRoute apps/web`. */
export function describeIntent(intent: StatusIntent): string {
  return "namespace" in intent ? `${intent.kind} ${intent.namespace}/${intent.name}` : `${intent.kind} ${intent.name}`;
}

export interface StatusIntentBatches {
  /** Encoded messages, each under the size limit, in intent order. */
  bodies: string[];
  /** Intents that alone exceed the limit: reported, never sent (SQS would refuse the message). */
  oversized: StatusIntent[];
}

/**
 * Packs one cluster's intents into as few messages as fit `maxBytes` each, in order, so the
 * writes of one reconcile arrive in the order they were computed.
 */
export function batchStatusIntents(
  cluster: string,
  intents: readonly StatusIntent[],
  options: { source?: string; maxBytes?: number } = {},
): StatusIntentBatches {
  const limit = (options.maxBytes ?? SQS_MAX_MESSAGE_BYTES) - ATTRIBUTE_ALLOWANCE_BYTES;
  const head: Omit<StatusIntentMessage, "intents"> = {
    version: STATUS_INTENT_VERSION,
    cluster,
    ...(options.source !== undefined ? { source: options.source } : {}),
  };
  const encode = (batch: readonly string[]) => `${JSON.stringify(head).slice(0, -1)},"intents":[${batch.join(",")}]}`;
  const envelope = Buffer.byteLength(encode([]), "utf8");
  const bodies: string[] = [];
  const oversized: StatusIntent[] = [];
  let batch: string[] = [];
  let size = envelope;
  for (const item of intents) {
    const json = JSON.stringify(item);
    const bytes = Buffer.byteLength(json, "utf8");
    if (envelope + bytes > limit) {
      oversized.push(item);
      continue;
    }
    const separator = batch.length > 0 ? 1 : 0;
    if (size + separator + bytes > limit) {
      bodies.push(encode(batch));
      batch = [];
      size = envelope;
    }
    size += (batch.length > 0 ? 1 : 0) + bytes;
    batch.push(json);
  }
  if (batch.length > 0) bodies.push(encode(batch));
  return { bodies, oversized };
}
