/**
 * Requests against the desired ALB model (or, for a Lattice Gateway, the Lattice model: see
 * lattice-traffic.ts; for an NLB Gateway, the NLB model: see nlb-traffic.ts), judged as the suite
 * judges real responses.
 *
 * A request goes to the Gateway's address and port (the listener the address names, or one the
 * test joined), reaches the ALB listener on that port of the Gateway's model, and is evaluated by
 * the pure listener evaluator (shared/elb/evaluate.ts). What comes back is every response the
 * request can get, each with its probability (a weighted forward can answer from several pods):
 *
 * - forward to a target group with targets → 200 from the echo pod behind the target's IP, which
 *   reports its name, namespace and the request as it arrived (host, path and query after the
 *   rule's transforms, method, headers plus ALB's X-Forwarded-* and X-Amzn-Trace-Id);
 * - forward to a target group without targets (including the sink group for invalid backends) →
 *   503, which is what an ALB answers when a target group has no registered targets;
 * - fixed-response → its status code; redirect → 301/302 with the Location the evaluator built;
 * - no listener on the port, HTTPS to an HTTP listener, an HTTPS listener without a certificate,
 *   or cleartext HTTP/2 (h2c, including every gRPC call of the suite) → the connection fails.
 *
 * A case passes when every response it can get passes the suite's comparison
 * (utils/http CompareRoundTrip, utils/grpc compareResponse), mirrored below rule for rule.
 */
import { type AlbOutcome, type AlbRequest, evaluateListener } from "../../../shared/elb/evaluate.ts";
import type { ListenerModel, LoadBalancerModel } from "../../../shared/elb/model.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import type { Translation } from "../../../shared/translate.ts";
import type { Pod, SimulatedCluster } from "./cluster.ts";
import type { GatewayAddress, GrpcRequestCase, HttpRequestCase } from "./extraction.ts";
import { deliverLattice } from "./lattice-traffic.ts";
import { deliverNlb, nlbModelOf } from "./nlb-traffic.ts";
import type { MatchRequest } from "./route-match.ts";

export interface TrafficEnv {
  cluster: SimulatedCluster;
  translation: Translation;
}

/** Where a request goes: the Gateway, its published address, and the port dialled. */
export interface Target {
  gateway: KubeObject;
  gatewayKey: string;
  address: string;
  /** The port in the address; undefined when the helper stripped it (usePort false). */
  port: number | undefined;
}

export interface SeenRequest {
  host: string;
  method: string;
  /** Request-URI: path and query, as the echo server reports `path`. */
  uri: string;
  headers: Record<string, string[]>;
  port: number;
}

export interface Exchange {
  probability: number;
  status: number;
  /** Which rule answered and how, for reasons. */
  via: string;
  pod?: Pod;
  seen?: SeenRequest;
  location?: string;
  responseHeaders: Record<string, string[]>;
}

/**
 * VPC Lattice only: why no service took the request. `gateway-address`: the Gateway's address
 * stands for no service (no accepted route without a hostname); `unknown-host`: no service of the
 * network has the host as its custom domain name.
 */
export type LatticeUnanswered = "gateway-address" | "unknown-host";

export type Delivery =
  | { ok: true; exchanges: Exchange[]; matchRequest: MatchRequest; gatewayKey: string }
  | { ok: false; error: string; matchRequest?: MatchRequest; gatewayKey: string; unanswered?: LatticeUnanswered };

export interface CaseVerdict {
  ok: boolean;
  detail: string;
  /** The request as Gateway API matching sees it, to find the route that should have served it. */
  matchRequest?: MatchRequest;
  gatewayKey?: string;
  /** The request reached no VPC Lattice service (see Delivery). */
  unanswered?: LatticeUnanswered;
  /** A failure recognised as a data-plane limit no status message carries (an id of the class's limits). */
  recognised?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves a `gatewayAddress` placeholder to the Gateway's published address and port. */
export function resolveTarget(
  cluster: SimulatedCluster,
  address: GatewayAddress,
  portStripped: boolean,
): Target | { error: string } {
  const ref = address.gateway;
  const gateway = cluster.get("Gateway", ref.namespace, ref.name);
  if (!gateway) return { error: `Gateway ${ref.namespace}/${ref.name} not found` };
  const status = isRecord(gateway.status) ? gateway.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses.filter(isRecord) : [];
  const published = addresses.find((a) => a.type !== undefined && a.type !== null);
  if (!published || typeof published.value !== "string") {
    return { error: `Gateway ${ref.namespace}/${ref.name} has no address in status` };
  }
  const gatewayKey = `${ref.namespace}/${ref.name}`;
  if (address.port !== undefined) return { gateway, gatewayKey, address: published.value, port: Number(address.port) };
  if (portStripped) return { gateway, gatewayKey, address: published.value, port: undefined };
  // WaitForGatewayAddress: the port of the first listener, or of the listener the ref names first.
  const listeners = (
    (gateway.spec as { listeners?: { name: string; port: number }[] } | undefined)?.listeners ?? []
  ).slice();
  const named = ref.listenerNames?.[0];
  const listener = listeners.find((l) => l.name === named) ?? listeners[0];
  return { gateway, gatewayKey, address: published.value, port: listener?.port };
}

export const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** utils/http CalculateHost: the scheme's default port is left out of the Host. */
function calculateHost(target: Target, scheme: "http" | "https"): string {
  if (target.port === undefined || target.port === DEFAULT_PORT[scheme]) return target.address;
  return `${target.address}:${target.port}`;
}

function loadBalancerOf(env: TrafficEnv, gatewayKey: string): LoadBalancerModel | undefined {
  return env.translation.loadBalancers.find((b) => b.model.gatewayKey === gatewayKey && b.model.type === "application")
    ?.model;
}

function describeRule(listener: ListenerModel, outcome: AlbOutcome): string {
  if (outcome.rulePriority === "default") return `${listener.id} default action`;
  const rule = listener.rules.find((r) => r.priority === outcome.rulePriority);
  if (!rule) return `${listener.id} rule ${outcome.rulePriority}`;
  if (rule.source.isolation)
    return `${listener.id} rule ${rule.priority} (isolation guard for ${rule.source.hostname})`;
  return `${listener.id} rule ${rule.priority} (${rule.source.route} rule ${rule.source.rule} match ${rule.source.match})`;
}

export interface Transmission {
  scheme: "http" | "https";
  method: string;
  host: string;
  path: string;
  query?: string;
  headers: Record<string, string>;
  /** Cleartext HTTP/2 with prior knowledge (gRPC, H2C_PRIOR_KNOWLEDGE). */
  h2c: boolean;
}

export function lowerHeaders(headers: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = [...(out[k.toLowerCase()] ?? []), v];
  return out;
}

/** Sends one request through the Gateway's ALB model; every possible response with its odds. */
export function deliver(env: TrafficEnv, target: Target, tx: Transmission): Delivery {
  const matchRequest: MatchRequest = {
    host: tx.host,
    method: tx.method,
    path: tx.path,
    ...(tx.query ? { query: tx.query } : {}),
    headers: tx.headers,
  };
  const port = target.port ?? DEFAULT_PORT[tx.scheme];
  const base = { matchRequest, gatewayKey: target.gatewayKey };
  const lattice = env.translation.lattice.gateways.find((b) => b.model.gatewayKey === target.gatewayKey);
  if (lattice) return deliverLattice(env, target, tx, lattice.model, base);
  if (nlbModelOf(env, target.gatewayKey)) return deliverNlb(env, { ...target, port }, tx, base);
  const model = loadBalancerOf(env, target.gatewayKey);
  if (!model)
    return { ok: false, error: `Gateway ${target.gatewayKey} has no Application Load Balancer in the model`, ...base };
  const listener = model.listeners.find((l) => l.port === port);
  if (!listener) {
    return {
      ok: false,
      error: `connection refused: the ALB has no listener on port ${port} (has ${model.listeners.map((l) => l.id).join(", ") || "none"})`,
      ...base,
    };
  }
  if (tx.scheme === "https" && listener.protocol !== "HTTPS") {
    return { ok: false, error: `TLS handshake failed: ${listener.id} is not an HTTPS listener`, ...base };
  }
  if (tx.scheme === "https" && (listener.certificates?.arns.length ?? 0) === 0) {
    return {
      ok: false,
      error: `TLS handshake failed: ${listener.id} has no certificate (pending Secrets: ${listener.certificates?.pendingSecrets.join(", ") || "none"})`,
      ...base,
    };
  }
  if (tx.h2c) {
    return {
      ok: false,
      error: `${listener.id} does not accept cleartext HTTP/2 (h2c); ALB speaks HTTP/2 only over TLS`,
      ...base,
    };
  }
  if (tx.scheme === "http" && listener.protocol === "HTTPS") {
    const via = `${listener.id} (plain HTTP to an HTTPS listener)`;
    return { ok: true, exchanges: [{ probability: 1, status: 400, via, responseHeaders: {} }], ...base };
  }
  const request: AlbRequest = {
    method: tx.method,
    scheme: tx.scheme,
    host: tx.host,
    port,
    path: tx.path,
    ...(tx.query ? { query: tx.query } : {}),
    headers: lowerHeaders(tx.headers),
    sourceIp: "198.18.0.10",
  };
  let outcome: AlbOutcome;
  try {
    outcome = evaluateListener(listener.rules, listener.defaultActions, request);
  } catch (err) {
    return { ok: false, error: `the ALB model is malformed: ${(err as Error).message}`, ...base };
  }
  return { ok: true, exchanges: exchangesOf(env, model, listener, outcome, tx, port), ...base };
}

function exchangesOf(
  env: TrafficEnv,
  model: LoadBalancerModel,
  listener: ListenerModel,
  outcome: AlbOutcome,
  tx: Transmission,
  port: number,
): Exchange[] {
  const via = describeRule(listener, outcome);
  switch (outcome.kind) {
    case "fixed-response":
      return [
        {
          probability: 1,
          status: outcome.statusCode,
          via: `${via}: fixed response ${outcome.statusCode}`,
          responseHeaders: {},
        },
      ];
    case "redirect":
      return [
        {
          probability: 1,
          status: outcome.statusCode,
          via: `${via}: redirect ${outcome.statusCode} to ${outcome.location}`,
          location: outcome.location,
          responseHeaders: { location: [outcome.location] },
        },
      ];
    case "authenticate":
      return [{ probability: 1, status: 401, via: `${via}: authentication required`, responseHeaders: {} }];
    case "forward": {
      const exchanges: Exchange[] = [];
      for (const share of outcome.targetGroups) {
        if (share.share === 0) continue;
        const group = model.targetGroups.find((g) => g.id === share.targetGroupId);
        const label = group?.backend || share.targetGroupId;
        if (!group || group.targets.length === 0) {
          exchanges.push({
            probability: share.share,
            status: 503,
            via: `${via}: forward to ${label}, which has no targets (503)`,
            responseHeaders: {},
          });
          continue;
        }
        for (const t of group.targets) {
          const pod = env.cluster.podByIp(t.id);
          const probability = share.share / group.targets.length;
          if (!pod) {
            exchanges.push({ probability, status: 502, via: `${via}: target ${t.id} is no pod`, responseHeaders: {} });
            continue;
          }
          const forwarded = outcome.request;
          const headers = lowerHeaders(tx.headers);
          headers["x-forwarded-for"] = ["198.18.0.10"];
          headers["x-forwarded-proto"] = [tx.scheme];
          headers["x-forwarded-port"] = [String(port)];
          headers["x-amzn-trace-id"] = ["Root=1-00000000-000000000000000000000000"];
          exchanges.push({
            probability,
            status: 200,
            via: `${via}: forward to ${label} → pod ${pod.namespace}/${pod.name}`,
            pod,
            seen: {
              host: forwarded.host,
              method: tx.method,
              uri: forwarded.query ? `${forwarded.path}?${forwarded.query}` : forwarded.path,
              headers,
              port: t.port,
            },
            responseHeaders: echoResponseHeaders(tx.headers),
          });
        }
      }
      return exchanges;
    }
  }
}

/** The echo server sets the headers named in X-Echo-Set-Header (`name:value,…`). */
export function echoResponseHeaders(requestHeaders: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const spec = Object.entries(requestHeaders).find(([k]) => k.toLowerCase() === "x-echo-set-header")?.[1] ?? "";
  for (const item of spec.split(",")) {
    const colon = item.indexOf(":");
    if (colon <= 0) continue;
    const name = item.slice(0, colon).toLowerCase();
    out[name] = [...(out[name] ?? []), item.slice(colon + 1)];
  }
  return out;
}

// ---------- HTTP ----------

/** utils/http MakeRequest: the request the suite actually sends for a case. */
export function httpTransmission(c: HttpRequestCase, target: Target): Transmission {
  const scheme = c.request.scheme;
  let fullPath = c.request.path;
  if (c.requestIdQueryParam) fullPath = addQueryParam(fullPath, c.requestIdQueryParam.name, "00000000-request-id");
  const mark = fullPath.indexOf("?");
  const path = mark === -1 ? fullPath : fullPath.slice(0, mark);
  const query = mark === -1 ? undefined : fullPath.slice(mark + 1);
  const setHeaders = Object.entries(c.backendSetResponseHeaders ?? {}).map(([k, v]) => `${k}:${v}`);
  return {
    scheme,
    method: c.request.method || "GET",
    host: c.request.host || calculateHost(target, scheme),
    path: path === "" ? "/" : path,
    ...(query !== undefined && query !== "" ? { query } : {}),
    headers: { ...(c.request.headers ?? {}), "X-Echo-Set-Header": setHeaders.join(",") },
    h2c: c.request.protocol === "H2C_PRIOR_KNOWLEDGE",
  };
}

/** AddRequestIDQueryParam: url.Values.Encode sorts the parameters. */
function addQueryParam(rawUrl: string, name: string, value: string): string {
  const mark = rawUrl.indexOf("?");
  const path = mark === -1 ? rawUrl : rawUrl.slice(0, mark);
  const params = new URLSearchParams(mark === -1 ? "" : rawUrl.slice(mark + 1));
  params.set(name, value);
  params.sort();
  return `${path}?${params.toString()}`;
}

const isTimeout = (code: number) => code === 408 || code === 504;
const isRedirect = (code: number) => [300, 301, 302, 303, 304, 305, 307, 308].includes(code);

/** Go's url.Parse of a Location: scheme (lower-cased), Hostname(), Port() as written, Path. */
function parseLocation(location: string): { scheme: string; host: string; port: string; path: string } | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(location);
  if (!m) return undefined;
  const authority = m[2] ?? "";
  let host = authority;
  let port = "";
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    host = authority.slice(1, close);
    port = authority.slice(close + 1).replace(/^:/, "");
  } else if (authority.includes(":")) {
    host = authority.slice(0, authority.lastIndexOf(":"));
    port = authority.slice(authority.lastIndexOf(":") + 1);
  }
  return { scheme: (m[1] ?? "").toLowerCase(), host, port, path: m[3] ?? "" };
}

/** utils/http CompareRoundTrip for one response. */
export function compareRoundTrip(c: HttpRequestCase, tx: Transmission, ex: Exchange): string | undefined {
  const codes = c.response?.statusCodes && c.response.statusCodes.length > 0 ? c.response.statusCodes : [200];
  if (isTimeout(ex.status) && codes.some(isTimeout)) return undefined;
  if (!codes.includes(ex.status)) return `got ${ex.status} from ${ex.via}; expected ${codes.join(" or ")}`;
  if (c.response?.protocol && c.response.protocol !== "HTTP/1.1") {
    return `expected response protocol ${c.response.protocol}, the ALB answers HTTP/1.1 to this client`;
  }
  if (ex.status === 200 || ex.status === 204) {
    const seen = ex.seen;
    const pod = ex.pod;
    if (!seen || !pod) return `got ${ex.status} from ${ex.via} without a backend`;
    const expected = c.expectedRequest ?? {
      ...(c.request.host ? { host: c.request.host } : {}),
      method: c.request.method,
      path: c.request.path,
      ...(c.request.headers ? { headers: c.request.headers } : {}),
    };
    let expectedPath = expected.path ?? "";
    if (c.requestIdQueryParam) {
      expectedPath =
        c.expectedRequest && expected.path
          ? addQueryParam(expectedPath, c.requestIdQueryParam.name, "00000000-request-id")
          : `${tx.path}${tx.query ? `?${tx.query}` : ""}`;
    }
    const method = expected.method || "GET";
    if (expected.host && expected.host !== seen.host)
      return `backend saw host ${seen.host}, expected ${expected.host} (${ex.via})`;
    if (expectedPath !== seen.uri) return `backend saw path ${seen.uri}, expected ${expectedPath} (${ex.via})`;
    if (method !== seen.method) return `backend saw method ${seen.method}, expected ${method}`;
    if (c.namespace !== pod.namespace)
      return `answered from namespace ${pod.namespace}, expected ${c.namespace || '""'} (${ex.via})`;
    for (const [name, value] of Object.entries(expected.headers ?? {})) {
      const actual = seen.headers[name.toLowerCase()];
      if (!actual) return `backend did not see header ${name} (${ex.via})`;
      if (actual.join(",") !== value) return `backend saw ${name}: ${actual.join(",")}, expected ${value} (${ex.via})`;
    }
    if (c.expectedRequest?.httpPort && c.expectedRequest.httpPort !== String(seen.port)) {
      return `backend port ${seen.port}, expected ${c.expectedRequest.httpPort}`;
    }
    const strip = (s: string) => s.replaceAll(" ", "");
    const ignoreWs = (c.response as { ignoreWhitespace?: boolean } | undefined)?.ignoreWhitespace === true;
    for (const [name, values] of Object.entries(c.response?.validHeaderValues ?? {})) {
      const actual = ex.responseHeaders[name.toLowerCase()];
      if (!actual) return `response lacks header ${name} (${ex.via})`;
      const got = ignoreWs ? strip(actual.join(",")) : actual.join(",");
      if (!values.map((v) => (ignoreWs ? strip(v) : v)).includes(got))
        return `response ${name}: ${got}, expected one of ${values.join(" | ")}`;
    }
    for (const [name, value] of Object.entries(c.response?.headers ?? {})) {
      const actual = ex.responseHeaders[name.toLowerCase()];
      if (!actual) return `response lacks header ${name} (${ex.via})`;
      const got = ignoreWs ? strip(actual.join(",")) : actual.join(",");
      if (got !== (ignoreWs ? strip(value) : value)) return `response ${name}: ${got}, expected ${value}`;
    }
    for (const name of c.response?.absentHeaders ?? []) {
      if (ex.responseHeaders[name.toLowerCase()]) return `response carries header ${name}, expected none`;
    }
    for (const name of c.expectedRequest?.absentHeaders ?? []) {
      if (seen.headers[name.toLowerCase()]) return `backend saw header ${name}, expected none (${ex.via})`;
    }
    if (!pod.name.startsWith(c.backend)) return `answered by pod ${pod.name}, expected ${c.backend}* (${ex.via})`;
    return undefined;
  }
  if (isRedirect(ex.status)) {
    if (!c.redirectRequest) return undefined;
    const got = ex.location ? parseLocation(ex.location) : undefined;
    if (!got) return `redirect without a usable Location (${ex.via})`;
    const want = {
      host: c.redirectRequest.host || got.host,
      scheme: c.redirectRequest.scheme || tx.scheme,
      path: c.redirectRequest.path || tx.path,
      port: c.redirectRequest.port ?? "",
    };
    if (want.host !== got.host) return `redirected to host ${got.host}, expected ${want.host} (${ex.via})`;
    if (want.port === "") {
      if (got.scheme === "http" && got.port !== "80" && got.port !== "")
        return `redirected to http port ${got.port}, expected 80 or none (${ex.via})`;
      if (got.scheme === "https" && got.port !== "443" && got.port !== "")
        return `redirected to https port ${got.port}, expected 443 or none (${ex.via})`;
    } else if (want.port !== got.port) {
      return `redirected to port ${got.port || "(none)"}, expected ${want.port} (${ex.via})`;
    }
    if (want.scheme !== got.scheme) return `redirected to scheme ${got.scheme}, expected ${want.scheme} (${ex.via})`;
    if (want.path !== got.path) return `redirected to path ${got.path}, expected ${want.path} (${ex.via})`;
  }
  return undefined;
}

function odds(exchanges: readonly Exchange[]): string {
  return exchanges.length > 1 ? ` (one of ${exchanges.length} possible responses)` : "";
}

/** A `MakeRequestAndExpect…` case: `expect` says what must happen. */
export function checkHttpCase(
  env: TrafficEnv,
  target: Target,
  c: HttpRequestCase,
  expect: "response" | "nonOkStatus" | "requestFailure",
): CaseVerdict {
  const tx = httpTransmission(c, target);
  const delivery = deliver(env, target, tx);
  const where = { matchRequest: delivery.matchRequest, gatewayKey: delivery.gatewayKey };
  if (!delivery.ok) {
    return expect === "requestFailure"
      ? { ok: true, detail: `request failed as expected: ${delivery.error}`, ...where }
      : {
          ok: false,
          detail: delivery.error,
          ...where,
          ...(delivery.unanswered ? { unanswered: delivery.unanswered } : {}),
        };
  }
  if (expect === "requestFailure") {
    const first = delivery.exchanges[0];
    return {
      ok: false,
      detail: `request succeeded with ${first?.status} from ${first?.via}; expected it to fail`,
      ...where,
    };
  }
  for (const ex of delivery.exchanges) {
    if (expect === "nonOkStatus") {
      if (ex.status === 200)
        return {
          ok: false,
          detail: `got 200 from ${ex.via}; expected any other status${odds(delivery.exchanges)}`,
          ...where,
        };
      if (isTimeout(ex.status)) return { ok: false, detail: `got ${ex.status} (a timeout) from ${ex.via}`, ...where };
      continue;
    }
    const problem = compareRoundTrip(c, tx, ex);
    if (problem) return { ok: false, detail: `${problem}${odds(delivery.exchanges)}`, ...where };
  }
  const vias = [...new Set(delivery.exchanges.map((e) => e.via))].join("; ");
  return { ok: true, detail: vias, ...where };
}

// ---------- gRPC ----------

const GRPC_CODES: Record<number, string> = {
  0: "OK",
  2: "Unknown",
  7: "PermissionDenied",
  12: "Unimplemented",
  13: "Internal",
  14: "Unavailable",
  16: "Unauthenticated",
};

/** gRPC's HTTP-to-gRPC status mapping (doc/http-grpc-status-mapping.md) for responses without grpc-status. */
function grpcCodeOf(status: number): number {
  if (status === 200) return 0;
  if (status === 400) return 13;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return 12;
  if (status === 429 || status === 502 || status === 503 || status === 504) return 14;
  return 2;
}

export function grpcTransmission(c: GrpcRequestCase, target: Target): Transmission {
  const metadata = c.requestMetadata?.metadata ?? {};
  const authority = c.requestMetadata?.authority || `${target.address}:${target.port ?? 80}`;
  return {
    scheme: "http",
    method: "POST",
    host: authority,
    path: c.fullMethod,
    headers: { ...metadata, "content-type": "application/grpc", te: "trailers" },
    h2c: true,
  };
}

/** utils/grpc compareResponse. */
export function compareGrpc(c: GrpcRequestCase, ex: Exchange): string | undefined {
  const code = grpcCodeOf(ex.status);
  if (code !== c.response.codeNumber) {
    return `got ${GRPC_CODES[code] ?? code} (HTTP ${ex.status} from ${ex.via}); expected ${c.response.code}`;
  }
  if (code !== 0) return undefined;
  if (!ex.seen || !ex.pod) return `OK without a backend (${ex.via})`;
  if (ex.seen.uri !== c.fullMethod) return `backend saw method ${ex.seen.uri}, expected ${c.fullMethod}`;
  if (c.namespace !== "" && c.namespace !== ex.pod.namespace)
    return `answered from namespace ${ex.pod.namespace}, expected ${c.namespace}`;
  if (!ex.pod.name.startsWith(c.backend)) return `answered by pod ${ex.pod.name}, expected ${c.backend}* (${ex.via})`;
  return undefined;
}

export function checkGrpcCase(env: TrafficEnv, target: Target, c: GrpcRequestCase): CaseVerdict {
  const tx = grpcTransmission(c, target);
  const delivery = deliver(env, target, tx);
  const where = { matchRequest: delivery.matchRequest, gatewayKey: delivery.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  for (const ex of delivery.exchanges) {
    const problem = compareGrpc(c, ex);
    if (problem) return { ok: false, detail: `${problem}${odds(delivery.exchanges)}`, ...where };
  }
  return { ok: true, detail: [...new Set(delivery.exchanges.map((e) => e.via))].join("; "), ...where };
}

// ---------- weights ----------

/**
 * weight.TestWeightedDistribution, compared exactly: the share of requests each expected backend
 * (pod name prefix) receives must equal the expected fraction, and every sample must pass.
 */
export function checkWeights(
  env: TrafficEnv,
  target: Target,
  weights: Record<string, number>,
  sample: HttpRequestCase | GrpcRequestCase,
  kind: "http" | "grpc",
): CaseVerdict {
  const grpc = kind === "grpc";
  const tx = grpc
    ? grpcTransmission(sample as GrpcRequestCase, target)
    : httpTransmission(sample as HttpRequestCase, target);
  const delivery = deliver(env, target, tx);
  const where = { matchRequest: delivery.matchRequest, gatewayKey: delivery.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  const keys = Object.keys(weights).sort((a, b) => b.length - a.length);
  const got: Record<string, number> = Object.fromEntries(Object.keys(weights).map((k) => [k, 0]));
  for (const ex of delivery.exchanges) {
    const problem = grpc
      ? compareGrpc(sample as GrpcRequestCase, ex)
      : compareRoundTrip(sample as HttpRequestCase, tx, ex);
    if (problem) return { ok: false, detail: `a sample fails: ${problem}`, ...where };
    const key = keys.find((k) => ex.pod?.name.startsWith(k));
    if (key === undefined)
      return {
        ok: false,
        detail: `a sample reaches ${ex.pod?.name ?? "no pod"}, not one of ${keys.join(", ")}`,
        ...where,
      };
    got[key] = (got[key] ?? 0) + ex.probability;
  }
  const wrong = Object.entries(weights).filter(([k, v]) => Math.abs((got[k] ?? 0) - v) > 1e-9);
  const shares = Object.entries(got)
    .map(([k, v]) => `${k} ${Math.round(v * 10000) / 100}%`)
    .join(", ");
  return wrong.length === 0
    ? { ok: true, detail: `shares ${shares}`, ...where }
    : {
        ok: false,
        detail: `shares ${shares}; expected ${Object.entries(weights)
          .map(([k, v]) => `${k} ${v * 100}%`)
          .join(", ")}`,
        ...where,
      };
}

/** A WebSocket dial: an HTTP/1.1 Upgrade GET; ALB passes it to the target if the rule forwards it. */
export function checkWebSocket(env: TrafficEnv, target: Target, path: string): CaseVerdict {
  const tx: Transmission = {
    scheme: "http",
    method: "GET",
    host: calculateHost(target, "http"),
    path,
    headers: { Connection: "Upgrade", Upgrade: "websocket", Origin: "ws://gateway/" },
    h2c: false,
  };
  const delivery = deliver(env, target, tx);
  const where = { matchRequest: delivery.matchRequest, gatewayKey: delivery.gatewayKey };
  if (!delivery.ok) return { ok: false, detail: delivery.error, ...where };
  const bad = delivery.exchanges.find((e) => e.status !== 200);
  return bad
    ? { ok: false, detail: `upgrade answered ${bad.status} by ${bad.via}`, ...where }
    : { ok: true, detail: `upgrade forwarded: ${delivery.exchanges.map((e) => e.via).join("; ")}`, ...where };
}
