/**
 * Runs one conformance test against the simulated cluster: its steps in source order, mutations
 * applied as they come (the next step sees switchyard's reconciled view), each assertion judged.
 *
 * Every assertion becomes a case: a status check (a `kubernetes.*` helper, or a transcribed
 * Go-written check) or a request case (an HTTP or gRPC request, a weight distribution, a
 * WebSocket dial; on the NLB class also TCP and UDP echoes, TLS connections and their per-sample
 * Go checks). A case is pass, fail (with the reason), unsupported by the class's data plane (only
 * when the status of the route involved says UnsupportedValue or IncompatibleFilters), or n/a.
 *
 * Unlike the Go suite, a failing step does not stop the test: later steps are still judged, each
 * on its own, so one broken precondition does not hide what else holds.
 */
import type { Condition, KubeObject } from "../../../shared/k8s/meta.ts";
import { hostName } from "../../../shared/lattice/explain.ts";
import type { SimulatedCluster } from "./cluster.ts";
import type {
  ConformanceTestEntry,
  GatewayAddress,
  GatewayRef,
  GrpcRequestCase,
  HttpRequestCase,
  Step,
  StepCondition,
} from "./extraction.ts";
import { isGatewayAddress } from "./extraction.ts";
import { ALB_CLASS, type ConformanceClass, isCoreGatewayHttp, limitFor, type Profile, profileOf } from "./features.ts";
import { buildFixture, GATEWAY_CLASS_NAME } from "./fixtures.ts";
import { applyMutation, type MutationResult } from "./mutations.ts";
import {
  checkL4Weights,
  checkTcpAvailable,
  checkTcpCase,
  checkTlsRejection,
  checkUdpCase,
  type RuntimeResolver,
  reachablePods,
  type TcpCase,
} from "./nlb-traffic.ts";
import { type MatchRequest, routeMatchesRequest } from "./route-match.ts";
import { type RouteRef, STATUS_HELPERS, type StatusEnv, type Verdict } from "./status-helpers.ts";
import {
  type CaseVerdict,
  checkGrpcCase,
  checkHttpCase,
  checkWebSocket,
  checkWeights,
  resolveTarget,
  type Target,
  type TrafficEnv,
} from "./traffic.ts";

export type Outcome = "pass" | "fail" | "unsupported" | "na";

export interface CaseResult {
  /** Stable within the test: group, subtest path, source position, occurrence. */
  id: string;
  group: "status" | "request";
  helper: string;
  subtest: string[];
  position: string;
  outcome: Outcome;
  reason: string;
  /** For unsupported cases: the class's cannot-express entry the status message matches, if any. */
  limit?: string;
  /** For n/a tests: what the case gives when the test is run anyway (not counted). */
  probe?: { outcome: Exclude<Outcome, "na">; reason: string; limit?: string };
}

export interface TestResult {
  shortName: string;
  description: string;
  features: string[];
  provisional: boolean;
  mesh: boolean;
  profile: Profile | undefined;
  /** Core in its profile (all features core). */
  core: boolean;
  /** The extractor's core GATEWAY-HTTP set. */
  coreGatewayHttp: boolean;
  /** Why the test is not applicable to an ALB class; undefined when it runs. */
  notApplicable?: string;
  cases: CaseResult[];
  fixtureProblems: string[];
}

/** Does a feature condition let the step run, given what is claimed? */
function conditionsHold(
  conditions: readonly StepCondition[] | undefined,
  cls: ConformanceClass,
): { run: boolean; why?: string } {
  for (const c of conditions ?? []) {
    if (c.feature === undefined) continue;
    const claimed = cls.claimed.has(c.feature);
    if (claimed !== c.featureSupported) {
      return { run: false, why: `runs only when ${c.feature} is ${c.featureSupported ? "" : "not "}claimed` };
    }
  }
  return { run: true };
}

/** Why a test does not apply to the class, or undefined when it does. */
export function notApplicableReason(test: ConformanceTestEntry, cls: ConformanceClass = ALB_CLASS): string | undefined {
  if (test.mesh) return "mesh test: switchyard is not a mesh";
  const { profile } = profileOf(test.features);
  const missing = test.features.filter((f) => !cls.claimed.has(f));
  if (missing.length > 0) {
    return missing.map((f) => `${f} not claimed: ${cls.unclaimed.get(f) ?? "no reason recorded"}`).join("; ");
  }
  if (!profile || !cls.profiles.includes(profile)) return `profile ${profile ?? "(none)"} is not run on ${cls.label}`;
  return undefined;
}

interface RunState {
  cls: ConformanceClass;
  cluster: SimulatedCluster;
  env: StatusEnv;
  /** Gateway refs whose address the suite took without its port (usePort false). */
  portless: Set<string>;
  lastMutation?: MutationResult["changed"];
  lastSecretFound: boolean;
  /** The Gateway the last address-producing helper waited for. */
  lastAddressRef?: GatewayRef;
  /** NLB: the backend the last TCP request expected, the backends the last applied objects name, the last echo sender's address. */
  lastTcpBackend?: string;
  lastAppliedBackends: string[];
  lastEchoAddress?: GatewayAddress;
  counters: Map<string, number>;
  fixtureProblems: string[];
}

function refKey(ref: GatewayRef): string {
  return `${ref.namespace}/${ref.name}#${(ref.listenerNames ?? []).join(",")}`;
}

function caseId(state: RunState, group: string, step: Step): string {
  const base = `${group}:${step.subtest.join(" › ")}@${step.position}`;
  const n = (state.counters.get(base) ?? 0) + 1;
  state.counters.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}

const UNSUPPORTED_REASONS = new Set(["UnsupportedValue", "IncompatibleFilters"]);

interface Rejection {
  route: string;
  message: string;
}

/** Our parent entries of a route that say the data plane cannot express it. */
function rejectionOf(
  controllerName: string,
  cluster: SimulatedCluster,
  kind: string,
  namespace: string,
  name: string,
  gatewayKey?: string,
): Rejection | undefined {
  const route = cluster.get(kind, namespace, name);
  const status = route?.status as
    | {
        parents?: {
          parentRef: { kind?: string; name: string; namespace?: string };
          controllerName: string;
          conditions: Condition[];
        }[];
      }
    | undefined;
  for (const p of status?.parents ?? []) {
    if (p.controllerName !== controllerName) continue;
    // A ListenerSet parent belongs to some Gateway; the harness does not map it back, so it counts.
    const parent = `${p.parentRef.namespace ?? namespace}/${p.parentRef.name}`;
    if (gatewayKey && p.parentRef.kind !== "ListenerSet" && parent !== gatewayKey) continue;
    const accepted = p.conditions.find((c) => c.type === "Accepted");
    if (accepted?.status === "False" && UNSUPPORTED_REASONS.has(accepted.reason)) {
      return { route: `${kind} ${namespace}/${name}`, message: `${accepted.reason}: ${accepted.message}` };
    }
    const partial = p.conditions.find((c) => c.type === "PartiallyInvalid");
    if (partial?.status === "True" && UNSUPPORTED_REASONS.has(partial.reason)) {
      return { route: `${kind} ${namespace}/${name}`, message: `${partial.reason}: ${partial.message}` };
    }
  }
  return undefined;
}

function unsupportedForRoutes(state: RunState, routes: readonly RouteRef[] | undefined): Rejection | undefined {
  for (const r of routes ?? []) {
    const rejection = rejectionOf(state.cls.controllerName, state.cluster, r.kind, r.namespace, r.name);
    if (rejection) return rejection;
  }
  return undefined;
}

/** The rejected route a failing request would have reached, had it been accepted. */
function unsupportedForRequest(
  state: RunState,
  request: MatchRequest | undefined,
  gatewayKey: string | undefined,
): Rejection | undefined {
  if (!request || !gatewayKey) return undefined;
  const { cluster } = state;
  for (const kind of ["HTTPRoute", "GRPCRoute"]) {
    for (const route of cluster.list(kind)) {
      const rejection = rejectionOf(
        state.cls.controllerName,
        cluster,
        kind,
        route.metadata.namespace ?? "default",
        route.metadata.name,
        gatewayKey,
      );
      if (rejection && routeMatchesRequest(route, request)) return rejection;
    }
  }
  return undefined;
}

const L4_ROUTE_KINDS = ["TCPRoute", "UDPRoute", "TLSRoute"];

/** NLB: a rejected L4 route of the Gateway attached (by sectionName or port, or to all) to a listener on `port`. */
function unsupportedForConnection(
  state: RunState,
  gatewayKey: string | undefined,
  port: number | undefined,
): Rejection | undefined {
  if (!gatewayKey) return undefined;
  const [gwNamespace, gwName] = gatewayKey.split("/");
  const gateway = state.cluster.get("Gateway", gwNamespace, gwName ?? "");
  const listeners = (gateway?.spec as { listeners?: { name: string; port: number }[] } | undefined)?.listeners ?? [];
  for (const kind of L4_ROUTE_KINDS) {
    for (const route of state.cluster.list(kind)) {
      const namespace = route.metadata.namespace ?? "default";
      const parents =
        (route.spec as { parentRefs?: { name: string; namespace?: string; sectionName?: string; port?: number }[] })
          ?.parentRefs ?? [];
      const onPort = parents.some((p) => {
        if (`${p.namespace ?? namespace}/${p.name}` !== gatewayKey) return false;
        if (port === undefined) return true;
        if (p.port !== undefined && p.port !== port) return false;
        return p.sectionName === undefined || listeners.some((l) => l.name === p.sectionName && l.port === port);
      });
      if (!onPort) continue;
      const rejection = rejectionOf(
        state.cls.controllerName,
        state.cluster,
        kind,
        namespace,
        route.metadata.name,
        gatewayKey,
      );
      if (rejection) return rejection;
    }
  }
  return undefined;
}

function judged(
  cls: ConformanceClass,
  verdict: { ok: boolean; detail: string },
  rejection: Rejection | undefined,
): Pick<CaseResult, "outcome" | "reason" | "limit"> {
  if (verdict.ok) return { outcome: "pass", reason: verdict.detail };
  if (rejection) {
    const limit = limitFor(cls, rejection.message)?.id;
    return {
      outcome: "unsupported",
      reason: `${rejection.route} is rejected: ${rejection.message} (check: ${verdict.detail})`,
      ...(limit ? { limit } : {}),
    };
  }
  return { outcome: "fail", reason: verdict.detail };
}

/** A status verdict: a refused route it names, or a failure the helper recognised as a class limit. */
function statusJudged(state: RunState, verdict: Verdict): Pick<CaseResult, "outcome" | "reason" | "limit"> {
  const rejection = verdict.ok ? undefined : unsupportedForRoutes(state, verdict.routes);
  const limit = state.cls.cannotExpress.find((l) => l.id === verdict.recognised && l.recognisedBy);
  if (!verdict.ok && !rejection && limit) return { outcome: "unsupported", reason: verdict.detail, limit: limit.id };
  return judged(state.cls, verdict, rejection);
}

function target(state: RunState, address: GatewayAddress): Target | { error: string } {
  return resolveTarget(
    state.cluster,
    address,
    address.port === undefined && state.portless.has(refKey(address.gateway)),
  );
}

function trafficEnv(state: RunState): TrafficEnv {
  return { cluster: state.cluster, translation: state.cluster.reconcile() };
}

/** The hostnames a route's spec names (none: it takes its listeners' hostnames, or any). */
function hostnamesOf(route: KubeObject): string[] {
  return (route.spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
}

function hostMatches(pattern: string, host: string): boolean {
  const h = hostName(host);
  const p = pattern.toLowerCase();
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
}

/**
 * VPC Lattice: a request that reached no service. When a route of the Gateway the data plane
 * refused would have been that service (a route without hostnames for the Gateway's own address,
 * a route naming the host for any other host), the refusal is why.
 */
function unsupportedForUnanswered(
  state: RunState,
  verdict: CaseVerdict,
  host: string | undefined,
): Rejection | undefined {
  if (!verdict.unanswered || !verdict.gatewayKey || host === undefined) return undefined;
  const [gwNamespace, gwName] = verdict.gatewayKey.split("/");
  const gateway = state.cluster.get("Gateway", gwNamespace, gwName ?? "");
  const listenerHostnames = (
    (gateway?.spec as { listeners?: { hostname?: string }[] } | undefined)?.listeners ?? []
  ).map((l) => l.hostname);
  // A route hostname serves a host only through a listener whose hostname admits it.
  const served = (pattern: string) =>
    hostMatches(pattern, host) && listenerHostnames.some((l) => l === undefined || hostMatches(l, host));
  for (const kind of ["HTTPRoute", "GRPCRoute", "TLSRoute"]) {
    for (const route of state.cluster.list(kind)) {
      const hostnames = hostnamesOf(route);
      const would = verdict.unanswered === "gateway-address" ? hostnames.length === 0 : hostnames.some(served);
      if (!would) continue;
      const rejection = rejectionOf(
        state.cls.controllerName,
        state.cluster,
        kind,
        route.metadata.namespace ?? "default",
        route.metadata.name,
        verdict.gatewayKey,
      );
      if (rejection) return rejection;
    }
  }
  return undefined;
}

function requestCase(
  state: RunState,
  check: (env: TrafficEnv, t: Target) => CaseVerdict,
  address: unknown,
  expectsNoRoute = false,
): Pick<CaseResult, "outcome" | "reason" | "limit"> {
  if (!isGatewayAddress(address)) return { outcome: "fail", reason: "request address is not a Gateway address" };
  const env = trafficEnv(state);
  const t = target(state, address);
  if ("error" in t) return { outcome: "fail", reason: t.error };
  const verdict = check(env, t);
  const rejection = verdict.ok
    ? undefined
    : (unsupportedForRequest(state, verdict.matchRequest, verdict.gatewayKey) ??
      unsupportedForUnanswered(state, verdict, verdict.matchRequest?.host) ??
      (state.cls.dataPlane === "nlb" ? unsupportedForConnection(state, verdict.gatewayKey, t.port) : undefined));
  const recognised = state.cls.cannotExpress.find((l) => l.id === verdict.recognised && l.recognisedBy);
  if (!verdict.ok && !rejection && recognised) {
    return { outcome: "unsupported", reason: verdict.detail, limit: recognised.id };
  }
  if (!rejection && verdict.unanswered === "unknown-host" && expectsNoRoute) {
    // The suite wants the Gateway's 404 for a host no route claims; no Lattice service has the name.
    const limit = state.cls.cannotExpress.find((l) => l.id === "unknown-host");
    if (limit?.recognisedBy) {
      return { outcome: "unsupported", reason: `${verdict.detail}; expected the Gateway's 404`, limit: limit.id };
    }
  }
  return judged(state.cls, verdict, rejection);
}

/** The case wants the answer of a Gateway with no route for the request: 404 and no backend. */
function expectsNoRoute(c: HttpRequestCase, expect: "response" | "nonOkStatus" | "requestFailure"): boolean {
  const codes = c.response?.statusCodes ?? [];
  return expect === "response" && c.backend === "" && codes.length > 0 && codes.every((code) => code === 404);
}

/**
 * An address the extractor lost (the test split the port off with net.SplitHostPort and joined
 * another): the Gateway of the last address-producing helper, with the joined port.
 */
function addressFromArgs(state: RunState, args: Record<string, unknown> | undefined): GatewayAddress | undefined {
  const runtime = (args?.gwAddr as { $runtime?: unknown } | undefined)?.$runtime;
  const port = typeof runtime === "string" ? /^net\.JoinHostPort\(gwAddr, "(\d+)"\)$/.exec(runtime)?.[1] : undefined;
  if (!port || !state.lastAddressRef) return undefined;
  return { $runtime: "gatewayAddress", gateway: state.lastAddressRef, port };
}

/** Go-written checks the harness transcribes; others are listed as not transcribed. */
function goAssertion(
  state: RunState,
  step: Step,
  steps: readonly Step[],
  index: number,
): Pick<CaseResult, "outcome" | "reason"> | undefined {
  const source = step.source ?? "";
  const guards = (step.conditions ?? []).filter((c) => c.feature === undefined);
  if (
    guards.length > 0 &&
    guards.every((g) => /^len\(\w*(Pem|Key|Cert)\w*\) == 0( \|\| len\(\w+\) == 0)?$/.test(g.source))
  ) {
    // t.Fatal when a Secret the suite created has no data: the harness creates those Secrets.
    return state.lastSecretFound ? undefined : { outcome: "fail", reason: "the Secret the test reads does not exist" };
  }
  if (source.startsWith("require.NotEqual(t, original.Generation, updated.Generation")) {
    const m = state.lastMutation;
    if (!m) return { outcome: "fail", reason: "no mutation before the generation check" };
    const now = state.cluster.get(m.kind, m.namespace, m.name)?.metadata.generation;
    return now !== m.generationBefore
      ? { outcome: "pass", reason: `${m.kind} ${m.name} generation ${m.generationBefore} → ${now}` }
      : { outcome: "fail", reason: `${m.kind} ${m.name} generation stayed ${now}` };
  }
  if (source.startsWith("require.Lenf(t, mutate.Spec.Listeners, 2")) {
    const next = steps.slice(index + 1).find((s) => s.kind === "mutation");
    const m = next?.kind === "mutation" ? next.mutation : undefined;
    const gw = m ? state.cluster.get(m.kind ?? "Gateway", m.namespace, m.name ?? "") : undefined;
    const count = ((gw?.spec as { listeners?: unknown[] } | undefined)?.listeners ?? []).length;
    return count === 2
      ? { outcome: "pass", reason: "the Gateway has 2 listeners" }
      : { outcome: "fail", reason: `the Gateway has ${count} listeners` };
  }
  if (source.startsWith("require.NotEmpty(t, pods")) {
    return state.cluster.pods.some((p) => p.labels.app === "infra-backend-v1")
      ? { outcome: "pass", reason: "infra-backend-v1 has pods" }
      : { outcome: "fail", reason: "infra-backend-v1 has no pods" };
  }
  return { outcome: "na", reason: `Go-written check not transcribed: ${source.slice(0, 160)}` };
}

/**
 * `$runtime` values of the layer-4 tests: `hostnames[0]` (and `hostnamesPassthrough[0]`) is the
 * first hostname of the test's TLSRoute, as GatewayAndTLSRoutesMustBeAccepted returns it.
 */
function runtimeResolver(state: RunState): RuntimeResolver {
  return (value) => {
    if (typeof value === "string") return value;
    const runtime = (value as { $runtime?: unknown } | null | undefined)?.$runtime;
    if (typeof runtime !== "string" || !/^hostnames\w*\[0\]$/.test(runtime)) return undefined;
    const route = state.env.testObjects.find(
      (o) => o.kind === "TLSRoute" && ((o.spec as { hostnames?: string[] } | undefined)?.hostnames ?? []).length > 0,
    );
    return (route?.spec as { hostnames?: string[] } | undefined)?.hostnames?.[0];
  };
}

/** The protocol of the Gateway listener an address names (or the Gateway's first listener). */
function listenerProtocolOf(state: RunState, address: GatewayAddress): string | undefined {
  const gateway = state.cluster.get("Gateway", address.gateway.namespace, address.gateway.name);
  const listeners =
    (gateway?.spec as { listeners?: { name: string; protocol: string }[] } | undefined)?.listeners ?? [];
  const named = address.gateway.listenerNames?.[0];
  return (listeners.find((l) => l.name === named) ?? listeners[0])?.protocol;
}

/**
 * TCPRouteMultipleRoutesAttachment's per-sample Go checks over tcp.EchoSendOnce: every pod a
 * connection can reach has the older route's backend prefix (the backend the test's TCP request
 * expected) and none the newer route's (the backend the objects it applied name).
 */
function nlbSampleAssertion(state: RunState, source: string): Pick<CaseResult, "outcome" | "reason"> | undefined {
  const newer = source.includes("strings.HasPrefix(pod, newerBackendPrefix)");
  const older = source.includes("strings.HasPrefix(pod, olderBackendPrefix)");
  if (!newer && !older) return undefined;
  const address = state.lastEchoAddress;
  if (!address) return { outcome: "fail", reason: "no tcp.EchoSendOnce before the per-sample check" };
  const t = target(state, address);
  if ("error" in t) return { outcome: "fail", reason: t.error };
  const reached = reachablePods(trafficEnv(state), t);
  if (reached.error) return { outcome: "fail", reason: `a sample is not answered: ${reached.error}` };
  const names = reached.pods.map((p) => p.name);
  if (newer) {
    const hit = names.find((n) => state.lastAppliedBackends.some((b) => n.startsWith(`${b}-`)));
    return hit
      ? { outcome: "fail", reason: `a sample reaches ${hit}, a backend of the newer route` }
      : { outcome: "pass", reason: `no sample reaches ${state.lastAppliedBackends.join(", ")}: ${reached.via}` };
  }
  const expected = state.lastTcpBackend;
  const stray = names.find((n) => !expected || !n.startsWith(`${expected}-`));
  return stray === undefined
    ? { outcome: "pass", reason: `every sample reaches ${expected}: ${reached.via}` }
    : { outcome: "fail", reason: `a sample reaches ${stray}, expected ${expected ?? "(unknown)"}-*` };
}

const TRAFFIC_CALLS = new Set([
  "http.ExpectMirroredRequest",
  "tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection",
  "tcp.EchoSendOnce",
  "tcp.ExpectAddressBeAvailable",
  "udp.ExpectEchoResponse",
  "udp.ExpectEchoResponseFromBackend",
]);

export function runTest(moduleDir: string, test: ConformanceTestEntry, cls: ConformanceClass = ALB_CLASS): TestResult {
  const { profile, core } = profileOf(test.features);
  const notApplicable = notApplicableReason(test, cls);
  const result: TestResult = {
    shortName: test.shortName,
    description: test.description,
    features: test.features,
    provisional: test.provisional === true,
    mesh: test.mesh,
    profile,
    core,
    coreGatewayHttp: isCoreGatewayHttp(test),
    ...(notApplicable ? { notApplicable } : {}),
    cases: [],
    fixtureProblems: [],
  };
  if (test.mesh) {
    // Mesh tests send requests from pods through a mesh: nothing of switchyard's is involved.
    result.cases = test.steps
      .filter(
        (s) =>
          s.kind === "httpRequest" ||
          s.kind === "grpcRequest" ||
          s.kind === "weightDistribution" ||
          s.kind === "status",
      )
      .map((s, i) => ({
        id: `${s.kind === "status" ? "status" : "request"}:${s.subtest.join(" › ")}@${s.position}#m${i}`,
        group: s.kind === "status" ? "status" : "request",
        helper: s.helper,
        subtest: s.subtest,
        position: s.position,
        outcome: "na",
        reason: notApplicable ?? "mesh",
      }));
    return result;
  }
  const fixture = buildFixture(moduleDir, test.manifests, cls);
  const state: RunState = {
    cls,
    cluster: fixture.cluster,
    env: {
      cluster: fixture.cluster,
      controllerName: cls.controllerName,
      gatewayClassName: GATEWAY_CLASS_NAME,
      testObjects: fixture.testObjects,
    },
    portless: new Set(),
    lastSecretFound: true,
    lastAppliedBackends: [],
    counters: new Map(),
    fixtureProblems: fixture.problems.map((p) => `${p.source}: ${p.message}`),
  };
  const record = (
    step: Step,
    group: CaseResult["group"],
    judgement: Pick<CaseResult, "outcome" | "reason" | "limit">,
  ) => {
    const id = caseId(state, group, step);
    const base = { id, group, helper: step.helper, subtest: step.subtest, position: step.position };
    if (notApplicable && judgement.outcome !== "na") {
      const probe = {
        outcome: judgement.outcome,
        reason: judgement.reason,
        ...(judgement.limit ? { limit: judgement.limit } : {}),
      };
      result.cases.push({ ...base, outcome: "na", reason: notApplicable, probe });
    } else {
      result.cases.push({ ...base, ...judgement });
    }
  };

  for (const [index, step] of test.steps.entries()) {
    const guard = conditionsHold(step.conditions, cls);
    if (!guard.run) {
      if (step.kind === "status" || step.kind === "httpRequest" || step.kind === "grpcRequest") {
        record(step, step.kind === "status" ? "status" : "request", { outcome: "na", reason: `not run: ${guard.why}` });
      }
      continue;
    }
    switch (step.kind) {
      case "status": {
        state.cluster.reconcile();
        const helper = STATUS_HELPERS[step.helper];
        if (!helper) {
          record(step, "status", {
            outcome: "fail",
            reason: `status helper ${step.helper} is not implemented by the harness`,
          });
          break;
        }
        const verdict: Verdict = helper(step.args, state.env);
        if (step.helper.endsWith("MustBeAccepted") || step.helper === "kubernetes.WaitForGatewayAddress") {
          const ref = (step.args.gw ?? step.args.gwRef) as GatewayRef | undefined;
          if (ref) {
            state.lastAddressRef = ref;
            if (step.args.usePort === false) state.portless.add(refKey(ref));
            else state.portless.delete(refKey(ref));
          }
        }
        record(step, "status", statusJudged(state, verdict));
        break;
      }
      case "goAssertion": {
        const sample = cls.dataPlane === "nlb" ? nlbSampleAssertion(state, step.source ?? "") : undefined;
        if (sample) {
          record(step, "request", sample);
          break;
        }
        const judgement = goAssertion(state, step, test.steps, index);
        if (judgement) record(step, "status", judgement);
        break;
      }
      case "mutation": {
        const applied = applyMutation(state.cluster, step.mutation, fixture.problems);
        if (step.mutation.operation === "apply") {
          state.lastAppliedBackends = (step.mutation.objects ?? []).flatMap((o) =>
            ((o.spec as { rules?: { backendRefs?: { name: string }[] }[] } | undefined)?.rules ?? []).flatMap((r) =>
              (r.backendRefs ?? []).map((b) => b.name),
            ),
          );
        }
        if (applied.changed) state.lastMutation = applied.changed;
        if (!applied.ok) record(step, "status", { outcome: "fail", reason: `mutation failed: ${applied.detail}` });
        break;
      }
      case "httpRequest":
        record(
          step,
          "request",
          requestCase(
            state,
            (env, t) => checkHttpCase(env, t, step.case, step.expect ?? "response"),
            step.address ?? addressFromArgs(state, step.args),
            expectsNoRoute(step.case, step.expect ?? "response"),
          ),
        );
        break;
      case "httpRoundTrip":
        record(step, "request", { outcome: "na", reason: "raw round trip judged by Go code that is not transcribed" });
        break;
      case "grpcRequest":
        record(
          step,
          "request",
          requestCase(state, (env, t) => checkGrpcCase(env, t, step.case), step.address),
        );
        break;
      case "weightDistribution": {
        const sample = step.sample;
        const kind = step.sampleKind;
        if (cls.dataPlane === "nlb" && !sample && (kind === "tcp" || kind === undefined)) {
          // The UDP echo sender is untyped in the extraction: the listener the address names says which.
          const protocol = kind === "tcp" || listenerProtocolOf(state, step.address) !== "UDP" ? "TCP" : "UDP";
          record(
            step,
            "request",
            requestCase(state, (env, t) => checkL4Weights(env, t, step.weights, protocol), step.address),
          );
          break;
        }
        if (!sample || (kind !== "http" && kind !== "grpc")) {
          record(step, "request", {
            outcome: "na",
            reason: `${kind ?? "raw"} weight sampling is layer 4: ${step.reason ?? ""}`,
          });
          break;
        }
        record(
          step,
          "request",
          requestCase(
            state,
            (env, t) => checkWeights(env, t, step.weights, sample as HttpRequestCase | GrpcRequestCase, kind),
            step.address,
          ),
        );
        break;
      }
      case "tcpRequest":
      case "udpRequest":
        if (cls.dataPlane !== "nlb") {
          record(step, "request", { outcome: "na", reason: `layer-4 request: not modelled for ${cls.label}` });
          break;
        }
        if (step.kind === "tcpRequest") {
          const c = (step.case ?? {}) as unknown as TcpCase;
          state.lastTcpBackend = c.backend;
          record(
            step,
            "request",
            requestCase(state, (env, t) => checkTcpCase(env, t, c, step.args, runtimeResolver(state)), step.address),
          );
        } else {
          const c = (step.case ?? {}) as { service?: string; namespace?: string };
          record(
            step,
            "request",
            requestCase(state, (env, t) => checkUdpCase(env, t, c), step.address),
          );
        }
        break;
      case "call": {
        if (step.helper === "kubernetes.GetTLSSecret") {
          const ref = (step.args?.secretName ?? {}) as { namespace?: string; name?: string };
          state.lastSecretFound = state.cluster.get("Secret", ref.namespace, ref.name ?? "") !== undefined;
        } else if (step.helper === "WebSocketDialer.Dial") {
          const arg = (step.args?.args as unknown[] | undefined)?.[0];
          const address = arg as (GatewayAddress & { $runtime: string }) | undefined;
          const path = address?.$runtime.replace(/^ws:\/\/\$\{gatewayAddress\}/, "") || "/";
          record(
            step,
            "request",
            requestCase(
              state,
              (env, t) => checkWebSocket(env, t, path),
              address ? { ...address, $runtime: "gatewayAddress" } : undefined,
            ),
          );
        } else if (cls.dataPlane === "nlb" && step.helper === "tcp.EchoSendOnce") {
          // Each sample's pod is judged by the Go checks that follow (nlbSampleAssertion).
          if (step.address) state.lastEchoAddress = step.address;
        } else if (cls.dataPlane === "nlb" && step.helper === "tcp.ExpectAddressBeAvailable") {
          record(
            step,
            "request",
            requestCase(state, (env, t) => checkTcpAvailable(env, t), step.address),
          );
        } else if (cls.dataPlane === "nlb" && step.helper === "udp.ExpectEchoResponse") {
          record(
            step,
            "request",
            requestCase(state, (env, t) => checkUdpCase(env, t, {}), step.address),
          );
        } else if (
          cls.dataPlane === "nlb" &&
          step.helper === "tls.MakeTLSConnectionAndExpectEventuallyConnectionRejection"
        ) {
          const sni = runtimeResolver(state)(step.args?.serverName);
          record(
            step,
            "request",
            requestCase(state, (env, t) => checkTlsRejection(env, t, sni), step.address),
          );
        } else if (TRAFFIC_CALLS.has(step.helper)) {
          record(step, "request", {
            outcome: "na",
            reason: `${step.helper} is not modelled (mirroring, TLS passthrough or layer 4)`,
          });
        }
        break;
      }
      case "unresolved":
        record(step, "status", { outcome: "fail", reason: `the extractor could not interpret: ${step.source ?? ""}` });
        break;
      default:
        break;
    }
  }
  result.fixtureProblems = [
    ...new Set([...state.fixtureProblems, ...fixture.problems.map((p) => `${p.source}: ${p.message}`)]),
  ];
  return result;
}
