/**
 * VPC Lattice limits switchyard checks before any call, so that what Lattice would refuse becomes
 * a precise status instead of a failed apply. From the VPC Lattice API reference (CreateRule,
 * HttpMatch, PathMatchType, HeaderMatch, WeightedTargetGroup) and the quotas page of the user
 * guide; quotas marked adjustable can be raised per account, so they are options.
 */

/** Rule priorities a listener accepts (CreateRule `priority`). */
export const MIN_RULE_PRIORITY = 1;
export const MAX_RULE_PRIORITY = 100;
/** Rules per listener, default rule not counted (quota, adjustable). */
export const DEFAULT_MAX_RULES_PER_LISTENER = 10;
/** Listeners per service (quota, adjustable). */
export const DEFAULT_MAX_LISTENERS_PER_SERVICE = 2;
/** Header matches per rule (HttpMatch `headerMatches`). */
export const MAX_HEADER_MATCHES = 5;
/** HeaderMatch `name`. */
export const MAX_HEADER_NAME_LENGTH = 40;
/** HeaderMatchType `exact` / `prefix` / `contains`. */
export const MAX_HEADER_VALUE_LENGTH = 128;
/** PathMatchType `exact` / `prefix`: length and characters. */
export const MAX_PATH_LENGTH = 200;
export const PATH_PATTERN = /^\/[a-zA-Z0-9@:%_+.~#?&/=-]*$/;
/** Target groups in one forward action (ForwardAction `targetGroups`). */
export const MAX_TARGET_GROUPS_PER_FORWARD = 10;
/** WeightedTargetGroup `weight`. */
export const MAX_WEIGHT = 999;
/** Targets per RegisterTargets call: the planner batches by this. */
export const MAX_TARGETS_PER_REGISTER_CALL = 100;
/** HttpMatch `method`: the methods a rule can match (PATCH is not among them). */
export const MATCHABLE_METHODS: readonly string[] = [
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "POST",
  "PUT",
  "TRACE",
];
/** Security groups per service network VPC association (quota). */
export const MAX_SECURITY_GROUPS_PER_VPC_ASSOCIATION = 5;
/** CreateService `customDomainName` length. */
export const MAX_CUSTOM_DOMAIN_NAME_LENGTH = 255;

export interface LatticeLimits {
  maxRulesPerListener: number;
  maxListenersPerService: number;
}

export function latticeLimits(overrides: Partial<LatticeLimits> = {}): LatticeLimits {
  return {
    maxRulesPerListener: overrides.maxRulesPerListener ?? DEFAULT_MAX_RULES_PER_LISTENER,
    maxListenersPerService: overrides.maxListenersPerService ?? DEFAULT_MAX_LISTENERS_PER_SERVICE,
  };
}

/** Why a path value cannot be a Lattice path match, or undefined. */
export function pathValueProblem(value: string): string | undefined {
  if (value.length > MAX_PATH_LENGTH) {
    return `path ${value.slice(0, 40)}… has ${value.length} characters; VPC Lattice matches paths of at most ${MAX_PATH_LENGTH}`;
  }
  if (!PATH_PATTERN.test(value)) {
    return `path ${value} has characters VPC Lattice path matches do not take (letters, digits and @:%_+.~#?&/=- only)`;
  }
  return undefined;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Weights reduced by their common divisor; undefined if they still exceed Lattice's 0–999. */
export function latticeWeights(weights: readonly number[]): number[] | undefined {
  const divisor = weights.reduce((d, w) => gcd(d, w), 0) || 1;
  const reduced = weights.map((w) => w / divisor);
  return reduced.every((w) => w <= MAX_WEIGHT) ? reduced : undefined;
}
