/**
 * Weighted forward actions: each target group receives weight / Σweight of the requests
 * (TargetGroupTuple: weights 0–999; "Action types for listener rules").
 *
 * When every weight is 0 there is nothing to divide. AWS documents no outcome for that; an ALB
 * with nowhere to send a request answers 503 (the response it gives when a target group has no
 * registered targets, "Troubleshoot your Application Load Balancers"), so that is the outcome
 * here: a forward that cannot forward is reported as unavailable, never as traffic flowing.
 */
import type { ForwardAction } from "../rules.ts";
import type { WeightedTargetGroupShare } from "./outcome.ts";

export const NO_FORWARDABLE_TARGET_GROUP_STATUS = 503;

/** The shares, or `undefined` when the weights sum to 0 (or there are no target groups). */
export function targetGroupShares(action: ForwardAction): WeightedTargetGroupShare[] | undefined {
  const total = action.targetGroups.reduce((sum, group) => sum + group.weight, 0);
  if (total <= 0) return undefined;
  return action.targetGroups.map((group) => ({
    targetGroupId: group.targetGroupId,
    weight: group.weight,
    share: group.weight / total,
  }));
}
