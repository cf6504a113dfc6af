/**
 * What an Application Load Balancer listener does with a request, from its rules alone: a pure
 * model of ALB's documented rule evaluation ("Listener rules for your Application Load Balancer").
 *
 * Rules are evaluated in ascending priority; the first whose conditions all hold decides, and the
 * default actions apply when none does. Within a rule, conditions are ANDed and the values of one
 * condition ORed. Condition semantics are in evaluate/conditions.ts, actions in evaluate/actions.ts,
 * transforms in evaluate/transforms.ts; each file says what the docs leave open and how it is read.
 */

import { actionsOutcome } from "./evaluate/actions.ts";
import { allConditionsMatch } from "./evaluate/conditions.ts";
import type { AlbOutcome } from "./evaluate/outcome.ts";
import type { AlbRequest } from "./evaluate/request.ts";
import type { ListenerRule, RuleAction } from "./rules.ts";

export { MalformedRuleActions } from "./evaluate/actions.ts";
export { conditionMatches } from "./evaluate/conditions.ts";
export type { AlbOutcome, ForwardedRequest, RulePriority, WeightedTargetGroupShare } from "./evaluate/outcome.ts";
export type { AlbRequest } from "./evaluate/request.ts";

/**
 * The outcome of the request on a listener with these rules and default actions. Throws
 * `MalformedRuleActions` for an action list the ELB API would have refused (no routing action
 * last, or something other than authenticate before it).
 */
export function evaluateListener(
  rules: readonly ListenerRule[],
  defaultActions: readonly RuleAction[],
  request: AlbRequest,
): AlbOutcome {
  // Priorities are unique on a listener; the index only keeps the sort stable if they are not.
  const ordered = rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index);
  for (const { rule } of ordered) {
    if (allConditionsMatch(rule.conditions, request)) {
      return actionsOutcome(rule.actions, rule.priority, request, rule.transforms);
    }
  }
  // The default rule can have neither conditions nor transforms.
  return actionsOutcome(defaultActions, "default", request, undefined);
}
