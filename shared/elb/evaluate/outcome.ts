/**
 * What an Application Load Balancer listener does with one request: the rule that matched (its
 * priority, or `"default"` for the listener's default actions) and the action taken.
 */
export type RulePriority = number | "default";

export interface WeightedTargetGroupShare {
  targetGroupId: string;
  weight: number;
  /** weight / Σweight over the action's target groups: the expected fraction of requests. */
  share: number;
}

/** The request as targets see it, after the rule's transforms. */
export interface ForwardedRequest {
  /** The Host header, rewritten by a `host-header-rewrite` transform if one matched. */
  host: string;
  path: string;
  query?: string;
}

export type AlbOutcome =
  | {
      kind: "forward";
      rulePriority: RulePriority;
      targetGroups: WeightedTargetGroupShare[];
      request: ForwardedRequest;
    }
  | { kind: "redirect"; rulePriority: RulePriority; statusCode: 301 | 302; location: string }
  | { kind: "fixed-response"; rulePriority: RulePriority; statusCode: number; contentType?: string; body?: string }
  /**
   * An authenticate action (`authenticate-oidc`, `authenticate-cognito`, `jwt-validation`) runs
   * first; `then` is what follows once it lets the request through. The default rule may carry
   * authenticate actions too, so the priority may be `"default"`.
   */
  | { kind: "authenticate"; rulePriority: RulePriority; then: AlbOutcome };
