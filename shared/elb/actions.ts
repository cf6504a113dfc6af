/**
 * One route rule → the ALB actions (and transforms) every listener rule built from it carries:
 * weighted forward, redirect, URL and host rewrites, and the extras a ListenerRuleConfiguration
 * adds (authentication, fixed responses, source-ip conditions, stickiness).
 */
import { AWS_LBC_GROUP, type ListenerRuleConfiguration } from "../extensions/aws-lbc.ts";
import type { HTTPPathModifier, HTTPRouteFilter, HTTPRouteMatch } from "../gateway-api/types.ts";
import type { ResolvedRule } from "../graph/model.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import type { RuleAction, RuleCondition, RuleTransform } from "./rules.ts";
import { l7Protocol, type TargetGroupContext, type TargetGroupSet, targetGroupProps } from "./target-groups.ts";

const MAX_TARGET_GROUPS_PER_ACTION = 5;
const MAX_ALB_WEIGHT = 999;

export interface RuleActions {
  actions: RuleAction[];
  transforms: RuleTransform[];
  /** Extra conditions from a ListenerRuleConfiguration, with the match indexes they apply to. */
  sourceIp?: { values: string[]; matchIndexes?: number[] };
}

export interface ActionContext extends TargetGroupContext {
  targetGroups: TargetGroupSet;
  ruleConfigs: ReadonlyMap<string, ListenerRuleConfiguration>;
  /** Protocol of the load balancer listener the rule goes on: ALB authenticates on HTTPS only. */
  listenerProtocol: "HTTP" | "HTTPS";
  listenerPort: number;
}

/**
 * The client secret of an OIDC action lives in a Kubernetes Secret. Sending it to ELBv2 means
 * carrying it from the cluster to the reconciler, and switchyard carries no secret material over
 * SQS or into DynamoDB (TLS keys go to ACM and only the ARN travels); until the client secret has
 * such a path, an OIDC action is refused here rather than failing at apply.
 */
const OIDC_REFUSAL =
  "OIDC authentication is not supported: its client secret would have to travel from the Kubernetes Secret to ELBv2, and switchyard carries no secret material; use authenticate-cognito or jwt-validation";

export const FIXED_404: RuleAction = { type: "fixed-response", statusCode: "404", contentType: "text/plain" };
const FIXED_500: RuleAction = { type: "fixed-response", statusCode: "500", contentType: "text/plain" };

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Weights reduced by their common divisor; undefined if they still exceed ALB's 0–999. */
function albWeights(weights: readonly number[]): number[] | undefined {
  const divisor = weights.reduce((d, w) => gcd(d, w), 0) || 1;
  const reduced = weights.map((w) => w / divisor);
  return reduced.every((w) => w <= MAX_ALB_WEIGHT) ? reduced : undefined;
}

function forwardAction(rule: ResolvedRule, where: string, ctx: ActionContext): RuleAction | StatusProblem {
  const parts: { id: string; weight: number }[] = [];
  let invalidWeight = 0;
  for (const backend of rule.backends) {
    if (backend.weight === 0) continue;
    if (backend.problem) {
      invalidWeight += backend.weight;
      continue;
    }
    if (backend.kind === "ServiceImport") {
      return problem(
        Reason.UnsupportedValue,
        `${where}.backendRefs[${backend.index}]: ServiceImport backends are supported on VPC Lattice Gateways only`,
      );
    }
    const props = targetGroupProps(
      ctx.configs,
      backend,
      { kind: ctx.routeKind, namespace: ctx.routeNamespace, name: ctx.routeName },
      ctx.targetGroups.defaultConfigs,
    );
    const { protocol, version } = l7Protocol(ctx.routeKind, backend, props);
    const id = ctx.targetGroups.forBackend(backend, protocol, version, props);
    if (typeof id !== "string") return { ...id, message: `${where}.backendRefs[${backend.index}]: ${id.message}` };
    parts.push({ id, weight: backend.weight });
  }
  // Every valid backend has weight 0, or none is valid: the spec's answer is a 500.
  if (parts.length === 0) return FIXED_500;
  // Invalid references keep their share of traffic, answered with an error by an empty group.
  if (invalidWeight > 0) parts.push({ id: ctx.targetGroups.sink("HTTP"), weight: invalidWeight });
  const merged = new Map<string, number>();
  for (const p of parts) merged.set(p.id, (merged.get(p.id) ?? 0) + p.weight);
  if (merged.size > MAX_TARGET_GROUPS_PER_ACTION) {
    return problem(
      Reason.UnsupportedValue,
      `${where}.backendRefs: ${merged.size} target groups in one rule; ALB forwards to at most ${MAX_TARGET_GROUPS_PER_ACTION}`,
    );
  }
  const weights = albWeights([...merged.values()]);
  if (!weights) {
    return problem(
      Reason.UnsupportedValue,
      `${where}.backendRefs: weights ${[...merged.values()].join("/")} cannot be expressed exactly within ALB's 0–${MAX_ALB_WEIGHT}`,
    );
  }
  const ids = [...merged.keys()];
  return {
    type: "forward",
    targetGroups: ids.map((id, i) => ({ targetGroupId: id, weight: weights[i] ?? 0 })),
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/**
 * ReplacePrefixMatch as a url-rewrite of whole path segments, no doubled or lost slashes. ALB's
 * url-rewrite sees the path and the query together, so the regexes carry the query through.
 */
function prefixRewrite(prefix: string, replacement: string): RuleTransform {
  const from = escapeRegex(prefix.replace(/\/+$/, ""));
  const to = replacement.replace(/\/+$/, "");
  return to === ""
    ? { type: "url-rewrite", rewrites: [{ regex: `^${from}/?([^?]*)(\\?.*)?$`, replace: "/$1$2" }] }
    : { type: "url-rewrite", rewrites: [{ regex: `^${from}(/[^?]*)?(\\?.*)?$`, replace: `${to}$1$2` }] };
}

function pathTransform(
  modifier: HTTPPathModifier,
  matches: readonly HTTPRouteMatch[],
  where: string,
): RuleTransform | StatusProblem {
  if (modifier.type === "ReplaceFullPath") {
    return { type: "url-rewrite", rewrites: [{ regex: "^[^?]*", replace: modifier.replaceFullPath ?? "/" }] };
  }
  const prefix = matches.length === 1 && matches[0]?.path?.type === "PathPrefix" ? matches[0].path.value : undefined;
  if (prefix === undefined) {
    return problem(
      Reason.UnsupportedValue,
      `${where}: ReplacePrefixMatch needs exactly one PathPrefix match in the rule`,
    );
  }
  return prefixRewrite(prefix, modifier.replacePrefixMatch ?? "/");
}

function redirectAction(
  filter: NonNullable<HTTPRouteFilter["requestRedirect"]>,
  where: string,
): { action: RuleAction } | StatusProblem {
  const scheme = filter.scheme?.toLowerCase();
  const port =
    filter.port !== undefined ? String(filter.port) : scheme ? (scheme === "https" ? "443" : "80") : undefined;
  const action: RuleAction = {
    type: "redirect",
    statusCode: filter.statusCode === 301 ? "HTTP_301" : "HTTP_302",
    ...(scheme ? { protocol: scheme.toUpperCase() } : {}),
    ...(filter.hostname ? { host: filter.hostname } : {}),
    ...(port ? { port } : {}),
  };
  if (!filter.path) return { action };
  if (filter.path.type === "ReplaceFullPath")
    return { action: { ...action, path: filter.path.replaceFullPath ?? "/" } };
  // ALB applies transforms to requests it forwards, not to the Location of a redirect.
  return problem(
    Reason.UnsupportedValue,
    `${where}.requestRedirect.path: ReplacePrefixMatch redirects are not supported by Application Load Balancer; use ReplaceFullPath`,
  );
}

function ruleConfigExtras(
  ref: { group: string; kind: string; name: string },
  where: string,
  ctx: ActionContext,
): ListenerRuleConfiguration | StatusProblem {
  if (ref.group !== AWS_LBC_GROUP || ref.kind !== "ListenerRuleConfiguration") {
    return problem(
      Reason.UnsupportedValue,
      `${where}: ExtensionRef ${ref.group}/${ref.kind} is not supported; use gateway.k8s.aws/ListenerRuleConfiguration`,
    );
  }
  const config = ctx.ruleConfigs.get(`${ctx.routeNamespace}/${ref.name}`);
  if (!config)
    return problem(
      Reason.IncompatibleFilters,
      `${where}: ListenerRuleConfiguration ${ctx.routeNamespace}/${ref.name} not found`,
    );
  return config;
}

export function ruleActions(rule: ResolvedRule, where: string, ctx: ActionContext): RuleActions | StatusProblem {
  const transforms: RuleTransform[] = [];
  const prefix: RuleAction[] = [];
  let terminal: RuleAction | undefined;
  let sourceIp: RuleActions["sourceIp"];
  let stickiness: { enabled: boolean; durationSeconds?: number } | undefined;
  let redirectQuery: string | undefined;
  for (const [i, filter] of rule.filters.entries()) {
    const at = `${where}.filters[${i}]`;
    if (filter.type === "RequestRedirect" && "requestRedirect" in filter && filter.requestRedirect) {
      const redirect = redirectAction(filter.requestRedirect, at);
      if ("reason" in redirect) return redirect;
      terminal = redirect.action;
    } else if (filter.type === "URLRewrite" && "urlRewrite" in filter && filter.urlRewrite) {
      if (filter.urlRewrite.hostname) {
        transforms.push({
          type: "host-header-rewrite",
          rewrites: [{ regex: "^.*$", replace: filter.urlRewrite.hostname }],
        });
      }
      if (filter.urlRewrite.path) {
        const t = pathTransform(filter.urlRewrite.path, rule.httpMatches, `${at}.urlRewrite.path`);
        if ("reason" in t) return t;
        transforms.push(t);
      }
    } else if (filter.type === "ExtensionRef" && filter.extensionRef) {
      const config = ruleConfigExtras(filter.extensionRef, at, ctx);
      if ("reason" in config) return config;
      const configName = `ListenerRuleConfiguration ${ctx.routeNamespace}/${filter.extensionRef.name}`;
      if (config.spec?.tags && Object.keys(config.spec.tags).length > 0) {
        // A listener rule carries its listener's tags, and switchyard neither reads a rule's tags
        // back nor changes them after creation: per-rule tags would be set once and then drift.
        return problem(
          Reason.UnsupportedValue,
          `${at}: ${configName} spec.tags: tags per listener rule are not supported; listener rules carry the tags of their listener (LoadBalancerConfiguration tags)`,
        );
      }
      for (const [j, a] of (config.spec?.actions ?? []).entries()) {
        const field = `${at}: ${configName} spec.actions[${j}]`;
        if (a.type === "authenticate-oidc") {
          return problem(Reason.UnsupportedValue, `${field}.authenticateOIDCConfig: ${OIDC_REFUSAL}`);
        }
        if (isAuthentication(a.type) && ctx.listenerProtocol !== "HTTPS") {
          return problem(
            Reason.UnsupportedValue,
            `${field}: ${a.type} needs an HTTPS listener; the route is attached to ${ctx.listenerProtocol} listener port ${ctx.listenerPort}`,
          );
        }
        if (a.type === "fixed-response" && a.fixedResponseConfig) {
          terminal = {
            type: "fixed-response",
            statusCode: String(a.fixedResponseConfig.statusCode),
            ...(a.fixedResponseConfig.contentType
              ? { contentType: a.fixedResponseConfig.contentType as "text/plain" }
              : {}),
            ...(a.fixedResponseConfig.messageBody ? { messageBody: a.fixedResponseConfig.messageBody } : {}),
          };
        } else if (a.type === "authenticate-cognito") {
          prefix.push({ type: "authenticate-cognito", config: a.authenticateCognitoConfig ?? {} });
        } else if (a.type === "jwt-validation") {
          prefix.push({ type: "jwt-validation", config: a.jwtValidationConfig ?? {} });
        } else if (a.type === "forward" && a.forwardConfig?.targetGroupStickinessConfig) {
          stickiness = {
            enabled: a.forwardConfig.targetGroupStickinessConfig.enabled ?? true,
            ...(a.forwardConfig.targetGroupStickinessConfig.durationSeconds
              ? { durationSeconds: a.forwardConfig.targetGroupStickinessConfig.durationSeconds }
              : {}),
          };
        } else if (a.type === "redirect" && a.redirectConfig?.query !== undefined) {
          redirectQuery = a.redirectConfig.query;
        }
      }
      const ip = config.spec?.conditions?.find((c) => c.field === "source-ip");
      if (ip)
        sourceIp = { values: ip.sourceIPConfig.values, ...(ip.matchIndexes ? { matchIndexes: ip.matchIndexes } : {}) };
    }
  }
  if (!terminal) {
    const forward = forwardAction(rule, where, ctx);
    if ("reason" in forward) return forward;
    terminal = forward.type === "forward" && stickiness ? { ...forward, stickiness } : forward;
  } else if (terminal.type === "redirect" && redirectQuery !== undefined) {
    terminal = { ...terminal, query: redirectQuery };
  }
  return { actions: [...prefix, terminal], transforms, ...(sourceIp ? { sourceIp } : {}) };
}

function isAuthentication(type: string): boolean {
  return type === "authenticate-oidc" || type === "authenticate-cognito" || type === "jwt-validation";
}

/** Source-ip conditions from a ListenerRuleConfiguration for one match index. */
export function sourceIpCondition(extras: RuleActions, matchIndex: number): RuleCondition[] {
  const ip = extras.sourceIp;
  if (!ip || (ip.matchIndexes && !ip.matchIndexes.includes(matchIndex))) return [];
  return [{ field: "source-ip", values: ip.values }];
}
