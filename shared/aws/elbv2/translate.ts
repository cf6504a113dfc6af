/**
 * The model's listener rules, actions, health checks and tags ↔ ELBv2 SDK shapes. Pure.
 *
 * Model → SDK always uses the `*Config` condition forms (the legacy top-level `Values` allows one
 * value and no regexes). SDK → model accepts both forms, because AWS answers with both, and
 * normalises what AWS fills in by itself (redirect components, forward stickiness off, action
 * order) so that a rule read back equals the rule that was sent. Objects are built with their keys
 * in the order the model builders (shared/elb) use, for planners that compare serialised JSON.
 */
import type {
  Action,
  AuthenticateCognitoActionConfig,
  AuthenticateOidcActionConfig,
  JwtValidationActionConfig,
  Matcher,
  RedirectActionStatusCodeEnum,
  RuleCondition as SdkRuleCondition,
  RuleTransform as SdkRuleTransform,
  Tag,
  TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { HealthCheckModel } from "../../elb/model.ts";
import type { RuleAction, RuleCondition, RuleTransform } from "../../elb/rules.ts";

// ---------- tags ----------

export function toSdkTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

// ---------- conditions ----------

function patternConfig(values: string[] | undefined, regexValues: string[] | undefined) {
  return {
    ...(values?.length ? { Values: values } : {}),
    ...(regexValues?.length ? { RegexValues: regexValues } : {}),
  };
}

export function toSdkCondition(condition: RuleCondition): SdkRuleCondition {
  switch (condition.field) {
    case "host-header":
      return { Field: condition.field, HostHeaderConfig: patternConfig(condition.values, condition.regexValues) };
    case "path-pattern":
      return { Field: condition.field, PathPatternConfig: patternConfig(condition.values, condition.regexValues) };
    case "http-header":
      return {
        Field: condition.field,
        HttpHeaderConfig: {
          HttpHeaderName: condition.headerName,
          ...patternConfig(condition.values, condition.regexValues),
        },
      };
    case "query-string":
      return {
        Field: condition.field,
        QueryStringConfig: {
          Values: condition.values.map((v) => ({ ...(v.key !== undefined ? { Key: v.key } : {}), Value: v.value })),
        },
      };
    case "http-request-method":
      return { Field: condition.field, HttpRequestMethodConfig: { Values: condition.values } };
    case "source-ip":
      return { Field: condition.field, SourceIpConfig: { Values: condition.values } };
  }
}

/** `values` or `regexValues`, whichever AWS reports, from the config form or the legacy form. */
function patternValues(
  config: { Values?: string[] | undefined; RegexValues?: string[] | undefined } | undefined,
  condition: SdkRuleCondition,
): { values?: string[]; regexValues?: string[] } {
  const values = config?.Values?.length ? config.Values : condition.Values;
  const regexValues = config?.RegexValues?.length ? config.RegexValues : condition.RegexValues;
  return {
    ...(values?.length ? { values: [...values] } : {}),
    ...(regexValues?.length ? { regexValues: [...regexValues] } : {}),
  };
}

export function fromSdkCondition(condition: SdkRuleCondition): RuleCondition {
  const field = condition.Field;
  switch (field) {
    case "host-header":
      return { field, ...patternValues(condition.HostHeaderConfig, condition) };
    case "path-pattern":
      return { field, ...patternValues(condition.PathPatternConfig, condition) };
    case "http-header":
      return {
        field,
        headerName: condition.HttpHeaderConfig?.HttpHeaderName ?? "",
        ...patternValues(condition.HttpHeaderConfig, condition),
      };
    case "query-string":
      return {
        field,
        values: (condition.QueryStringConfig?.Values ?? []).map((v) => ({
          ...(v.Key !== undefined && v.Key !== "" ? { key: v.Key } : {}),
          value: v.Value ?? "",
        })),
      };
    case "http-request-method":
      return { field, values: [...(condition.HttpRequestMethodConfig?.Values ?? condition.Values ?? [])] };
    case "source-ip":
      return { field, values: [...(condition.SourceIpConfig?.Values ?? condition.Values ?? [])] };
    default:
      throw new Error(`unknown listener rule condition field ${JSON.stringify(field)}`);
  }
}

// ---------- transforms ----------

export function toSdkTransform(transform: RuleTransform): SdkRuleTransform {
  const Rewrites = transform.rewrites.map((r) => ({ Regex: r.regex, Replace: r.replace }));
  return transform.type === "host-header-rewrite"
    ? { Type: transform.type, HostHeaderRewriteConfig: { Rewrites } }
    : { Type: transform.type, UrlRewriteConfig: { Rewrites } };
}

export function fromSdkTransform(transform: SdkRuleTransform): RuleTransform {
  const config =
    transform.Type === "host-header-rewrite" ? transform.HostHeaderRewriteConfig : transform.UrlRewriteConfig;
  const rewrites = (config?.Rewrites ?? []).map((r) => ({ regex: r.Regex ?? "", replace: r.Replace ?? "" }));
  if (transform.Type === "host-header-rewrite") return { type: "host-header-rewrite", rewrites };
  if (transform.Type === "url-rewrite") return { type: "url-rewrite", rewrites };
  throw new Error(`unknown listener rule transform type ${JSON.stringify(transform.Type)}`);
}

// ---------- authenticate configs ----------

/** Map-valued members whose keys are user data, not field names. */
const OPAQUE_MAPS = new Set(["authenticationRequestExtraParams", "AuthenticationRequestExtraParams"]);

function recase(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => recase(v, rename));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [rename(k), OPAQUE_MAPS.has(k) ? v : recase(v, rename)]),
  );
}

const upperFirst = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);
const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);

/**
 * The model carries an authenticate action's config as the AWS Load Balancer Controller writes it
 * (camelCase of the API's members); the API wants the same members in PascalCase. A `secret`
 * reference (a Kubernetes Secret holding clientId/clientSecret) must have been resolved before
 * apply: the API has no such member.
 */
function authConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
  if ("secret" in config) {
    throw new Error(
      `${type}: config.secret (a Kubernetes Secret reference) must be resolved into clientId/clientSecret before apply`,
    );
  }
  return recase(config, upperFirst) as Record<string, unknown>;
}

// ---------- actions ----------

export function toSdkAction(action: RuleAction, order: number, targetGroupArn: (id: string) => string): Action {
  switch (action.type) {
    case "forward": {
      const [only] = action.targetGroups;
      // The classic single-target form is accepted by every load balancer type (NLB included).
      if (action.targetGroups.length === 1 && only && only.weight === 1 && !action.stickiness) {
        return { Type: "forward", Order: order, TargetGroupArn: targetGroupArn(only.targetGroupId) };
      }
      return {
        Type: "forward",
        Order: order,
        ForwardConfig: {
          TargetGroups: action.targetGroups.map((t) => ({
            TargetGroupArn: targetGroupArn(t.targetGroupId),
            Weight: t.weight,
          })),
          ...(action.stickiness
            ? {
                TargetGroupStickinessConfig: {
                  Enabled: action.stickiness.enabled,
                  ...(action.stickiness.durationSeconds !== undefined
                    ? { DurationSeconds: action.stickiness.durationSeconds }
                    : {}),
                },
              }
            : {}),
        },
      };
    }
    case "redirect":
      return {
        Type: "redirect",
        Order: order,
        RedirectConfig: {
          ...(action.protocol !== undefined ? { Protocol: action.protocol } : {}),
          ...(action.host !== undefined ? { Host: action.host } : {}),
          ...(action.port !== undefined ? { Port: action.port } : {}),
          ...(action.path !== undefined ? { Path: action.path } : {}),
          ...(action.query !== undefined ? { Query: action.query } : {}),
          StatusCode: action.statusCode satisfies RedirectActionStatusCodeEnum,
        },
      };
    case "fixed-response":
      return {
        Type: "fixed-response",
        Order: order,
        FixedResponseConfig: {
          StatusCode: action.statusCode,
          ...(action.contentType !== undefined ? { ContentType: action.contentType } : {}),
          ...(action.messageBody !== undefined ? { MessageBody: action.messageBody } : {}),
        },
      };
    case "authenticate-oidc":
      return {
        Type: action.type,
        Order: order,
        AuthenticateOidcConfig: authConfig(action.type, action.config) as unknown as AuthenticateOidcActionConfig,
      };
    case "authenticate-cognito":
      return {
        Type: action.type,
        Order: order,
        AuthenticateCognitoConfig: authConfig(action.type, action.config) as unknown as AuthenticateCognitoActionConfig,
      };
    case "jwt-validation":
      return {
        Type: action.type,
        Order: order,
        JwtValidationConfig: authConfig(action.type, action.config) as unknown as JwtValidationActionConfig,
      };
  }
}

/** Actions numbered 1, 2, … in model order (ELBv2 runs them by ascending Order). */
export function toSdkActions(actions: readonly RuleAction[], targetGroupArn: (id: string) => string): Action[] {
  return actions.map((a, i) => toSdkAction(a, i + 1, targetGroupArn));
}

/** What AWS reports for a redirect component the rule left out: the request's own value. */
const REDIRECT_IDENTITY = {
  protocol: "#{protocol}",
  host: "#{host}",
  port: "#{port}",
  path: "/#{path}",
  query: "#{query}",
} as const;

function redirectComponent(
  key: keyof typeof REDIRECT_IDENTITY,
  value: string | undefined,
): Partial<Record<typeof key, string>> {
  return value === undefined || value === REDIRECT_IDENTITY[key] ? {} : { [key]: value };
}

export function fromSdkAction(action: Action, targetGroupId: (arn: string) => string): RuleAction {
  switch (action.Type) {
    case "forward": {
      const tuples = action.ForwardConfig?.TargetGroups ?? [];
      const targetGroups = tuples.length
        ? tuples.map((t) => ({ targetGroupId: targetGroupId(t.TargetGroupArn ?? ""), weight: t.Weight ?? 1 }))
        : [{ targetGroupId: targetGroupId(action.TargetGroupArn ?? ""), weight: 1 }];
      const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
      // AWS reports stickiness `Enabled: false` on every forward; only an enabled one is content.
      return {
        type: "forward",
        targetGroups,
        ...(stickiness?.Enabled
          ? {
              stickiness: {
                enabled: true,
                ...(stickiness.DurationSeconds !== undefined ? { durationSeconds: stickiness.DurationSeconds } : {}),
              },
            }
          : {}),
      };
    }
    case "redirect": {
      const c = action.RedirectConfig;
      return {
        type: "redirect",
        statusCode: c?.StatusCode === "HTTP_301" ? "HTTP_301" : "HTTP_302",
        ...redirectComponent("protocol", c?.Protocol),
        ...redirectComponent("host", c?.Host),
        ...redirectComponent("port", c?.Port),
        ...redirectComponent("path", c?.Path),
        ...redirectComponent("query", c?.Query),
      };
    }
    case "fixed-response": {
      const c = action.FixedResponseConfig;
      return {
        type: "fixed-response",
        statusCode: c?.StatusCode ?? "",
        ...(c?.ContentType ? { contentType: c.ContentType as "text/plain" } : {}),
        ...(c?.MessageBody !== undefined && c.MessageBody !== "" ? { messageBody: c.MessageBody } : {}),
      };
    }
    case "authenticate-oidc":
      return {
        type: action.Type,
        config: recase(action.AuthenticateOidcConfig ?? {}, lowerFirst) as Record<string, unknown>,
      };
    case "authenticate-cognito":
      return {
        type: action.Type,
        config: recase(action.AuthenticateCognitoConfig ?? {}, lowerFirst) as Record<string, unknown>,
      };
    case "jwt-validation":
      return {
        type: action.Type,
        config: recase(action.JwtValidationConfig ?? {}, lowerFirst) as Record<string, unknown>,
      };
    default:
      throw new Error(`unknown listener rule action type ${JSON.stringify(action.Type)}`);
  }
}

/** Actions in the order ELBv2 runs them (ascending Order; unnumbered ones keep their place). */
export function fromSdkActions(
  actions: readonly Action[] | undefined,
  targetGroupId: (arn: string) => string,
): RuleAction[] {
  return [...(actions ?? [])]
    .map((a, i) => ({ a, key: a.Order ?? i + 1 }))
    .sort((x, y) => x.key - y.key)
    .map(({ a }) => fromSdkAction(a, targetGroupId));
}

/** Every target group ARN an action list forwards to. */
export function forwardedArns(actions: readonly Action[] | undefined): string[] {
  const arns: string[] = [];
  for (const a of actions ?? []) {
    if (a.Type !== "forward") continue;
    if (a.TargetGroupArn) arns.push(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) arns.push(t.TargetGroupArn);
  }
  return arns;
}

// ---------- target group health checks ----------

export interface SdkHealthCheck {
  HealthCheckEnabled: boolean;
  HealthCheckProtocol: HealthCheckModel["protocol"];
  HealthCheckPort: string;
  HealthCheckPath?: string;
  HealthCheckIntervalSeconds: number;
  HealthCheckTimeoutSeconds: number;
  HealthyThresholdCount: number;
  UnhealthyThresholdCount: number;
  Matcher?: Matcher;
}

export function toSdkHealthCheck(hc: HealthCheckModel): SdkHealthCheck {
  return {
    HealthCheckEnabled: hc.enabled,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    ...(hc.path !== undefined ? { HealthCheckPath: hc.path } : {}),
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThresholdCount,
    UnhealthyThresholdCount: hc.unhealthyThresholdCount,
    ...(hc.matcher
      ? {
          Matcher: {
            ...(hc.matcher.httpCode !== undefined ? { HttpCode: hc.matcher.httpCode } : {}),
            ...(hc.matcher.grpcCode !== undefined ? { GrpcCode: hc.matcher.grpcCode } : {}),
          },
        }
      : {}),
  };
}

export function fromSdkHealthCheck(tg: TargetGroup): HealthCheckModel {
  const protocol = tg.HealthCheckProtocol === "HTTPS" ? "HTTPS" : tg.HealthCheckProtocol === "HTTP" ? "HTTP" : "TCP";
  const matcher = tg.Matcher;
  return {
    enabled: tg.HealthCheckEnabled ?? true,
    protocol,
    port: tg.HealthCheckPort ?? "traffic-port",
    // TCP health checks have no path or matcher, whatever the API echoes.
    ...(protocol !== "TCP" && tg.HealthCheckPath !== undefined ? { path: tg.HealthCheckPath } : {}),
    intervalSeconds: tg.HealthCheckIntervalSeconds ?? 30,
    timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 5,
    healthyThresholdCount: tg.HealthyThresholdCount ?? 5,
    unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 2,
    ...(protocol !== "TCP" && (matcher?.HttpCode !== undefined || matcher?.GrpcCode !== undefined)
      ? {
          matcher: {
            ...(matcher?.HttpCode !== undefined ? { httpCode: matcher.HttpCode } : {}),
            ...(matcher?.GrpcCode !== undefined ? { grpcCode: matcher.GrpcCode } : {}),
          },
        }
      : {}),
  };
}

export function fromSdkAttributes(
  attributes: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes ?? []) if (a.Key !== undefined) out[a.Key] = a.Value ?? "";
  return out;
}

export function toSdkAttributes(attributes: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(attributes).map(([Key, Value]) => ({ Key, Value }));
}
