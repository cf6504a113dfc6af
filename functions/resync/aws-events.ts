/**
 * Which AWS events name resources a Gateway may own, and which ARNs to look owners up by. Two
 * families arrive through EventBridge rules:
 * - ACM (`source: aws.acm`): a certificate issued or renewed ("ACM Certificate Available"), needing
 *   action, approaching expiry or expired. `resources` holds the certificate ARN; a listener using
 *   it must be reconciled (a renewed imported certificate may have a new ARN to adopt, an expired
 *   one changes the listener's status).
 * - ELBv2 through CloudTrail (`detail-type: AWS API Call via CloudTrail`): someone changed a load
 *   balancer, listener, rule or target group. Only a change by someone other than switchyard is
 *   drift; switchyard's own calls (its reconciler's role) are recognised by the caller identity and
 *   ignored, or every apply would trigger another reconcile.
 */

/** The part of an EventBridge event this module reads. */
export interface AwsEvent {
  id: string;
  source: string;
  "detail-type": string;
  resources?: string[];
  detail?: unknown;
}

export type AwsEventDecision = { kind: "lookup"; arns: string[]; cause: string } | { kind: "ignored"; reason: string };

export const ACM_DETAIL_TYPES: ReadonlySet<string> = new Set([
  "ACM Certificate Available",
  "ACM Certificate Renewal Action Required",
  "ACM Certificate Approaching Expiration",
  "ACM Certificate Expired",
]);

export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";
const ELB_EVENT_SOURCE = "elasticloadbalancing.amazonaws.com";
const ELB_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:[a-z-]+\/.+$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/;

interface CloudTrailDetail {
  eventSource?: unknown;
  eventName?: unknown;
  errorCode?: unknown;
  readOnly?: unknown;
  userIdentity?: { arn?: unknown; sessionContext?: { sessionIssuer?: { arn?: unknown } } };
  requestParameters?: unknown;
  responseElements?: unknown;
}

/**
 * What to do with an AWS event. `ownRoleArns` are the IAM role ARNs switchyard's reconciler acts as
 * (in every target account); a CloudTrail event whose session issuer or caller is one of them is ours.
 */
export function classifyAwsEvent(event: AwsEvent, ownRoleArns: ReadonlySet<string>): AwsEventDecision {
  if (event.source === "aws.acm" && ACM_DETAIL_TYPES.has(event["detail-type"])) {
    const arns = (event.resources ?? []).filter((arn) => ACM_ARN.test(arn));
    if (arns.length === 0) return { kind: "ignored", reason: "ACM event names no certificate" };
    return { kind: "lookup", arns, cause: `${event["detail-type"]} (event ${event.id})` };
  }
  if (event["detail-type"] === CLOUDTRAIL_DETAIL_TYPE) {
    const detail = (typeof event.detail === "object" && event.detail !== null ? event.detail : {}) as CloudTrailDetail;
    if (detail.eventSource !== ELB_EVENT_SOURCE) return { kind: "ignored", reason: "not an ELBv2 API call" };
    const name = typeof detail.eventName === "string" ? detail.eventName : "?";
    // A refused call changed nothing; a read changes nothing either.
    if (detail.errorCode !== undefined && detail.errorCode !== null) {
      return { kind: "ignored", reason: `${name} failed (${String(detail.errorCode)})` };
    }
    if (detail.readOnly === true) return { kind: "ignored", reason: `${name} is read-only` };
    const caller = [detail.userIdentity?.sessionContext?.sessionIssuer?.arn, detail.userIdentity?.arn];
    if (caller.some((arn) => typeof arn === "string" && ownRoleArns.has(arn))) {
      return { kind: "ignored", reason: `${name} was made by switchyard` };
    }
    const arns = [...new Set([...elbArnsIn(detail.requestParameters), ...elbArnsIn(detail.responseElements)])];
    if (arns.length === 0) return { kind: "ignored", reason: `${name} names no load balancing resource` };
    const who = typeof detail.userIdentity?.arn === "string" ? detail.userIdentity.arn : "unknown caller";
    return { kind: "lookup", arns, cause: `${name} by ${who} (event ${event.id})` };
  }
  return { kind: "ignored", reason: `unhandled event ${event.source} / ${event["detail-type"]}` };
}

/**
 * Every ELBv2 ARN anywhere in a CloudTrail payload. Each API names its resources under its own keys
 * (`loadBalancerArn`, `listenerArn`, `ruleArn`, `targetGroupArn`, `resourceArns`, nested actions),
 * so a walk finds them all without a table per API call that would fall behind the API.
 */
export function elbArnsIn(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (ELB_ARN.test(v)) found.push(v);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item);
    } else if (typeof v === "object" && v !== null) {
      for (const item of Object.values(v)) walk(item);
    }
  };
  walk(value);
  return found;
}

/**
 * The ARN and the ARNs of the resources it lives in: a rule's listener and load balancer, a
 * listener's load balancer. A rule someone added to a switchyard listener has an ARN no state
 * record knows, but its listener is claimed.
 */
export function elbArnLineage(arn: string): string[] {
  const match =
    /^(arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:)(listener-rule|listener)\/(app|net|gwy)\/([^/]+)\/([^/]+)(?:\/([^/]+))?/.exec(
      arn,
    );
  if (match === null) return [arn];
  const [, prefix, kind, type, name, lbId, listenerId] = match;
  const loadBalancer = `${prefix}loadbalancer/${type}/${name}/${lbId}`;
  if (kind === "listener-rule" && listenerId !== undefined) {
    return [arn, `${prefix}listener/${type}/${name}/${lbId}/${listenerId}`, loadBalancer];
  }
  return [arn, loadBalancer];
}
