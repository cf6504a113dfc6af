/**
 * Elastic Load Balancing listener rules as switchyard models them: the same fields the ELBv2 API
 * takes (conditions, actions, transforms), in camelCase, with target groups named by their model
 * id until apply resolves them to ARNs. Adapters at the edge translate to SDK shapes.
 */

/** Condition values, as ALB compares them: globs `*` and `?` unless `regexValues` is used. */
export type RuleCondition =
  | { field: "host-header"; values?: string[]; regexValues?: string[] }
  | { field: "path-pattern"; values?: string[]; regexValues?: string[] }
  | { field: "http-header"; headerName: string; values?: string[]; regexValues?: string[] }
  | { field: "query-string"; values: { key?: string; value: string }[] }
  | { field: "http-request-method"; values: string[] }
  | { field: "source-ip"; values: string[] };

export interface WeightedTargetGroup {
  /** Model id of the target group (see TargetGroupModel.id); resolved to an ARN on apply. */
  targetGroupId: string;
  weight: number;
}

export interface ForwardAction {
  type: "forward";
  targetGroups: WeightedTargetGroup[];
  stickiness?: { enabled: boolean; durationSeconds?: number };
}

/**
 * Redirect components may use ALB's reserved keys `#{protocol}`, `#{host}`, `#{port}`, `#{path}`
 * and `#{query}`; an omitted component keeps the request's own value.
 */
export interface RedirectAction {
  type: "redirect";
  protocol?: string;
  host?: string;
  port?: string;
  path?: string;
  query?: string;
  statusCode: "HTTP_301" | "HTTP_302";
}

export interface FixedResponseAction {
  type: "fixed-response";
  statusCode: string;
  contentType?: "text/plain" | "text/css" | "text/html" | "application/javascript" | "application/json";
  messageBody?: string;
}

export interface AuthenticateAction {
  type: "authenticate-oidc" | "authenticate-cognito" | "jwt-validation";
  config: Record<string, unknown>;
}

export type RuleAction = ForwardAction | RedirectAction | FixedResponseAction | AuthenticateAction;

/** Request transforms applied before routing to targets: regex → replacement (ALB transforms). */
export type RuleTransform =
  | { type: "host-header-rewrite"; rewrites: { regex: string; replace: string }[] }
  | { type: "url-rewrite"; rewrites: { regex: string; replace: string }[] };

export interface ListenerRule {
  /** 1..50000, lower is evaluated first. */
  priority: number;
  conditions: RuleCondition[];
  /** Authenticate actions first, then exactly one terminal action (forward, redirect, fixed-response). */
  actions: RuleAction[];
  transforms?: RuleTransform[];
}

/** `QUIC` and `TCP_QUIC` are UDP and TCP_UDP listeners of a Network Load Balancer with QUIC enabled. */
export type ListenerProtocol = "HTTP" | "HTTPS" | "TCP" | "UDP" | "TCP_UDP" | "TLS" | "QUIC" | "TCP_QUIC";
