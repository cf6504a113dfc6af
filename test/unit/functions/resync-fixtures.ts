// EventBridge events as AWS delivers them (shapes from the EventBridge, ACM and CloudTrail user
// guides), and Gateway state records that claim the ARNs they name.

import type { ObservedListener } from "../../../shared/elb/observed.ts";
import type { ClusterGatewayKey } from "../../../shared/keys.ts";
import type { GatewayState } from "../../../shared/store/state.ts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
export const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/61f50cd4-45b9-4259-b049-d0a53682fa4b`;
export const SWITCHYARD_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/switchyard-reconciler`;

/** The ARNs of one Gateway's load balancer, listener, rule and target group, named by `id`. */
export function arnsOf(id: string) {
  const lb = `app/sy-${id}/50dc6c495c0c91${id.padStart(2, "0").slice(-2)}`;
  return {
    loadBalancer: `${ELB}:loadbalancer/${lb}`,
    listener: `${ELB}:listener/${lb}/f2f7dc8efc522ab2`,
    rule: `${ELB}:listener-rule/${lb}/f2f7dc8efc522ab2/9683b2d02a6cabee`,
    targetGroup: `${ELB}:targetgroup/sy-${id}/73e2d6bc24d8a067`,
  };
}

/** A state record of Gateway `key` whose HTTPS listener uses `certificates`. */
export function stateWith(key: ClusterGatewayKey, id: string, certificates: string[] = []): GatewayState {
  const arns = arnsOf(id);
  const listener: ObservedListener = {
    id: "HTTPS:443",
    arn: arns.listener,
    port: 443,
    protocol: "HTTPS",
    certificates: { arns: certificates, pendingSecrets: [] },
    defaultActions: [],
    rules: [],
  };
  return {
    gatewayKey: key,
    dataPlane: "alb",
    account: ACCOUNT,
    region: REGION,
    applied: {
      loadBalancer: {
        arn: arns.loadBalancer,
        name: `sy-${id}`,
        type: "application",
        scheme: "internet-facing",
        ipAddressType: "ipv4",
        subnets: [],
        securityGroups: [],
        attributes: {},
      },
      listeners: [listener],
      targetGroups: [
        {
          id: "default/web:80",
          arn: arns.targetGroup,
          name: `sy-${id}`,
          protocol: "HTTP",
          port: 80,
          healthCheck: {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: "/",
            intervalSeconds: 15,
            timeoutSeconds: 5,
            healthyThresholdCount: 3,
            unhealthyThresholdCount: 3,
          },
          attributes: {},
          targets: [],
        },
      ],
      strayLoadBalancers: [],
    },
    fencingToken: 0,
  };
}

/** EventBridge User Guide, "Creating a rule that runs on a schedule": the event a schedule rule sends. */
export const scheduledEvent = {
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: ACCOUNT,
  time: "2025-10-08T16:53:06Z",
  region: REGION,
  resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/switchyard-resync`],
  detail: {},
} as const;

/** ACM User Guide, "Amazon EventBridge support for ACM" › ACM Certificate Available (a renewal). */
export const acmCertificateAvailable = {
  version: "0",
  id: "9c95e8e4-96a4-ef3f-b739-b6aa5b193afb",
  "detail-type": "ACM Certificate Available",
  source: "aws.acm",
  account: ACCOUNT,
  time: "2025-12-22T18:43:48Z",
  region: REGION,
  resources: [CERTIFICATE_ARN],
  detail: {
    Action: "RENEWAL",
    CertificateType: "AMAZON_ISSUED",
    CommonName: "example.com",
    DomainValidationMethod: "DNS",
    CertificateCreatedDate: "2024-12-22T18:43:48Z",
    CertificateExpirationDate: "2026-12-22T18:43:48Z",
    DaysToExpiry: 395,
    InUse: true,
    Exported: false,
  },
};

/** ACM User Guide › ACM Certificate Renewal Action Required. */
export const acmRenewalActionRequired = {
  version: "0",
  id: "2a8d5d5f-4a1b-3a7c-9c0e-0f1e2d3c4b5a",
  "detail-type": "ACM Certificate Renewal Action Required",
  source: "aws.acm",
  account: ACCOUNT,
  time: "2025-11-20T10:00:00Z",
  region: REGION,
  resources: [CERTIFICATE_ARN],
  detail: {
    DaysToExpiry: 32,
    CommonName: "example.com",
    RenewalStatus: "PENDING_VALIDATION",
    RenewalStatusReason: "DOMAIN_VALIDATION_REQUIRED",
    RenewalStatusTime: "2025-11-20T10:00:00Z",
  },
};

/** CloudTrail User Guide, EventBridge "AWS API Call via CloudTrail" for an ELBv2 call by `roleArn`. */
export function elbApiCall(
  eventName: string,
  requestParameters: Record<string, unknown>,
  roleArn = `arn:aws:iam::${ACCOUNT}:role/Admin`,
  extra: Record<string, unknown> = {},
) {
  const roleName = roleArn.split("/").pop() ?? "Admin";
  return {
    version: "0",
    id: `7d3c2e1f-${eventName.length.toString().padStart(4, "0")}-4b5a-9c8d-1e2f3a4b5c6d`,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.elasticloadbalancing",
    account: ACCOUNT,
    time: "2025-11-20T10:05:00Z",
    region: REGION,
    resources: [],
    detail: {
      eventVersion: "1.09",
      userIdentity: {
        type: "AssumedRole",
        principalId: `AROAEXAMPLEID:alice`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/alice`,
        accountId: ACCOUNT,
        accessKeyId: "ASIAEXAMPLEKEY",
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: "AROAEXAMPLEID",
            arn: roleArn,
            accountId: ACCOUNT,
            userName: roleName,
          },
          attributes: { creationDate: "2025-11-20T09:00:00Z", mfaAuthenticated: "false" },
        },
      },
      eventTime: "2025-11-20T10:05:00Z",
      eventSource: "elasticloadbalancing.amazonaws.com",
      eventName,
      awsRegion: REGION,
      sourceIPAddress: "203.0.113.10",
      userAgent: "aws-cli/2.15.0",
      requestParameters,
      responseElements: null,
      requestID: "c0ffee00-1111-2222-3333-444455556666",
      eventID: "deadbeef-1111-2222-3333-444455556666",
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: "Management",
      ...extra,
    },
  };
}
