/**
 * What makes an otherwise attached Lattice policy one VPC Lattice would refuse, checked before any
 * call: the policy's status says so (Accepted=False, Invalid) and the builder applies nothing of it.
 */
import type { LatticePolicy } from "../extensions/lattice.ts";
import { MAX_SECURITY_GROUPS_PER_VPC_ASSOCIATION } from "./limits.ts";

export function latticePolicyProblem(policy: LatticePolicy): string | undefined {
  if (policy.kind === "VpcAssociationPolicy") {
    const groups = policy.spec?.securityGroupIds ?? [];
    if (groups.length > MAX_SECURITY_GROUPS_PER_VPC_ASSOCIATION) {
      return `spec.securityGroupIds: ${groups.length} security groups; VPC Lattice takes at most ${MAX_SECURITY_GROUPS_PER_VPC_ASSOCIATION} per VPC association`;
    }
  }
  if (policy.kind === "AccessLogPolicy") return accessLogDestinationProblem(policy.spec?.destinationArn ?? "");
  if (policy.kind === "IAMAuthPolicy") {
    let document: unknown;
    try {
      document = JSON.parse(policy.spec?.policy ?? "");
    } catch {
      return "spec.policy is not a JSON document; VPC Lattice auth policies are IAM policy documents";
    }
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
      return "spec.policy must be a JSON object (an IAM policy document)";
    }
    // Sent on one line (Lattice refuses newlines), so the size that counts is the compact one.
    const size = new TextEncoder().encode(JSON.stringify(document)).length;
    if (size > MAX_AUTH_POLICY_BYTES) {
      return `spec.policy is ${size} bytes on one line; a VPC Lattice auth policy holds at most ${MAX_AUTH_POLICY_BYTES}`;
    }
  }
  return undefined;
}

/** Auth policy size quota (10 KB, "Quotas for VPC Lattice", not adjustable). */
export const MAX_AUTH_POLICY_BYTES = 10 * 1024;

/**
 * The destinations Lattice sends access logs to (CreateAccessLogSubscription: "CloudWatch Log
 * groups, Kinesis Data Firehose delivery streams, and Amazon S3 buckets"), by ARN shape.
 */
const DESTINATIONS: readonly { service: string; resource: RegExp; what: string }[] = [
  {
    service: "logs",
    resource: /^log-group:[\w./#-]{1,512}(:\*)?$/,
    what: "a CloudWatch Logs log group (log-group:NAME)",
  },
  { service: "s3", resource: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, what: "an S3 bucket" },
  {
    service: "firehose",
    resource: /^deliverystream\/[\w.-]{1,64}$/,
    what: "a Firehose delivery stream (deliverystream/NAME)",
  },
];

function accessLogDestinationProblem(arn: string): string | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    return `spec.destinationArn: ${arn || "(empty)"} is not an ARN; VPC Lattice sends access logs to a CloudWatch Logs log group, an S3 bucket or a Firehose delivery stream`;
  }
  const service = parts[2] ?? "";
  const resource = parts.slice(5).join(":");
  const destination = DESTINATIONS.find((d) => d.service === service);
  if (!destination) {
    return `spec.destinationArn: ${arn} is a ${service || "(no service)"} ARN; VPC Lattice sends access logs only to a CloudWatch Logs log group, an S3 bucket or a Firehose delivery stream`;
  }
  if (!destination.resource.test(resource)) {
    return `spec.destinationArn: ${arn} does not name ${destination.what}`;
  }
  return undefined;
}
