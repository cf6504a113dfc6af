/**
 * Gateway API matches → ALB rule conditions. One match with one effective hostname becomes one
 * rule, or two when a PathPrefix's two path values would push the rule past ALB's limit of five
 * condition values (the pair `/p` and `/p/*` splits into adjacent rules with the same meaning).
 */
import type { GRPCRouteMatch, HTTPRouteMatch } from "../gateway-api/types.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import type { RuleCondition } from "./rules.ts";

const MAX_CONDITION_VALUES_PER_RULE = 5;

const GLOB_CHARS = /[*?]/;

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** A literal value as a condition: a glob when it has no glob characters, else an anchored regex. */
function literal(value: string): { values: string[] } | { regexValues: string[] } {
  return GLOB_CHARS.test(value) ? { regexValues: [`^${escapeRegex(value)}$`] } : { values: [value] };
}

/** Path values for a Gateway API path match; PathPrefix matches whole segments. */
function pathConditions(path: HTTPRouteMatch["path"]): RuleCondition[] {
  const type = path?.type ?? "PathPrefix";
  const value = path?.value ?? "/";
  if (type === "RegularExpression") return [{ field: "path-pattern", regexValues: [value] }];
  if (type === "Exact") return [{ field: "path-pattern", ...literal(value) }];
  const prefix = value.replace(/\/+$/, "");
  if (prefix === "") return [{ field: "path-pattern", values: ["/*"] }];
  if (GLOB_CHARS.test(prefix)) {
    return [{ field: "path-pattern", regexValues: [`^${escapeRegex(prefix)}(/.*)?$`] }];
  }
  return [{ field: "path-pattern", values: [prefix, `${prefix}/*`] }];
}

function conditionValueCount(conditions: readonly RuleCondition[]): number {
  let count = 0;
  for (const c of conditions) {
    if (c.field === "query-string" || c.field === "http-request-method" || c.field === "source-ip")
      count += c.values.length;
    else count += (c.values?.length ?? 0) + (c.regexValues?.length ?? 0);
  }
  return count;
}

function hostCondition(hostname: string | undefined): RuleCondition[] {
  return hostname ? [{ field: "host-header", values: [hostname] }] : [];
}

/** Splits a rule whose path-pattern carries several values into one rule per value, if that fits. */
function fitToLimit(conditions: RuleCondition[], where: string): RuleCondition[][] | StatusProblem {
  if (conditionValueCount(conditions) <= MAX_CONDITION_VALUES_PER_RULE) return [conditions];
  const path = conditions.find((c) => c.field === "path-pattern");
  const others = conditions.filter((c) => c !== path);
  if (path && path.field === "path-pattern" && (path.values?.length ?? 0) > 1) {
    const split = (path.values ?? []).map((v): RuleCondition[] => [...others, { field: "path-pattern", values: [v] }]);
    if (split.every((c) => conditionValueCount(c) <= MAX_CONDITION_VALUES_PER_RULE)) return split;
  }
  return problem(
    Reason.UnsupportedValue,
    `${where} needs ${conditionValueCount(conditions)} ALB condition values (host, path, headers, query parameters and method each count); ALB allows ${MAX_CONDITION_VALUES_PER_RULE} per rule`,
  );
}

export function httpMatchConditions(
  match: HTTPRouteMatch,
  hostname: string | undefined,
  where: string,
): RuleCondition[][] | StatusProblem {
  const conditions: RuleCondition[] = [...hostCondition(hostname), ...pathConditions(match.path)];
  for (const header of match.headers ?? []) {
    conditions.push(
      header.type === "RegularExpression"
        ? { field: "http-header", headerName: header.name, regexValues: [header.value] }
        : { field: "http-header", headerName: header.name, ...literal(header.value) },
    );
  }
  for (const [i, query] of (match.queryParams ?? []).entries()) {
    if (query.type === "RegularExpression") {
      return problem(
        Reason.UnsupportedValue,
        `${where}.queryParams[${i}]: RegularExpression query matches are not supported by Application Load Balancer`,
      );
    }
    if (GLOB_CHARS.test(query.name) || GLOB_CHARS.test(query.value)) {
      return problem(
        Reason.UnsupportedValue,
        `${where}.queryParams[${i}]: '*' and '?' are wildcards in ALB query-string conditions and cannot be matched literally`,
      );
    }
    conditions.push({ field: "query-string", values: [{ key: query.name, value: query.value }] });
  }
  if (match.method) conditions.push({ field: "http-request-method", values: [match.method] });
  return fitToLimit(conditions, where);
}

/** gRPC calls are HTTP/2 POSTs to `/service/method`; the match becomes a path condition. */
export function grpcMatchConditions(
  match: GRPCRouteMatch,
  hostname: string | undefined,
  where: string,
): RuleCondition[][] | StatusProblem {
  const service = match.method?.service || undefined;
  const method = match.method?.method || undefined;
  let path: RuleCondition;
  if (match.method?.type === "RegularExpression") {
    path = { field: "path-pattern", regexValues: [`^/${service ?? "[^/]+"}/${method ?? "[^/]+"}$`] };
  } else if (service && method) {
    path = { field: "path-pattern", ...literal(`/${service}/${method}`) };
  } else if (service) {
    path = GLOB_CHARS.test(service)
      ? { field: "path-pattern", regexValues: [`^/${escapeRegex(service)}/[^/]+$`] }
      : { field: "path-pattern", values: [`/${service}/*`] };
  } else if (method) {
    path = GLOB_CHARS.test(method)
      ? { field: "path-pattern", regexValues: [`^/[^/]+/${escapeRegex(method)}$`] }
      : { field: "path-pattern", values: [`/*/${method}`] };
  } else {
    path = { field: "path-pattern", values: ["/*"] };
  }
  // gRPC calls are always POSTs; saying so keeps stray GETs on the same path out of the backend.
  const conditions: RuleCondition[] = [
    ...hostCondition(hostname),
    path,
    { field: "http-request-method", values: ["POST"] },
  ];
  for (const header of match.headers ?? []) {
    conditions.push(
      header.type === "RegularExpression"
        ? { field: "http-header", headerName: header.name, regexValues: [header.value] }
        : { field: "http-header", headerName: header.name, ...literal(header.value) },
    );
  }
  return fitToLimit(conditions, where);
}
