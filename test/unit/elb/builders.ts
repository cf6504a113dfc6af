/** Builders for ALB evaluator tests: a plain GET to https://example.com/ plus overrides. */
import type { AlbRequest } from "../../../shared/elb/evaluate.ts";
import type {
  ForwardAction,
  ListenerRule,
  RuleAction,
  RuleCondition,
  RuleTransform,
} from "../../../shared/elb/rules.ts";

export function request(overrides: Partial<AlbRequest> = {}): AlbRequest {
  return { method: "GET", scheme: "https", host: "example.com", port: 443, path: "/", ...overrides };
}

export function forwardTo(...targetGroupIds: string[]): ForwardAction {
  return { type: "forward", targetGroups: targetGroupIds.map((targetGroupId) => ({ targetGroupId, weight: 1 })) };
}

export function rule(
  priority: number,
  conditions: RuleCondition[],
  actions: RuleAction[] = [forwardTo(`tg-${priority}`)],
  transforms?: RuleTransform[],
): ListenerRule {
  return { priority, conditions, actions, ...(transforms === undefined ? {} : { transforms }) };
}

export const NOT_FOUND: RuleAction = { type: "fixed-response", statusCode: "404", contentType: "text/plain" };

export const host = (...values: string[]): RuleCondition => ({ field: "host-header", values });
export const path = (...values: string[]): RuleCondition => ({ field: "path-pattern", values });
export const header = (headerName: string, ...values: string[]): RuleCondition => ({
  field: "http-header",
  headerName,
  values,
});
export const method = (...values: string[]): RuleCondition => ({ field: "http-request-method", values });
export const sourceIp = (...values: string[]): RuleCondition => ({ field: "source-ip", values });
export const query = (...values: { key?: string; value: string }[]): RuleCondition => ({
  field: "query-string",
  values,
});
