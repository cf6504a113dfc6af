import { describe, expect, it } from "vitest";
import {
  fromSdkAction,
  fromSdkActions,
  fromSdkCondition,
  fromSdkHealthCheck,
  fromSdkTransform,
  toSdkAction,
  toSdkActions,
  toSdkCondition,
  toSdkHealthCheck,
  toSdkTransform,
} from "../../../shared/aws/elbv2/translate.ts";
import type { HealthCheckModel } from "../../../shared/elb/model.ts";
import type { RuleAction, RuleCondition, RuleTransform } from "../../../shared/elb/rules.ts";

const arnOf = (id: string) => `arn:tg/${id}`;
const idOf = (arn: string) => arn.replace("arn:tg/", "");

describe("listener rule conditions", () => {
  const conditions: RuleCondition[] = [
    { field: "host-header", values: ["a.example.com", "b.example.com"] },
    { field: "host-header", regexValues: ["^api[0-9]+\\.example\\.com$"] },
    { field: "path-pattern", values: ["/p", "/p/*"] },
    { field: "path-pattern", regexValues: ["^/v[12]/.*$"] },
    { field: "http-header", headerName: "x-env", values: ["canary"] },
    { field: "http-header", headerName: "x-ver", regexValues: ["^2\\."] },
    { field: "query-string", values: [{ key: "debug", value: "1" }, { value: "flag" }] },
    { field: "http-request-method", values: ["GET", "HEAD"] },
    { field: "source-ip", values: ["10.0.0.0/8"] },
  ];

  it("always sends the config form, which takes several values and regexes", () => {
    expect(toSdkCondition(conditions[0] as RuleCondition)).toEqual({
      Field: "host-header",
      HostHeaderConfig: { Values: ["a.example.com", "b.example.com"] },
    });
    expect(toSdkCondition(conditions[3] as RuleCondition)).toEqual({
      Field: "path-pattern",
      PathPatternConfig: { RegexValues: ["^/v[12]/.*$"] },
    });
    expect(toSdkCondition(conditions[6] as RuleCondition)).toEqual({
      Field: "query-string",
      QueryStringConfig: { Values: [{ Key: "debug", Value: "1" }, { Value: "flag" }] },
    });
  });

  it("round-trips every condition field", () => {
    for (const c of conditions) expect(fromSdkCondition(toSdkCondition(c))).toEqual(c);
  });

  it("reads the legacy Values form and the doubled form AWS answers with", () => {
    expect(fromSdkCondition({ Field: "path-pattern", Values: ["/x/*"] })).toEqual({
      field: "path-pattern",
      values: ["/x/*"],
    });
    expect(
      fromSdkCondition({
        Field: "host-header",
        Values: ["a.example.com"],
        HostHeaderConfig: { Values: ["a.example.com"] },
      }),
    ).toEqual({ field: "host-header", values: ["a.example.com"] });
    expect(fromSdkCondition({ Field: "http-request-method", Values: ["GET"] })).toEqual({
      field: "http-request-method",
      values: ["GET"],
    });
  });

  it("keeps the model builders' key order, for planners comparing JSON", () => {
    const read = fromSdkCondition(toSdkCondition({ field: "http-header", headerName: "x", values: ["y"] }));
    expect(Object.keys(read)).toEqual(["field", "headerName", "values"]);
  });
});

describe("listener rule actions", () => {
  it("sends a single unweighted forward in the classic form every load balancer type accepts", () => {
    expect(toSdkAction({ type: "forward", targetGroups: [{ targetGroupId: "a", weight: 1 }] }, 1, arnOf)).toEqual({
      Type: "forward",
      Order: 1,
      TargetGroupArn: "arn:tg/a",
    });
  });

  it("sends weighted forwards and stickiness in ForwardConfig", () => {
    const action: RuleAction = {
      type: "forward",
      targetGroups: [
        { targetGroupId: "a", weight: 90 },
        { targetGroupId: "b", weight: 10 },
      ],
      stickiness: { enabled: true, durationSeconds: 60 },
    };
    expect(toSdkAction(action, 2, arnOf)).toEqual({
      Type: "forward",
      Order: 2,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: "arn:tg/a", Weight: 90 },
          { TargetGroupArn: "arn:tg/b", Weight: 10 },
        ],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
      },
    });
    expect(fromSdkAction(toSdkAction(action, 2, arnOf), idOf)).toEqual(action);
  });

  it("reads AWS's answer to a classic forward (ARN plus weight-1 config, stickiness off) as the model sent it", () => {
    expect(
      fromSdkAction(
        {
          Type: "forward",
          TargetGroupArn: "arn:tg/a",
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: "arn:tg/a", Weight: 1 }],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
        idOf,
      ),
    ).toEqual({ type: "forward", targetGroups: [{ targetGroupId: "a", weight: 1 }] });
  });

  it("drops the redirect components AWS fills with the request's own values", () => {
    expect(
      fromSdkAction(
        {
          Type: "redirect",
          RedirectConfig: {
            Protocol: "HTTPS",
            Port: "443",
            Host: "#{host}",
            Path: "/#{path}",
            Query: "#{query}",
            StatusCode: "HTTP_301",
          },
        },
        idOf,
      ),
    ).toEqual({ type: "redirect", statusCode: "HTTP_301", protocol: "HTTPS", port: "443" });
  });

  it("round-trips redirect and fixed-response actions", () => {
    const actions: RuleAction[] = [
      { type: "redirect", statusCode: "HTTP_302", host: "www.example.com", path: "/new/#{path}", query: "a=1" },
      { type: "fixed-response", statusCode: "503", contentType: "application/json", messageBody: "{}" },
      { type: "fixed-response", statusCode: "404" },
    ];
    for (const a of actions) expect(fromSdkAction(toSdkAction(a, 1, arnOf), idOf)).toEqual(a);
  });

  it("passes authenticate configs through in the API's casing, extra params untouched", () => {
    const oidc: RuleAction = {
      type: "authenticate-oidc",
      config: { issuer: "https://i", clientId: "c", authenticationRequestExtraParams: { display_mode: "page" } },
    };
    const sdk = toSdkAction(oidc, 1, arnOf);
    expect(sdk.AuthenticateOidcConfig).toEqual({
      Issuer: "https://i",
      ClientId: "c",
      AuthenticationRequestExtraParams: { display_mode: "page" },
    });
    expect(fromSdkAction(sdk, idOf)).toEqual(oidc);
    const jwt: RuleAction = {
      type: "jwt-validation",
      config: {
        jwksEndpoint: "https://j",
        issuer: "https://i",
        additionalClaims: [{ format: "string-array", name: "g", values: ["a"] }],
      },
    };
    expect(toSdkAction(jwt, 1, arnOf).JwtValidationConfig).toEqual({
      JwksEndpoint: "https://j",
      Issuer: "https://i",
      AdditionalClaims: [{ Format: "string-array", Name: "g", Values: ["a"] }],
    });
  });

  it("refuses an authenticate config still holding a Kubernetes Secret reference", () => {
    expect(() => toSdkAction({ type: "authenticate-oidc", config: { secret: { name: "s" } } }, 1, arnOf)).toThrow(
      /must be resolved/,
    );
  });

  it("numbers actions in model order and reads them back by Order", () => {
    const actions: RuleAction[] = [
      { type: "authenticate-cognito", config: { userPoolArn: "p" } },
      { type: "forward", targetGroups: [{ targetGroupId: "a", weight: 1 }] },
    ];
    const sdk = toSdkActions(actions, arnOf);
    expect(sdk.map((a) => a.Order)).toEqual([1, 2]);
    expect(fromSdkActions([...sdk].reverse(), idOf)).toEqual(actions);
  });
});

describe("transforms and health checks", () => {
  it("round-trips host-header and url rewrites", () => {
    const transforms: RuleTransform[] = [
      { type: "host-header-rewrite", rewrites: [{ regex: "^(.*)\\.internal$", replace: "$1.example.com" }] },
      { type: "url-rewrite", rewrites: [{ regex: "^/api/(.*)$", replace: "/$1" }] },
    ];
    for (const t of transforms) expect(fromSdkTransform(toSdkTransform(t))).toEqual(t);
  });

  it("round-trips an HTTP health check and drops path and matcher of a TCP one", () => {
    const http: HealthCheckModel = {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/healthz",
      intervalSeconds: 15,
      timeoutSeconds: 5,
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 3,
      matcher: { grpcCode: "12" },
    };
    expect(fromSdkHealthCheck(toSdkHealthCheck(http))).toEqual(http);
    const tcp = fromSdkHealthCheck({ ...toSdkHealthCheck(http), HealthCheckProtocol: "TCP" });
    expect(tcp).not.toHaveProperty("path");
    expect(tcp).not.toHaveProperty("matcher");
  });
});
