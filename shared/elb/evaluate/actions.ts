/**
 * A rule's actions as one outcome ("Action types for listener rules"): authenticate actions run
 * first, in order, then exactly one routing action — forward, redirect or fixed-response — which
 * must be the last. Each authenticate action wraps what follows it.
 */
import type { AuthenticateAction, RuleAction, RuleTransform } from "../rules.ts";
import { NO_FORWARDABLE_TARGET_GROUP_STATUS, targetGroupShares } from "./forward.ts";
import type { AlbOutcome, RulePriority } from "./outcome.ts";
import { redirectLocation, redirectStatus } from "./redirect.ts";
import { type AlbRequest, presentQuery } from "./request.ts";
import { applyTransforms, TRANSFORM_FAILURE_STATUS } from "./transforms.ts";

/** The actions break the documented shape; the API would never have accepted them. */
export class MalformedRuleActions extends Error {
  readonly rulePriority: RulePriority;

  constructor(rulePriority: RulePriority, detail: string) {
    super(`listener rule ${String(rulePriority)}: ${detail}`);
    this.name = "MalformedRuleActions";
    this.rulePriority = rulePriority;
  }
}

const isAuthenticate = (action: RuleAction): action is AuthenticateAction =>
  action.type === "authenticate-oidc" || action.type === "authenticate-cognito" || action.type === "jwt-validation";

type RoutingAction = Exclude<RuleAction, AuthenticateAction>;

function routingOutcome(
  action: RoutingAction,
  rulePriority: RulePriority,
  request: AlbRequest,
  transforms: readonly RuleTransform[] | undefined,
): AlbOutcome {
  switch (action.type) {
    case "forward": {
      const targetGroups = targetGroupShares(action);
      if (targetGroups === undefined) {
        return { kind: "fixed-response", rulePriority, statusCode: NO_FORWARDABLE_TARGET_GROUP_STATUS };
      }
      const query = presentQuery(request.query);
      const transformed = applyTransforms(transforms, {
        host: request.host,
        path: request.path,
        ...(query === undefined ? {} : { query }),
      });
      if (!transformed.ok) return { kind: "fixed-response", rulePriority, statusCode: TRANSFORM_FAILURE_STATUS };
      return { kind: "forward", rulePriority, targetGroups, request: transformed.request };
    }
    case "redirect":
      return {
        kind: "redirect",
        rulePriority,
        statusCode: redirectStatus(action),
        location: redirectLocation(action, request),
      };
    case "fixed-response":
      return {
        kind: "fixed-response",
        rulePriority,
        statusCode: Number(action.statusCode),
        ...(action.contentType === undefined ? {} : { contentType: action.contentType }),
        ...(action.messageBody === undefined ? {} : { body: action.messageBody }),
      };
  }
}

export function actionsOutcome(
  actions: readonly RuleAction[],
  rulePriority: RulePriority,
  request: AlbRequest,
  transforms: readonly RuleTransform[] | undefined,
): AlbOutcome {
  const routing = actions.at(-1);
  if (routing === undefined || isAuthenticate(routing)) {
    throw new MalformedRuleActions(rulePriority, "the last action must be forward, redirect or fixed-response");
  }
  const leading = actions.slice(0, -1);
  if (!leading.every(isAuthenticate)) {
    throw new MalformedRuleActions(rulePriority, "only authenticate actions may precede the routing action");
  }
  return leading.reduceRight<AlbOutcome>(
    (then) => ({ kind: "authenticate", rulePriority, then }),
    routingOutcome(routing, rulePriority, request, transforms),
  );
}
