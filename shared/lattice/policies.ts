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
  }
  return undefined;
}
