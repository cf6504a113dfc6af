/**
 * Shape-level schemas for the AWS Load Balancer Controller's Gateway extension kinds
 * (gateway.k8s.aws): required fields, enums, ranges and defaults as that controller's CRDs declare
 * them (see shared/design/reference/aws-lbc-gateway.md §3). Those CRDs evolve outside this project,
 * so unknown fields are accepted rather than rejected.
 */

import { fieldForDiscriminator } from "./discriminated.ts";
import { definePattern } from "./patterns.ts";
import { labelSelector } from "./references.ts";
import {
  bool,
  child,
  int,
  list,
  map,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  type SchemaNode,
  str,
} from "./schema.ts";
import { has, recordsOf } from "./values.ts";

function open(
  properties: Record<string, SchemaNode>,
  options: { required?: string[]; rules?: Rule[]; default?: unknown } = {},
): ObjectNode {
  return obj(properties, { openFields: true, ...options });
}

const keyValueList = () => list(open({ key: str(), value: str() }, { required: ["key", "value"] }));

const PROTOCOL_PORT = definePattern(
  "PROTOCOL:PORT (protocol HTTP, HTTPS, TLS, TCP, UDP or TCP_UDP; port 1-65535)",
  "^(HTTP|HTTPS|TLS|TCP|UDP|TCP_UDP)?:(6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3})?$",
);

// The controller's rules on mutual TLS: `verify` needs a trust store; the other modes take no
// trust-store settings.
const mutualAuthenticationRules: Rule[] = [
  objectRule("verify needs trustStore", (self, at, report) => {
    if (self.mode === "verify" && !has(self, "trustStore"))
      report(child(at, "trustStore"), "required when mode is verify");
  }),
  ...["trustStore", "ignoreClientCertificateExpiry", "advertiseTrustStoreCaNames"].map((field) =>
    objectRule(`${field} only with verify`, (self, at, report) => {
      if (self.mode !== "verify" && has(self, field))
        report(child(at, field), `only allowed when mode is verify (mode is ${JSON.stringify(self.mode)})`);
    }),
  ),
];

function listenerConfiguration(): ObjectNode {
  return open(
    {
      protocolPort: str({ pattern: PROTOCOL_PORT }),
      defaultCertificate: str(),
      certificates: list(str()),
      sslPolicy: str(),
      alpnPolicy: str({ enum: ["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"], default: "None" }),
      targetGroupStickiness: bool(),
      mutualAuthentication: open(
        {
          advertiseTrustStoreCaNames: str({ enum: ["on", "off"] }),
          ignoreClientCertificateExpiry: bool(),
          mode: str({ enum: ["off", "passthrough", "verify"] }),
          trustStore: str(),
        },
        { required: ["mode"], rules: mutualAuthenticationRules },
      ),
      listenerAttributes: keyValueList(),
      quicEnabled: bool(),
    },
    { required: ["protocolPort"] },
  );
}

export function loadBalancerConfigurationSpec(): ObjectNode {
  return open({
    mergingMode: str({ enum: ["prefer-gateway", "prefer-gateway-class"] }),
    loadBalancerName: str({ minLength: 1, maxLength: 32 }),
    scheme: str({ enum: ["internal", "internet-facing"] }),
    ipAddressType: str({ enum: ["ipv4", "dualstack", "dualstack-without-public-ipv4"] }),
    enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: str(),
    customerOwnedIpv4Pool: str(),
    ipv4IPAMPoolId: str(),
    loadBalancerSubnets: list(
      open({
        identifier: str(),
        eipAllocation: str(),
        privateIPv4Allocation: str(),
        ipv6Allocation: str(),
        sourceNatIPv6Prefix: str(),
      }),
    ),
    loadBalancerSubnetsSelector: map(list(str())),
    listenerConfigurations: list(listenerConfiguration()),
    disableSecurityGroup: bool(),
    securityGroups: list(str()),
    securityGroupPrefixes: list(str()),
    sourceRanges: list(str()),
    manageBackendSecurityGroupRules: bool(),
    enableICMP: bool(),
    loadBalancerAttributes: keyValueList(),
    tags: map(str()),
    minimumLoadBalancerCapacity: open({ capacityUnits: int({ format: "int32" }) }, { required: ["capacityUnits"] }),
    wafV2: open({ webACL: str() }, { required: ["webACL"] }),
    shieldConfiguration: open({ enabled: bool() }),
    defaultTargetGroupConfiguration: open({ name: str() }, { required: ["name"] }),
    vpcId: str(),
  });
}

function targetGroupProps(): ObjectNode {
  return open({
    targetGroupName: str(),
    ipAddressType: str({ enum: ["ipv4", "ipv6"] }),
    healthCheckConfig: open({
      healthyThresholdCount: int({ format: "int32" }),
      healthCheckInterval: int({ format: "int32" }),
      healthCheckPath: str(),
      healthCheckPort: str(),
      healthCheckProtocol: str({ enum: ["HTTP", "HTTPS", "TCP"] }),
      healthCheckTimeout: int({ format: "int32" }),
      unhealthyThresholdCount: int({ format: "int32" }),
      matcher: open({ httpCode: str(), grpcCode: str() }),
    }),
    nodeSelector: labelSelector(),
    targetGroupAttributes: keyValueList(),
    targetType: str({ enum: ["instance", "ip"] }),
    protocol: str({ enum: ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"] }),
    protocolVersion: str({ enum: ["HTTP1", "HTTP2", "GRPC"] }),
    targetControlPort: int({ format: "int32" }),
    enableMultiCluster: bool(),
    tags: map(str()),
  });
}

export function targetGroupConfigurationSpec(): ObjectNode {
  return open({
    targetReference: open(
      { group: str({ default: "" }), kind: str({ enum: ["Service", "Gateway"], default: "Service" }), name: str() },
      { required: ["name"] },
    ),
    defaultConfiguration: targetGroupProps(),
    routeConfigurations: list(
      open(
        { routeIdentifier: open({ kind: str(), namespace: str(), name: str() }), targetGroupProps: targetGroupProps() },
        { required: ["routeIdentifier", "targetGroupProps"] },
      ),
    ),
  });
}

const ACTION_CONFIGS = {
  forward: "forwardConfig",
  redirect: "redirectConfig",
  "fixed-response": "fixedResponseConfig",
  "authenticate-cognito": "authenticateCognitoConfig",
  "authenticate-oidc": "authenticateOIDCConfig",
  "jwt-validation": "jwtValidationConfig",
} as const;

// The controller's rules on an action: its config block is set for its own type only.
const actionConfigRules: Rule[] = Object.entries(ACTION_CONFIGS).flatMap(([type, field]) =>
  fieldForDiscriminator("type", type, field),
);

/** Session settings both ALB authentication actions share, with the ALB's defaults. */
const authSession = (): Record<string, SchemaNode> => ({
  scope: str({ default: "openid" }),
  authenticationRequestExtraParams: map(str(), { maxProperties: 10 }),
  onUnauthenticatedRequest: str({ enum: ["deny", "allow", "authenticate"], default: "authenticate" }),
  sessionCookieName: str({ default: "AWSELBAuthSessionCookie" }),
  sessionTimeout: int({ minimum: 1, maximum: 604800, default: 604800 }),
});

function action(): ObjectNode {
  return open(
    {
      type: str({ enum: Object.keys(ACTION_CONFIGS) }),
      forwardConfig: open({
        targetGroupStickinessConfig: open(
          { durationSeconds: int({ minimum: 1, maximum: 604800, default: 3600 }), enabled: bool({ default: false }) },
          { default: {} },
        ),
      }),
      redirectConfig: open({ query: str({ default: "#{query}" }) }),
      fixedResponseConfig: open(
        {
          statusCode: int({ format: "int32" }),
          contentType: str({
            enum: ["text/plain", "text/css", "text/html", "application/javascript", "application/json"],
            default: "text/plain",
          }),
          messageBody: str(),
        },
        {
          required: ["statusCode"],
          rules: [
            objectRule("status 2XX, 4XX or 5XX", (self, at, report) => {
              const code = self.statusCode;
              if (typeof code === "number" && !((code >= 200 && code <= 299) || (code >= 400 && code <= 599)))
                report(child(at, "statusCode"), `must be a 2XX, 4XX or 5XX HTTP status (got ${code})`);
            }),
          ],
        },
      ),
      authenticateCognitoConfig: open(
        {
          userPoolArn: str(),
          userPoolClientId: str(),
          userPoolDomain: str(),
          ...authSession(),
        },
        { required: ["userPoolArn", "userPoolClientId", "userPoolDomain"] },
      ),
      authenticateOIDCConfig: open(
        {
          authorizationEndpoint: str(),
          secret: open({ name: str() }, { required: ["name"] }),
          issuer: str(),
          tokenEndpoint: str(),
          userInfoEndpoint: str(),
          ...authSession(),
          useExistingClientSecret: bool(),
        },
        { required: ["authorizationEndpoint", "secret", "issuer", "tokenEndpoint", "userInfoEndpoint"] },
      ),
      jwtValidationConfig: open(
        {
          issuer: str({ maxLength: 256 }),
          jwksEndpoint: str({ maxLength: 256 }),
          additionalClaims: list(
            open(
              {
                format: str({ enum: ["single-string", "string-array", "space-separated-values"] }),
                name: str({ minLength: 1 }),
                values: list(str({ maxLength: 256 }), { minItems: 1, maxItems: 10 }),
              },
              { required: ["format", "name", "values"] },
            ),
          ),
        },
        { required: ["issuer", "jwksEndpoint"] },
      ),
    },
    { required: ["type"], rules: actionConfigRules },
  );
}

const PRE_ROUTING = new Set(["authenticate-oidc", "authenticate-cognito", "jwt-validation"]);
const ROUTING = new Set(["fixed-response", "forward", "redirect"]);

// The controller's rules on the action list: at most one authentication action and at most one
// routing action (forward, redirect or fixed-response).
function atMostOne(what: string, types: ReadonlySet<string>): Rule {
  return objectRule(`at most one ${what} action`, (self, at, report) => {
    const actions = Array.isArray(self.actions) ? self.actions : [];
    const hits = recordsOf(actions).filter(({ item: a }) => typeof a.type === "string" && types.has(a.type));
    if (hits.length > 1)
      report(
        child(at, "actions"),
        `may contain at most one ${what} action (${[...types].join(", ")}); got ${hits.length}`,
      );
  });
}

export function listenerRuleConfigurationSpec(): ObjectNode {
  return open(
    {
      actions: list(action(), { minItems: 1, maxItems: 2 }),
      conditions: list(
        open(
          {
            field: str({ enum: ["source-ip"] }),
            sourceIPConfig: open({ values: list(str(), { minItems: 1 }) }, { required: ["values"] }),
            matchIndexes: list(int()),
          },
          {
            required: ["field"],
            rules: fieldForDiscriminator("field", "source-ip", "sourceIPConfig"),
          },
        ),
        { minItems: 1 },
      ),
      tags: map(str()),
    },
    { rules: [atMostOne("authentication", PRE_ROUTING), atMostOne("routing", ROUTING)] },
  );
}
