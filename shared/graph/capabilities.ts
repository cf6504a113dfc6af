/**
 * What each data plane can express, checked before anything is built so that an unsupported
 * feature becomes a precise status on the one object that uses it — never a silent drop and never
 * a failure of unrelated routes.
 */
import type { DataPlane } from "../config.ts";
import type { GRPCRoute, HTTPRoute, ProtocolType, Route, RouteKind, TLSModeType } from "../gateway-api/types.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";

/** Route kinds a listener accepts by default, per data plane and protocol. */
export function defaultRouteKinds(
  dataPlane: DataPlane,
  protocol: ProtocolType,
  tlsMode: TLSModeType | undefined,
): RouteKind[] {
  switch (dataPlane) {
    case "alb":
      // ALB speaks gRPC to targets only behind HTTPS listeners.
      if (protocol === "HTTP") return ["HTTPRoute"];
      if (protocol === "HTTPS") return ["HTTPRoute", "GRPCRoute"];
      return [];
    case "nlb":
      if (protocol === "TCP") return ["TCPRoute"];
      if (protocol === "UDP") return ["UDPRoute"];
      if (protocol === "TLS") return tlsMode === "Passthrough" ? ["TLSRoute"] : ["TLSRoute", "TCPRoute"];
      return [];
    case "lattice":
      if (protocol === "HTTP") return ["HTTPRoute"];
      if (protocol === "HTTPS") return ["HTTPRoute", "GRPCRoute"];
      if (protocol === "TLS" && tlsMode === "Passthrough") return ["TLSRoute"];
      return [];
  }
}

const LISTENER_PROTOCOLS: Record<DataPlane, readonly string[]> = {
  alb: ["HTTP", "HTTPS"],
  nlb: ["TCP", "UDP", "TLS"],
  lattice: ["HTTP", "HTTPS", "TLS"],
};

export function listenerProtocolProblem(
  dataPlane: DataPlane,
  protocol: ProtocolType,
  tlsMode: TLSModeType | undefined,
): StatusProblem | undefined {
  if (!LISTENER_PROTOCOLS[dataPlane].includes(protocol)) {
    return problem(
      Reason.UnsupportedProtocol,
      `protocol ${protocol} is not supported by ${dataPlaneName(dataPlane)}; use one of ${LISTENER_PROTOCOLS[dataPlane].join(", ")}`,
    );
  }
  if (dataPlane === "lattice" && protocol === "TLS" && tlsMode !== "Passthrough") {
    return problem(Reason.UnsupportedValue, "VPC Lattice supports TLS listeners only with tls.mode Passthrough");
  }
  return undefined;
}

export function dataPlaneName(dataPlane: DataPlane): string {
  return { alb: "Application Load Balancer", nlb: "Network Load Balancer", lattice: "VPC Lattice" }[dataPlane];
}

const ALB_HTTP_FILTERS = new Set(["RequestRedirect", "URLRewrite", "ExtensionRef"]);
const ALB_REDIRECT_CODES = new Set([301, 302]);

/**
 * Route features a data plane cannot express. The first one found is reported with the field that
 * uses it, so the user knows exactly what to change.
 */
export function unsupportedRouteFeature(dataPlane: DataPlane, route: Route): StatusProblem | undefined {
  if (route.kind === "HTTPRoute") return unsupportedHttpFeature(dataPlane, route);
  if (route.kind === "GRPCRoute") return unsupportedGrpcFeature(dataPlane, route);
  return undefined;
}

function unsupported(message: string): StatusProblem {
  return problem(Reason.UnsupportedValue, message);
}

function unsupportedHttpFeature(dataPlane: DataPlane, route: HTTPRoute): StatusProblem | undefined {
  const plane = dataPlaneName(dataPlane);
  for (const [r, rule] of (route.spec?.rules ?? []).entries()) {
    const at = `spec.rules[${r}]`;
    if (rule.timeouts) return unsupported(`${at}.timeouts: request timeouts are not supported by ${plane}`);
    if (rule.retry) return unsupported(`${at}.retry: retries are not supported by ${plane}`);
    if (rule.sessionPersistence) {
      return unsupported(`${at}.sessionPersistence: session persistence is not supported by ${plane}`);
    }
    for (const [f, filter] of (rule.filters ?? []).entries()) {
      if (dataPlane === "lattice") {
        return unsupported(`${at}.filters[${f}]: filter ${filter.type} is not supported by ${plane}`);
      }
      if (!ALB_HTTP_FILTERS.has(filter.type)) {
        return unsupported(`${at}.filters[${f}]: filter ${filter.type} is not supported by ${plane}`);
      }
      const code = filter.requestRedirect?.statusCode;
      if (code !== undefined && !ALB_REDIRECT_CODES.has(code)) {
        return unsupported(
          `${at}.filters[${f}].requestRedirect.statusCode: ${code} is not supported by ${plane} (301 or 302)`,
        );
      }
    }
    for (const [b, backend] of (rule.backendRefs ?? []).entries()) {
      const first = backend.filters?.[0];
      if (first) {
        return unsupported(
          `${at}.backendRefs[${b}].filters[0]: per-backend filter ${first.type} is not supported by ${plane}`,
        );
      }
    }
    if (dataPlane === "lattice") {
      for (const [m, match] of (rule.matches ?? []).entries()) {
        if (match.queryParams?.length) {
          return unsupported(`${at}.matches[${m}].queryParams: query parameter matching is not supported by ${plane}`);
        }
        if (match.path?.type === "RegularExpression") {
          return unsupported(`${at}.matches[${m}].path: RegularExpression paths are not supported by ${plane}`);
        }
        if (match.headers?.some((h) => h.type === "RegularExpression")) {
          return unsupported(
            `${at}.matches[${m}].headers: RegularExpression header matches are not supported by ${plane}`,
          );
        }
      }
    }
  }
  return undefined;
}

function unsupportedGrpcFeature(dataPlane: DataPlane, route: GRPCRoute): StatusProblem | undefined {
  const plane = dataPlaneName(dataPlane);
  for (const [r, rule] of (route.spec?.rules ?? []).entries()) {
    const at = `spec.rules[${r}]`;
    if (rule.sessionPersistence) {
      return unsupported(`${at}.sessionPersistence: session persistence is not supported by ${plane}`);
    }
    for (const [f, filter] of (rule.filters ?? []).entries()) {
      if (!(dataPlane === "alb" && filter.type === "ExtensionRef")) {
        return unsupported(`${at}.filters[${f}]: filter ${filter.type} is not supported by ${plane}`);
      }
    }
    for (const [b, backend] of (rule.backendRefs ?? []).entries()) {
      const first = backend.filters?.[0];
      if (first) {
        return unsupported(
          `${at}.backendRefs[${b}].filters[0]: per-backend filter ${first.type} is not supported by ${plane}`,
        );
      }
    }
  }
  return undefined;
}
