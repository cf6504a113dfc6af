/**
 * The suite's status assertions (conformance/utils/kubernetes/helpers.go at v1.6.1), restated as
 * predicates over the statuses switchyard wrote into the simulated cluster. Each one checks what
 * the Go helper checks once the cluster is steady, with the same comparison rules:
 *
 * - a condition matches by type, status and reason; an empty status or reason matches any
 *   (findConditionInList); a condition list matches when it is at least as long as the expected
 *   one and holds each expected condition (conditionsMatch);
 * - "latest" means every condition's observedGeneration equals the object's generation
 *   (ConditionsHaveLatestObservedGeneration); the helpers that poll with it treat a stale
 *   condition as "not yet", which in a steady cluster is a failure;
 * - listener lists match by name with equal length, expected supportedKinds present (a nil
 *   group is the Gateway API group; an empty expected list needs an empty actual list), equal
 *   attachedRoutes, and conditionsMatch (gatewayListenersMatch);
 * - route parents match on controllerName, parentRef group and kind (both set, equal), name, and
 *   namespace unless the actual one is unset and the namespace is not required
 *   (parentsForRouteMatch); sectionName is not compared.
 *
 * A polled helper that never sees its condition fails the test; so does one whose object cannot
 * be fetched.
 */
import type { Condition, KubeObject } from "../../../shared/k8s/meta.ts";
import type { SimulatedCluster } from "./cluster.ts";
import type { ExpectedCondition, NamespacedName } from "./extraction.ts";

const GATEWAY_GROUP = "gateway.networking.k8s.io";

export interface RouteRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface Verdict {
  ok: boolean;
  detail: string;
  /** Routes whose acceptance the assertion is about: a failure may be an ALB limit on one of them. */
  routes?: RouteRef[];
  /** A failure recognised as a data-plane limit no status message carries (an id of the class's limits). */
  recognised?: string;
}

export interface StatusEnv {
  cluster: SimulatedCluster;
  controllerName: string;
  gatewayClassName: string;
  /** Objects the test's manifests created (to resolve helpers handed a live object). */
  testObjects: readonly KubeObject[];
}

type Args = Record<string, unknown>;
type Helper = (args: Args, env: StatusEnv) => Verdict;

const pass = (detail: string, routes?: RouteRef[]): Verdict => ({ ok: true, detail, ...(routes ? { routes } : {}) });
const fail = (detail: string, routes?: RouteRef[]): Verdict => ({ ok: false, detail, ...(routes ? { routes } : {}) });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function placeholder(value: string, env: StatusEnv): string {
  if (value === "$CONTROLLER") return env.controllerName;
  if (value === "$GATEWAY_CLASS_NAME") return env.gatewayClassName;
  return value;
}

function nn(value: unknown): NamespacedName {
  const v = isRecord(value) ? value : {};
  return { namespace: str(v.namespace), name: str(v.name) };
}

function show(ref: NamespacedName): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

function expectedCondition(value: unknown): ExpectedCondition {
  const v = isRecord(value) ? value : {};
  return { type: str(v.type), status: str(v.status), reason: str(v.reason) };
}

function expectedConditions(value: unknown): ExpectedCondition[] {
  return Array.isArray(value) ? value.map(expectedCondition) : [];
}

function showCondition(c: ExpectedCondition): string {
  return `${c.type}=${c.status || "*"}${c.reason ? `/${c.reason}` : ""}`;
}

function showActual(conditions: readonly Condition[]): string {
  return conditions.length === 0 ? "(none)" : conditions.map((c) => `${c.type}=${c.status}/${c.reason}`).join(", ");
}

function conditionsOf(object: KubeObject | undefined): Condition[] {
  const status = isRecord(object?.status) ? object.status : {};
  return Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
}

export function findCondition(conditions: readonly Condition[], expected: ExpectedCondition): boolean {
  return conditions.some(
    (c) =>
      c.type === expected.type &&
      (expected.status === "" || c.status === expected.status) &&
      (expected.reason === "" || c.reason === expected.reason),
  );
}

export function conditionsMatch(expected: readonly ExpectedCondition[], actual: readonly Condition[]): boolean {
  return actual.length >= expected.length && expected.every((e) => findCondition(actual, e));
}

/** Conditions whose observedGeneration is not the object's generation. */
function stale(object: KubeObject, conditions: readonly Condition[]): Condition[] {
  return conditions.filter((c) => (c.observedGeneration ?? 0) !== (object.metadata.generation ?? 0));
}

function staleDetail(object: KubeObject, conditions: readonly Condition[]): string | undefined {
  const old = stale(object, conditions);
  if (old.length === 0) return undefined;
  return `stale conditions on ${object.kind} ${show({ namespace: object.metadata.namespace ?? "", name: object.metadata.name })} (generation ${object.metadata.generation}): ${old.map((c) => `${c.type}@${c.observedGeneration ?? "unset"}`).join(", ")}`;
}

function fetch(env: StatusEnv, kind: string, ref: NamespacedName): KubeObject | undefined {
  return env.cluster.get(kind, ref.namespace || undefined, ref.name);
}

interface ListenerStatusLike {
  name: string;
  supportedKinds?: { group?: string; kind: string }[];
  attachedRoutes?: number;
  conditions?: Condition[];
}

interface ParentStatusLike {
  parentRef: { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string };
  controllerName: string;
  conditions: Condition[];
}

function listenersOf(object: KubeObject | undefined): ListenerStatusLike[] {
  const status = isRecord(object?.status) ? object.status : {};
  return Array.isArray(status.listeners) ? (status.listeners as ListenerStatusLike[]) : [];
}

function parentsOf(object: KubeObject | undefined): ParentStatusLike[] {
  const status = isRecord(object?.status) ? object.status : {};
  return Array.isArray(status.parents) ? (status.parents as ParentStatusLike[]) : [];
}

// ---------- gatewayListenersMatch / listenerSetListenersMatch ----------

const ROUTE_KINDS = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];
const DATA_PLANE_REFUSALS = new Set(["UnsupportedValue", "IncompatibleFilters"]);

/**
 * Routes whose parent entry for this Gateway (whole Gateway or this listener) says the data plane
 * refused them: such a route is not Accepted, so the Gateway API leaves it out of attachedRoutes.
 */
function refusedRoutes(env: StatusEnv, gateway: NamespacedName, listener: string): RouteRef[] {
  const refused: RouteRef[] = [];
  const spec = fetch(env, "Gateway", gateway)?.spec as
    | { listeners?: { name: string; hostname?: string }[] }
    | undefined;
  const listenerHostname = spec?.listeners?.find((l) => l.name === listener)?.hostname;
  for (const kind of ROUTE_KINDS) {
    for (const route of env.cluster.list(kind)) {
      const namespace = route.metadata.namespace ?? "default";
      const hostnames = (route.spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
      if (listenerHostname && hostnames.length > 0 && !hostnames.some((h) => hostnamesIntersect(h, listenerHostname))) {
        continue;
      }
      const hit = parentsOf(route).some((p) => {
        if (p.controllerName !== env.controllerName) return false;
        if ((p.parentRef.kind ?? "Gateway") !== "Gateway") return false;
        if (p.parentRef.name !== gateway.name || (p.parentRef.namespace ?? namespace) !== gateway.namespace)
          return false;
        if (p.parentRef.sectionName !== undefined && p.parentRef.sectionName !== listener) return false;
        const accepted = p.conditions.find((c) => c.type === "Accepted");
        return accepted?.status === "False" && DATA_PLANE_REFUSALS.has(accepted.reason);
      });
      if (hit) refused.push({ kind, namespace, name: route.metadata.name });
    }
  }
  return refused;
}

/** Gateway API hostname intersection: equal, or one wildcard covering the other. */
function hostnamesIntersect(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  const covers = (wild: string, name: string) => wild.startsWith("*.") && name.endsWith(wild.slice(1));
  return covers(x, y) || covers(y, x);
}

interface ListenersProblem {
  detail: string;
  /** Set when attachedRoutes falls short by exactly the routes the data plane refused. */
  refused?: RouteRef[];
}

function listenersMatch(
  expectedValue: unknown,
  actual: readonly ListenerStatusLike[],
  refusedOn: (listener: string) => RouteRef[] = () => [],
): ListenersProblem | undefined {
  const expected = Array.isArray(expectedValue) ? expectedValue.filter(isRecord) : [];
  if (expected.length !== actual.length) {
    return {
      detail: `expected ${expected.length} listeners in status, got ${actual.length} (${actual.map((l) => l.name).join(", ") || "none"})`,
    };
  }
  for (const e of expected) {
    const name = str(e.name);
    const a = actual.find((l) => l.name === name);
    if (!a) return { detail: `listener ${name} missing from status` };
    const eKinds = Array.isArray(e.supportedKinds) ? e.supportedKinds.filter(isRecord) : [];
    const aKinds = a.supportedKinds ?? [];
    if (eKinds.length === 0 && aKinds.length !== 0) {
      return { detail: `listener ${name}: expected no supportedKinds, got ${aKinds.map((k) => k.kind).join(", ")}` };
    }
    for (const k of eKinds) {
      const group = typeof k.group === "string" ? k.group : GATEWAY_GROUP;
      if (!aKinds.some((ak) => (ak.group ?? GATEWAY_GROUP) === group && ak.kind === str(k.kind))) {
        return {
          detail: `listener ${name}: supportedKinds lacks ${group}/${str(k.kind)} (has ${aKinds.map((ak) => ak.kind).join(", ") || "none"})`,
        };
      }
    }
    const eAttached = typeof e.attachedRoutes === "number" ? e.attachedRoutes : 0;
    if ((a.attachedRoutes ?? 0) !== eAttached) {
      const detail = `listener ${name}: attachedRoutes ${a.attachedRoutes ?? 0}, expected ${eAttached}`;
      const refused = refusedOn(name);
      return refused.length > 0 && (a.attachedRoutes ?? 0) + refused.length === eAttached
        ? { detail, refused }
        : { detail };
    }
    const eConditions = expectedConditions(e.conditions);
    if (!conditionsMatch(eConditions, a.conditions ?? [])) {
      return {
        detail: `listener ${name}: conditions ${showActual(a.conditions ?? [])} do not match ${eConditions.map(showCondition).join(", ")}`,
      };
    }
  }
  return undefined;
}

// ---------- parentsForRouteMatch ----------

interface ExpectedParent {
  parentRef: { group?: string; kind?: string; namespace?: string; name: string };
  controllerName: string;
  conditions: ExpectedCondition[];
}

function expectedParents(value: unknown, env: StatusEnv): ExpectedParent[] {
  return (Array.isArray(value) ? value.filter(isRecord) : []).map((p) => {
    const ref = isRecord(p.parentRef) ? p.parentRef : {};
    return {
      parentRef: {
        ...(typeof ref.group === "string" ? { group: ref.group } : {}),
        ...(typeof ref.kind === "string" ? { kind: ref.kind } : {}),
        ...(typeof ref.namespace === "string" ? { namespace: ref.namespace } : {}),
        name: str(ref.name),
      },
      controllerName: placeholder(str(p.controllerName), env),
      conditions: expectedConditions(p.conditions),
    };
  });
}

function parentsMatch(
  expected: readonly ExpectedParent[],
  actual: readonly ParentStatusLike[],
  namespaceRequired: boolean,
): string | undefined {
  for (const e of expected) {
    const matched = actual.some((a) => {
      if (a.controllerName !== e.controllerName) return false;
      if (a.parentRef.group !== e.parentRef.group) return false;
      if (a.parentRef.kind !== e.parentRef.kind) return false;
      if (a.parentRef.name !== e.parentRef.name) return false;
      if (
        a.parentRef.namespace !== e.parentRef.namespace &&
        (namespaceRequired || a.parentRef.namespace !== undefined)
      ) {
        return false;
      }
      return conditionsMatch(e.conditions, a.conditions);
    });
    if (!matched) {
      const summary = actual
        .map(
          (a) =>
            `${a.parentRef.kind ?? "?"} ${a.parentRef.namespace ? `${a.parentRef.namespace}/` : ""}${a.parentRef.name} [${a.controllerName}]: ${showActual(a.conditions)}`,
        )
        .join("; ");
      return `no parent matches ${e.parentRef.kind ?? "?"} ${e.parentRef.namespace ?? ""}/${e.parentRef.name} with ${e.conditions.map(showCondition).join(", ")}; parents: ${summary || "(none)"}`;
    }
  }
  return undefined;
}

function routeMustHaveParents(
  env: StatusEnv,
  kind: string,
  route: NamespacedName,
  parents: readonly ExpectedParent[],
  namespaceRequired: boolean,
): Verdict {
  const routes = [{ kind, ...route }];
  const object = fetch(env, kind, route);
  if (!object) return fail(`${kind} ${show(route)} not found`, routes);
  const problem = parentsMatch(parents, parentsOf(object), namespaceRequired);
  return problem
    ? fail(`${kind} ${show(route)}: ${problem}`, routes)
    : pass(`${kind} ${show(route)} parents match`, routes);
}

// ---------- route conditions ----------

function routeMustHaveCondition(env: StatusEnv, kind: string, args: Args, condition: ExpectedCondition): Verdict {
  const route = nn(args.routeNN);
  const gw = nn(args.gwNN);
  const routes = [{ kind, ...route }];
  const object = fetch(env, kind, route);
  if (!object) return fail(`${kind} ${show(route)} not found`, routes);
  let found = false;
  for (const parent of parentsOf(object)) {
    const old = staleDetail(object, parent.conditions);
    if (old) return fail(old, routes);
    const namespaceOk = parent.parentRef.namespace === undefined || parent.parentRef.namespace === gw.namespace;
    if (parent.parentRef.name === gw.name && namespaceOk && findCondition(parent.conditions, condition)) found = true;
  }
  if (found) return pass(`${kind} ${show(route)} has ${showCondition(condition)} for ${show(gw)}`, routes);
  const forGateway = parentsOf(object).filter((p) => p.parentRef.name === gw.name);
  return fail(
    `${kind} ${show(route)} lacks ${showCondition(condition)} for ${show(gw)}; has ${forGateway.map((p) => showActual(p.conditions)).join(" | ") || "no parent entry for it"}`,
    routes,
  );
}

function routeMustHaveNoAcceptedParents(env: StatusEnv, kind: string, args: Args): Verdict {
  const route = nn(args.routeName);
  const routes = [{ kind, ...route }];
  const object = fetch(env, kind, route);
  if (!object) return fail(`${kind} ${show(route)} not found`, routes);
  const parents = parentsOf(object);
  if (parents.length === 0) return pass(`${kind} ${show(route)} has no parents`, routes);
  if (parents.length > 1)
    return fail(`${kind} ${show(route)} has ${parents.length} parents, expected at most 1`, routes);
  for (const p of parents) {
    const old = staleDetail(object, p.conditions);
    if (old) return fail(old, routes);
  }
  const [only] = parents;
  return only && conditionsMatch([{ type: "Accepted", status: "False", reason: "" }], only.conditions)
    ? pass(`${kind} ${show(route)}: its one parent is not Accepted`, routes)
    : fail(
        `${kind} ${show(route)}: parent conditions ${showActual(only?.conditions ?? [])}, expected Accepted=False`,
        routes,
      );
}

// ---------- Gateways and listeners ----------

function waitForGatewayAddress(env: StatusEnv, gwRef: NamespacedName): Verdict {
  const gw = fetch(env, "Gateway", gwRef);
  if (!gw) return fail(`Gateway ${show(gwRef)} not found`);
  const old = staleDetail(gw, conditionsOf(gw));
  if (old) return fail(old);
  const status = isRecord(gw.status) ? gw.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses.filter(isRecord) : [];
  const address = addresses.find((a) => a.type !== undefined && a.type !== null);
  return address
    ? pass(`Gateway ${show(gwRef)} has address ${str(address.value)}`)
    : fail(`Gateway ${show(gwRef)} has no address in status`);
}

function listenersMustHaveConditions(
  object: KubeObject | undefined,
  what: string,
  conditions: readonly ExpectedCondition[],
  listenerNames: readonly string[],
  checkLatest: boolean,
): Verdict {
  if (!object) return fail(`${what} not found`);
  if (checkLatest) {
    const old = staleDetail(object, conditionsOf(object));
    if (old) return fail(old);
  }
  const wanted = new Set(listenerNames);
  for (const c of conditions) {
    for (const l of listenersOf(object)) {
      if (listenerNames.length > 0 && !listenerNames.includes(l.name)) continue;
      if (!findCondition(l.conditions ?? [], c)) {
        return fail(`${what} listener ${l.name}: ${showActual(l.conditions ?? [])}, expected ${showCondition(c)}`);
      }
      wanted.delete(l.name);
    }
  }
  if (wanted.size > 0) return fail(`${what}: no status for listeners ${[...wanted].join(", ")}`);
  return pass(`${what} listeners have ${conditions.map(showCondition).join(", ")}`);
}

function resourceListenersMustHaveConditions(env: StatusEnv, resource: Args, conditions: ExpectedCondition[]): Verdict {
  const ref = nn(resource);
  const kind = str(resource.kind) || "Gateway";
  if (kind === "Gateway") {
    return listenersMustHaveConditions(fetch(env, "Gateway", ref), `Gateway ${show(ref)}`, conditions, [], false);
  }
  if (kind === "ListenerSet") {
    return listenersMustHaveConditions(
      fetch(env, "ListenerSet", ref),
      `ListenerSet ${show(ref)}`,
      conditions,
      [],
      true,
    );
  }
  return fail(`unsupported resource kind ${kind}`);
}

const LISTENERS_READY: ExpectedCondition[] = [
  { type: "ResolvedRefs", status: "True", reason: "" },
  { type: "Accepted", status: "True", reason: "" },
  { type: "Programmed", status: "True", reason: "" },
];

/** RoutesAndParentMustBeAccepted: each route Accepted by the parent for our controller, every listener ready. */
function routesAndParentMustBeAccepted(
  env: StatusEnv,
  controllerName: string,
  resource: Args,
  routeKind: string,
  routeNNs: unknown,
): Verdict {
  const ref = nn(resource);
  const group = typeof resource.group === "string" ? resource.group : GATEWAY_GROUP;
  const kind = typeof resource.kind === "string" ? resource.kind : "Gateway";
  const listenerNames = Array.isArray(resource.listenerNames) ? resource.listenerNames.map(str) : [""];
  const routes = (Array.isArray(routeNNs) ? routeNNs : []).map(nn);
  const involved = routes.map((r) => ({ kind: routeKind, ...r }));
  const details: string[] = [];
  for (const route of routes) {
    const parents: ExpectedParent[] = listenerNames.map(() => ({
      parentRef: { group, kind, namespace: ref.namespace, name: ref.name },
      controllerName,
      conditions: [{ type: "Accepted", status: "True", reason: "Accepted" }],
    }));
    const verdict = routeMustHaveParents(env, routeKind, route, parents, route.namespace !== ref.namespace);
    if (!verdict.ok) return fail(verdict.detail, involved);
    details.push(verdict.detail);
  }
  const listeners = resourceListenersMustHaveConditions(env, { ...resource, kind }, LISTENERS_READY);
  if (!listeners.ok) return fail(listeners.detail, involved);
  return pass([...details, listeners.detail].join("; "), involved);
}

function gatewayAndRoutesMustBeAccepted(env: StatusEnv, args: Args, routeKind: string): Verdict {
  const gw = isRecord(args.gw) ? args.gw : {};
  const address = waitForGatewayAddress(env, nn(gw));
  const routes = (Array.isArray(args.routeNNs) ? args.routeNNs : []).map((r) => ({ kind: routeKind, ...nn(r) }));
  if (!address.ok) return fail(address.detail, routes);
  const verdict = routesAndParentMustBeAccepted(
    env,
    placeholder(str(args.controllerName), env),
    { ...gw, group: GATEWAY_GROUP, kind: "Gateway" },
    routeKind,
    args.routeNNs,
  );
  return verdict.ok ? pass(`${address.detail}; ${verdict.detail}`, routes) : verdict;
}

function routeKindOf(args: Args): string {
  const routeType = isRecord(args.routeType) ? args.routeType : {};
  return str(routeType.kind) || "HTTPRoute";
}

function latestConditions(env: StatusEnv, kind: string, ref: NamespacedName): Verdict {
  const object = fetch(env, kind, ref);
  if (!object) return fail(`${kind} ${show(ref)} not found`);
  const old = staleDetail(object, conditionsOf(object));
  return old ? fail(old) : pass(`${kind} ${show(ref)} conditions observed generation ${object.metadata.generation}`);
}

/**
 * A Gateway not Accepted only because every listener asks for HTTP or HTTPS, protocols the data
 * plane refuses (UnsupportedProtocol): an NLB speaks TCP, UDP and TLS.
 */
function refusedForHttpListeners(gw: KubeObject): boolean {
  const accepted = conditionsOf(gw).find((c) => c.type === "Accepted");
  if (accepted?.status !== "False" || accepted.reason !== "ListenersNotValid") return false;
  const spec = (gw.spec as { listeners?: { name: string; protocol: string }[] } | undefined)?.listeners ?? [];
  const listeners = listenersOf(gw);
  return (
    listeners.length > 0 &&
    listeners.every(
      (l) =>
        ["HTTP", "HTTPS"].includes(spec.find((x) => x.name === l.name)?.protocol ?? "") &&
        (l.conditions ?? []).some(
          (c) => c.type === "Accepted" && c.status === "False" && c.reason === "UnsupportedProtocol",
        ),
    )
  );
}

const HTTP_LISTENERS = "http-listeners";

function mustHaveCondition(env: StatusEnv, kind: string, ref: NamespacedName, condition: ExpectedCondition): Verdict {
  const object = fetch(env, kind, ref);
  if (!object) return fail(`${kind} ${show(ref)} not found`);
  const old = staleDetail(object, conditionsOf(object));
  if (old) return fail(old);
  if (findCondition(conditionsOf(object), condition))
    return pass(`${kind} ${show(ref)} has ${showCondition(condition)}`);
  const verdict = fail(
    `${kind} ${show(ref)}: ${showActual(conditionsOf(object))}, expected ${showCondition(condition)}`,
  );
  const wantsUp = ["Accepted", "Programmed"].includes(condition.type) && condition.status === "True";
  return kind === "Gateway" && wantsUp && refusedForHttpListeners(object)
    ? { ...verdict, recognised: HTTP_LISTENERS }
    : verdict;
}

/** Helpers handed a live object (`r`) name no object; the test's own manifests hold exactly one of its kind. */
function liveObject(env: StatusEnv, value: unknown): KubeObject | undefined {
  const kind = isRecord(value) ? str(value.kind) : "";
  const candidates = env.testObjects.filter((o) => o.kind === kind);
  if (candidates.length !== 1) return undefined;
  const [only] = candidates;
  return only && env.cluster.get(only.kind, only.metadata.namespace, only.metadata.name);
}

export const STATUS_HELPERS: Readonly<Record<string, Helper>> = {
  "kubernetes.NamespacesMustBeReady": (args, env) => {
    const namespaces = Array.isArray(args.namespaces) ? args.namespaces.map(str) : [];
    // Gateways down only because the data plane refuses their HTTP listeners: judged last.
    const httpOnly: string[] = [];
    for (const ns of namespaces) {
      for (const gw of env.cluster.list("Gateway", ns)) {
        if (gw.metadata.annotations?.["gateway-api/skip-this-for-readiness"] === "true") continue;
        const old = staleDetail(gw, conditionsOf(gw));
        if (old) return fail(old);
        for (const type of ["Accepted", "Programmed"]) {
          if (!findCondition(conditionsOf(gw), { type, status: "True", reason: "" })) {
            const detail = `Gateway ${ns}/${gw.metadata.name} not ${type}: ${showActual(conditionsOf(gw))}`;
            if (!refusedForHttpListeners(gw)) return fail(detail);
            httpOnly.push(detail);
            break;
          }
        }
      }
      if (!env.cluster.pods.some((p) => p.namespace === ns)) return fail(`no pods in ${ns}`);
    }
    if (httpOnly.length > 0) return { ...fail(httpOnly.join("; ")), recognised: HTTP_LISTENERS };
    return pass(`Gateways in ${namespaces.join(", ")} Accepted and Programmed; pods ready`);
  },
  "kubernetes.WaitForGatewayAddress": (args, env) => waitForGatewayAddress(env, nn(args.gwRef)),
  "kubernetes.GatewayAndHTTPRoutesMustBeAccepted": (args, env) =>
    gatewayAndRoutesMustBeAccepted(env, args, "HTTPRoute"),
  "kubernetes.GatewayAndRoutesMustBeAccepted": (args, env) =>
    gatewayAndRoutesMustBeAccepted(env, args, routeKindOf(args)),
  "kubernetes.GatewayAndTCPRoutesMustBeAccepted": (args, env) => gatewayAndRoutesMustBeAccepted(env, args, "TCPRoute"),
  "kubernetes.GatewayAndUDPRoutesMustBeAccepted": (args, env) => gatewayAndRoutesMustBeAccepted(env, args, "UDPRoute"),
  "kubernetes.GatewayAndTLSRoutesMustBeAccepted": (args, env) => {
    // Address, then TLSRouteMustHaveParents; unlike the others it does not look at listeners.
    const gw = isRecord(args.gw) ? args.gw : {};
    const ref = nn(gw);
    const routes = (Array.isArray(args.routeNNs) ? args.routeNNs : []).map(nn);
    const involved = routes.map((r) => ({ kind: "TLSRoute", ...r }));
    const address = waitForGatewayAddress(env, ref);
    if (!address.ok) return fail(address.detail, involved);
    const listenerNames = Array.isArray(gw.listenerNames) ? gw.listenerNames : [""];
    for (const route of routes) {
      const parents: ExpectedParent[] = listenerNames.map(() => ({
        parentRef: { group: GATEWAY_GROUP, kind: "Gateway", namespace: ref.namespace, name: ref.name },
        controllerName: placeholder(str(args.controllerName), env),
        conditions: [{ type: "Accepted", status: "True", reason: "Accepted" }],
      }));
      const verdict = routeMustHaveParents(env, "TLSRoute", route, parents, route.namespace !== ref.namespace);
      if (!verdict.ok) return fail(verdict.detail, involved);
    }
    return pass(address.detail, involved);
  },
  "kubernetes.RoutesAndParentMustBeAccepted": (args, env) =>
    routesAndParentMustBeAccepted(
      env,
      placeholder(str(args.controllerName), env),
      isRecord(args.resource) ? args.resource : {},
      routeKindOf(args),
      args.routeNNs,
    ),
  "kubernetes.HTTPRouteMustHaveCondition": (args, env) =>
    routeMustHaveCondition(env, "HTTPRoute", args, expectedCondition(args.condition)),
  "kubernetes.TCPRouteMustHaveCondition": (args, env) =>
    routeMustHaveCondition(env, "TCPRoute", args, expectedCondition(args.condition)),
  "kubernetes.UDPRouteMustHaveCondition": (args, env) =>
    routeMustHaveCondition(env, "UDPRoute", args, expectedCondition(args.condition)),
  "kubernetes.TLSRouteMustHaveCondition": (args, env) =>
    routeMustHaveCondition(env, "TLSRoute", args, expectedCondition(args.condition)),
  "kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue": (args, env) =>
    routeMustHaveCondition(env, "HTTPRoute", args, { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs" }),
  "kubernetes.TLSRouteMustHaveResolvedRefsConditionsTrue": (args, env) =>
    routeMustHaveCondition(env, "TLSRoute", args, { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs" }),
  "kubernetes.HTTPRouteMustHaveNoAcceptedParents": (args, env) =>
    routeMustHaveNoAcceptedParents(env, "HTTPRoute", args),
  "kubernetes.TLSRouteMustHaveNoAcceptedParents": (args, env) => routeMustHaveNoAcceptedParents(env, "TLSRoute", args),
  "kubernetes.TCPRouteMustHaveNoAcceptedParents": (args, env) => routeMustHaveNoAcceptedParents(env, "TCPRoute", args),
  "kubernetes.UDPRouteMustHaveNoAcceptedParents": (args, env) => routeMustHaveNoAcceptedParents(env, "UDPRoute", args),
  // RouteMustHaveParents checks generations only on a later poll; a steady matching status passes first time.
  "kubernetes.HTTPRouteMustHaveParents": (args, env) =>
    routeMustHaveParents(
      env,
      "HTTPRoute",
      nn(args.routeName),
      expectedParents(args.parents, env),
      args.namespaceRequired === true,
    ),
  "kubernetes.TCPRouteMustHaveParents": (args, env) =>
    routeMustHaveParents(
      env,
      "TCPRoute",
      nn(args.routeName),
      expectedParents(args.parents, env),
      args.namespaceRequired === true,
    ),
  "kubernetes.UDPRouteMustHaveParents": (args, env) =>
    routeMustHaveParents(
      env,
      "UDPRoute",
      nn(args.routeName),
      expectedParents(args.parents, env),
      args.namespaceRequired === true,
    ),
  "kubernetes.HTTPRouteMustHaveLatestConditions": (args, env) => {
    const ref = nn(args.rNN);
    const route = fetch(env, "HTTPRoute", ref);
    if (!route) return fail(`HTTPRoute ${show(ref)} not found`);
    for (const p of parentsOf(route)) {
      const old = staleDetail(route, p.conditions);
      if (old) return fail(old);
    }
    return pass(`HTTPRoute ${show(ref)} parent conditions observed generation ${route.metadata.generation}`);
  },
  "kubernetes.GatewayStatusMustHaveListeners": (args, env) => {
    const ref = nn(args.gwNN);
    const gw = fetch(env, "Gateway", ref);
    if (!gw) return fail(`Gateway ${show(ref)} not found`);
    const old = staleDetail(gw, conditionsOf(gw));
    if (old) return fail(old);
    const problem = listenersMatch(args.listeners, listenersOf(gw), (listener) => refusedRoutes(env, ref, listener));
    return problem
      ? fail(`Gateway ${show(ref)}: ${problem.detail}`, problem.refused)
      : pass(`Gateway ${show(ref)} listeners match`);
  },
  "kubernetes.ListenerSetStatusMustHaveListeners": (args, env) => {
    const ref = nn(args.lsNN);
    const set = fetch(env, "ListenerSet", ref);
    if (!set) return fail(`ListenerSet ${show(ref)} not found`);
    const old = staleDetail(set, conditionsOf(set));
    if (old) return fail(old);
    const problem = listenersMatch(args.listeners, listenersOf(set));
    return problem
      ? fail(`ListenerSet ${show(ref)}: ${problem.detail}`)
      : pass(`ListenerSet ${show(ref)} listeners match`);
  },
  "kubernetes.GatewayMustHaveCondition": (args, env) =>
    mustHaveCondition(env, "Gateway", nn(args.gwNN), expectedCondition(args.expectedCondition)),
  "kubernetes.ListenerSetMustHaveCondition": (args, env) =>
    mustHaveCondition(env, "ListenerSet", nn(args.lsNN), expectedCondition(args.expectedCondition)),
  "kubernetes.GatewayMustHaveLatestConditions": (args, env) => latestConditions(env, "Gateway", nn(args.gwNN)),
  "kubernetes.GatewayClassMustHaveLatestConditions": (args, env) =>
    latestConditions(env, "GatewayClass", { namespace: "", name: nn(args.gwcNN).name }),
  "kubernetes.GWCMustHaveAcceptedConditionAny": (args, env) => {
    const ref = { namespace: "", name: placeholder(str(args.gwcName), env) };
    const gwc = fetch(env, "GatewayClass", ref);
    if (!gwc) return fail(`GatewayClass ${ref.name} not found`);
    const old = staleDetail(gwc, conditionsOf(gwc));
    if (old) return fail(old);
    return findCondition(conditionsOf(gwc), { type: "Accepted", status: "", reason: "" })
      ? pass(`GatewayClass ${ref.name} has an Accepted condition`)
      : fail(`GatewayClass ${ref.name} has no Accepted condition`);
  },
  "kubernetes.GatewayListenersMustHaveConditions": (args, env) => {
    const ref = nn(args.gwName);
    const names = Array.isArray(args.listenerNames) ? args.listenerNames.map(str) : [];
    return listenersMustHaveConditions(
      fetch(env, "Gateway", ref),
      `Gateway ${show(ref)}`,
      expectedConditions(args.conditions),
      names,
      false,
    );
  },
  "kubernetes.ListenerSetListenersMustHaveConditions": (args, env) => {
    const ref = nn(args.lsName);
    const names = Array.isArray(args.listenerNames) ? args.listenerNames.map(str) : [];
    return listenersMustHaveConditions(
      fetch(env, "ListenerSet", ref),
      `ListenerSet ${show(ref)}`,
      expectedConditions(args.conditions),
      names,
      true,
    );
  },
  "kubernetes.GatewayListenerMustHaveConditions": (args, env) => {
    const ref = nn(args.gwName);
    const lName = str(args.lName);
    const gw = fetch(env, "Gateway", ref);
    if (!gw) return fail(`Gateway ${show(ref)} not found`);
    const listener = listenersOf(gw).find((l) => l.name === lName);
    if (!listener) return fail(`Gateway ${show(ref)}: listener ${lName} not in status`);
    for (const c of expectedConditions(args.conditions)) {
      if (!findCondition(listener.conditions ?? [], c)) {
        return fail(
          `Gateway ${show(ref)} listener ${lName}: ${showActual(listener.conditions ?? [])}, expected ${showCondition(c)}`,
        );
      }
    }
    return pass(`Gateway ${show(ref)} listener ${lName} conditions match`);
  },
  "kubernetes.GatewayMustHaveZeroRoutes": (args, env) => {
    const ref = nn(args.gwName);
    const gw = fetch(env, "Gateway", ref);
    if (!gw) return fail(`Gateway ${show(ref)} not found`);
    const old = staleDetail(gw, conditionsOf(gw));
    if (old) return fail(old);
    const listeners = listenersOf(gw);
    if (listeners.length === 0) return pass(`Gateway ${show(ref)} has no listeners in status`);
    if (listeners.length === 1 && (listeners[0]?.attachedRoutes ?? 0) === 0) {
      return pass(`Gateway ${show(ref)} has one listener with no routes`);
    }
    return fail(
      `Gateway ${show(ref)}: ${listeners.map((l) => `${l.name}: ${l.attachedRoutes ?? 0} routes`).join(", ")}; expected no listeners or one with 0 routes`,
    );
  },
  "kubernetes.GatewayMustHaveAttachedListeners": (args, env) => {
    const ref = nn(args.gwName);
    const gw = fetch(env, "Gateway", ref);
    if (!gw) return fail(`Gateway ${show(ref)} not found`);
    const old = staleDetail(gw, conditionsOf(gw));
    if (old) return fail(old);
    const status = isRecord(gw.status) ? gw.status : {};
    const count = typeof status.attachedListenerSets === "number" ? status.attachedListenerSets : 0;
    const expected = typeof args.expectedCount === "number" ? args.expectedCount : 0;
    return count === expected
      ? pass(`Gateway ${show(ref)} has ${count} attached ListenerSets`)
      : fail(`Gateway ${show(ref)} has ${count} attached ListenerSets, expected ${expected}`);
  },
  "kubernetes.BackendTLSPolicyMustHaveCondition": (args, env) =>
    policyMustHaveCondition(env, nn(args.policyNN), nn(args.gwNN), expectedCondition(args.condition)),
  "kubernetes.BackendTLSPolicyMustHaveAcceptedConditionTrue": (args, env) =>
    policyMustHaveCondition(env, nn(args.policyNN), nn(args.gwNN), {
      type: "Accepted",
      status: "True",
      reason: "Accepted",
    }),
  "kubernetes.BackendTLSPolicyMustHaveLatestConditions": (args, env) => {
    const policy = liveObject(env, args.r);
    if (!policy) return fail("cannot tell which BackendTLSPolicy the live object is");
    const status = isRecord(policy.status) ? policy.status : {};
    for (const a of Array.isArray(status.ancestors) ? status.ancestors.filter(isRecord) : []) {
      const old = staleDetail(policy, Array.isArray(a.conditions) ? (a.conditions as Condition[]) : []);
      if (old) return fail(old);
    }
    return pass(`BackendTLSPolicy ${policy.metadata.name} ancestor conditions are latest`);
  },
};

function policyMustHaveCondition(
  env: StatusEnv,
  ref: NamespacedName,
  gw: NamespacedName,
  condition: ExpectedCondition,
): Verdict {
  const policy = fetch(env, "BackendTLSPolicy", ref);
  if (!policy) return fail(`BackendTLSPolicy ${show(ref)} not found`);
  const status = isRecord(policy.status) ? policy.status : {};
  for (const a of Array.isArray(status.ancestors) ? status.ancestors.filter(isRecord) : []) {
    const conditions = Array.isArray(a.conditions) ? (a.conditions as Condition[]) : [];
    const old = staleDetail(policy, conditions);
    if (old) return fail(old);
    const ancestor = isRecord(a.ancestorRef) ? a.ancestorRef : {};
    const namespaceOk = ancestor.namespace === undefined || ancestor.namespace === gw.namespace;
    if (str(ancestor.name) === gw.name && namespaceOk && findCondition(conditions, condition)) {
      return pass(`BackendTLSPolicy ${show(ref)} has ${showCondition(condition)} for ${show(gw)}`);
    }
  }
  return fail(`BackendTLSPolicy ${show(ref)} lacks ${showCondition(condition)} for ${show(gw)}`);
}
