/**
 * The changes tests make from Go code (`client.Patch`, `Update`, `Delete`, `Create`,
 * `MustApplyObjectsWithCleanup`), applied to the simulated cluster. Field edits use the
 * extractor's JSON paths (`spec.rules[0].backendRefs[0].name`, `data["ca.crt"]`). A value the
 * test computed from live objects is a `$runtime` description; the few the harness can reproduce
 * are transcribed below, keyed by that description, and any other one fails the mutation.
 */
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { AdmissionError, type SimulatedCluster } from "./cluster.ts";
import type { Mutation } from "./extraction.ts";
import { createAll, type FixtureProblem, prepareManifests } from "./fixtures.ts";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface RuntimeContext {
  cluster: SimulatedCluster;
  object: Json;
}

/** `$runtime` values of the v1.6.1 suite that the harness reproduces from the cluster. */
const RUNTIME_VALUES: Readonly<Record<string, (ctx: RuntimeContext) => unknown>> = {
  // GatewayModifyListeners keeps the listeners named "http".
  'newListeners = append(newListeners, listener), when for each element of mutate.Spec.Listeners and listener.Name == "http"':
    ({ object }) => {
      const spec = isRecord(object.spec) ? object.spec : {};
      return (Array.isArray(spec.listeners) ? spec.listeners.filter(isRecord) : []).filter((l) => l.name === "http");
    },
  // HTTPRouteServiceTypes points manual EndpointSlices at the infra-backend-v1 pods of the slice's
  // IP family (the harness's pods are IPv4 only, so IPv6 slices stay empty, as the test leaves them).
  "endpointSlice.Endpoints = append(endpointSlice.Endpoints, endpoint), when for each element of pods.Items and for each element of pod.Status.PodIPs":
    ({ cluster, object }) => {
      if (object.addressType !== "IPv4") return [];
      return cluster.pods
        .filter((p) => p.labels.app === "infra-backend-v1" && p.namespace === "gateway-conformance-infra")
        .map((p) => ({
          addresses: [p.ip],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: "Pod", name: p.name, namespace: p.namespace },
        }));
    },
};

function resolveValue(value: unknown, ctx: RuntimeContext): unknown {
  if (isRecord(value) && typeof value.$runtime === "string") {
    const transcription = RUNTIME_VALUES[value.$runtime];
    if (!transcription) throw new AdmissionError(`run-time value not transcribed: ${value.$runtime}`);
    return transcription(ctx);
  }
  return value;
}

type PathToken = string | number;

function parsePath(path: string): PathToken[] {
  const tokens: PathToken[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) tokens.push(m[1]);
    else if (m[2] !== undefined) tokens.push(Number(m[2]));
    else if (m[3] !== undefined) tokens.push(m[3]);
  }
  return tokens;
}

function setPath(root: Json, tokens: readonly PathToken[], op: "set" | "append", value: unknown): void {
  let node: unknown = root;
  for (const [i, token] of tokens.entries()) {
    const last = i === tokens.length - 1;
    const container = node as Record<string | number, unknown>;
    if (last) {
      if (op === "append") {
        const current = Array.isArray(container[token]) ? (container[token] as unknown[]) : [];
        container[token] = [...current, ...(Array.isArray(value) ? value : [value])];
      } else {
        container[token] = value;
      }
      return;
    }
    if (container[token] === undefined || container[token] === null) {
      container[token] = typeof tokens[i + 1] === "number" ? [] : {};
    }
    node = container[token];
  }
}

export interface MutationResult {
  ok: boolean;
  detail: string;
  /** The changed object and its generation before the change (for generation-bump checks). */
  changed?: { kind: string; namespace: string | undefined; name: string; generationBefore: number | undefined };
}

export function applyMutation(
  cluster: SimulatedCluster,
  mutation: Mutation,
  problems: FixtureProblem[],
): MutationResult {
  const op = mutation.operation;
  try {
    if (op === "apply" || op === "create") {
      const docs = (mutation.objects ?? (mutation.object ? [mutation.object] : [])).filter(isRecord);
      const unresolved = JSON.stringify(docs).includes('"$runtime"');
      if (unresolved) {
        // Objects carrying values the test read from the cluster (a CA bundle) are created as the
        // suite would only for kinds switchyard ignores; otherwise the value matters.
        const readByCore = docs.some((d) => d.kind !== "ConfigMap");
        if (readByCore) return { ok: false, detail: "object with a run-time value switchyard would read" };
      }
      const before = problems.length;
      const created = createAll(cluster, prepareManifests(docs, "mutation"), problems);
      if (problems.length > before)
        return {
          ok: false,
          detail: problems
            .slice(before)
            .map((p) => p.message)
            .join("; "),
        };
      return {
        ok: true,
        detail: `created ${created.map((o) => `${o.kind} ${o.metadata.name}`).join(", ") || "objects switchyard does not read"}`,
      };
    }
    const kind = mutation.kind ?? "";
    const namespace = mutation.namespace || undefined;
    const name = mutation.name ?? "";
    if (op === "delete") {
      return cluster.delete(kind, namespace, name)
        ? { ok: true, detail: `deleted ${kind} ${namespace ?? ""}/${name}` }
        : { ok: false, detail: `${kind} ${namespace ?? ""}/${name} not found` };
    }
    if (op === "patch" || op === "update") {
      const existing = cluster.get(kind, namespace, name);
      if (!existing) {
        // Kinds switchyard does not read (ConfigMaps) are not in the simulated cluster.
        if (kind === "ConfigMap") return { ok: true, detail: `${kind} change: not read by switchyard` };
        return { ok: false, detail: `${kind} ${namespace ?? ""}/${name} not found` };
      }
      const object = structuredClone(existing) as unknown as Json;
      let specChanged = false;
      for (const edit of mutation.edits ?? []) {
        const value = resolveValue(edit.value, { cluster, object });
        setPath(object, parsePath(edit.path), edit.op, value);
        if (edit.path.startsWith("spec")) specChanged = true;
      }
      cluster.replace(object as unknown as KubeObject, specChanged);
      return {
        ok: true,
        detail: `${op} ${kind} ${namespace ?? ""}/${name}: ${(mutation.edits ?? []).map((e) => e.path).join(", ")}`,
        changed: { kind, namespace, name, generationBefore: existing.metadata.generation },
      };
    }
    return { ok: false, detail: `operation ${op} not modelled` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}
