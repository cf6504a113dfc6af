/**
 * The desired model's matches, actions and health checks as the VPC Lattice API takes them, and
 * the API's answers back in the model's terms (target groups by model id), so that what the
 * planner compares is the same shape on both sides.
 */
import type {
  HeaderMatch,
  HealthCheckConfig,
  RuleAction,
  RuleMatch,
  WeightedTargetGroup,
} from "@aws-sdk/client-vpc-lattice";
import type { LatticeAction, LatticeHeaderMatch, LatticeHealthCheckModel, LatticeMatch } from "../../lattice/model.ts";
import type { ObservedLattice } from "../../lattice/observed.ts";

/** The last path segment of a Lattice ARN: its id (`svc-…`, `tg-…`, `listener-…`). */
export function idOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

export function toRuleMatch(match: LatticeMatch): RuleMatch {
  return {
    httpMatch: {
      ...(match.method ? { method: match.method } : {}),
      ...(match.path
        ? {
            pathMatch: {
              match: match.path.type === "exact" ? { exact: match.path.value } : { prefix: match.path.value },
              caseSensitive: match.path.caseSensitive,
            },
          }
        : {}),
      ...(match.headers.length > 0
        ? {
            headerMatches: match.headers.map(
              (h): HeaderMatch => ({
                name: h.name,
                match:
                  h.type === "exact"
                    ? { exact: h.value }
                    : h.type === "prefix"
                      ? { prefix: h.value }
                      : { contains: h.value },
                caseSensitive: h.caseSensitive,
              }),
            ),
          }
        : {}),
    },
  };
}

export function fromRuleMatch(match: RuleMatch | undefined): LatticeMatch {
  const http = match?.httpMatch;
  const path = http?.pathMatch;
  const headers = (http?.headerMatches ?? []).map((h): LatticeHeaderMatch => {
    const m = h.match;
    const [type, value]: [LatticeHeaderMatch["type"], string] =
      m?.exact !== undefined
        ? ["exact", m.exact]
        : m?.prefix !== undefined
          ? ["prefix", m.prefix]
          : ["contains", m?.contains ?? ""];
    return { name: h.name ?? "", type, value, caseSensitive: h.caseSensitive ?? false };
  });
  return {
    ...(http?.method ? { method: http.method } : {}),
    ...(path?.match
      ? {
          path: {
            type: path.match.exact !== undefined ? "exact" : "prefix",
            value: path.match.exact ?? path.match.prefix ?? "",
            caseSensitive: path.caseSensitive ?? false,
          },
        }
      : {}),
    headers,
  };
}

/** An error naming a target group the executor cannot find an ARN for. */
export class UnresolvedTargetGroup extends Error {
  readonly targetGroupId: string;

  constructor(targetGroupId: string) {
    super(`target group ${targetGroupId} does not exist (yet): no ARN to forward to`);
    this.name = "UnresolvedTargetGroup";
    this.targetGroupId = targetGroupId;
  }
}

/** A model action as the API takes it: target groups by ARN (what exists so far, or `arn:` references). */
export function toRuleAction(action: LatticeAction, current: ObservedLattice): RuleAction {
  if (action.type === "fixed-response") return { fixedResponse: { statusCode: action.statusCode } };
  return {
    forward: {
      targetGroups: action.targetGroups.map((t): WeightedTargetGroup => {
        const arn = t.targetGroupId.startsWith("arn:")
          ? t.targetGroupId.slice("arn:".length)
          : current.targetGroups.find((g) => g.id === t.targetGroupId)?.arn;
        if (!arn) throw new UnresolvedTargetGroup(t.targetGroupId);
        return { targetGroupIdentifier: arn, weight: t.weight };
      }),
    },
  };
}

/** An API action in model terms: a group this Gateway owns by model id, any other as `arn:<arn>`. */
export function fromRuleAction(action: RuleAction | undefined, current: ObservedLattice): LatticeAction {
  if (action?.fixedResponse) {
    return { type: "fixed-response", statusCode: action.fixedResponse.statusCode === 500 ? 500 : 404 };
  }
  const groups = action?.forward?.targetGroups ?? [];
  return {
    type: "forward",
    targetGroups: groups.map((t) => {
      const ref = t.targetGroupIdentifier ?? "";
      const own = current.targetGroups.find((g) => g.arn === ref || idOfArn(g.arn) === ref);
      return { targetGroupId: own ? own.id : `arn:${ref}`, weight: t.weight ?? 1 };
    }),
  };
}

export function toHealthCheck(check: LatticeHealthCheckModel): HealthCheckConfig {
  return {
    enabled: check.enabled,
    protocol: check.protocol,
    protocolVersion: check.protocolVersion,
    ...(check.port !== undefined ? { port: check.port } : {}),
    path: check.path,
    healthCheckIntervalSeconds: check.intervalSeconds,
    healthCheckTimeoutSeconds: check.timeoutSeconds,
    healthyThresholdCount: check.healthyThresholdCount,
    unhealthyThresholdCount: check.unhealthyThresholdCount,
    matcher: { httpCode: check.matcher },
  };
}

export function fromHealthCheck(check: HealthCheckConfig | undefined): LatticeHealthCheckModel | undefined {
  if (!check) return undefined;
  return {
    enabled: check.enabled ?? false,
    protocol: check.protocol === "HTTPS" ? "HTTPS" : "HTTP",
    protocolVersion: check.protocolVersion === "HTTP2" ? "HTTP2" : "HTTP1",
    ...(check.port !== undefined ? { port: check.port } : {}),
    path: check.path ?? "/",
    intervalSeconds: check.healthCheckIntervalSeconds ?? 30,
    timeoutSeconds: check.healthCheckTimeoutSeconds ?? 5,
    healthyThresholdCount: check.healthyThresholdCount ?? 5,
    unhealthyThresholdCount: check.unhealthyThresholdCount ?? 2,
    matcher: check.matcher?.httpCode ?? "200",
  };
}
