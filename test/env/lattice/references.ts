// Which target groups a service's listeners and rules forward to, and the checks AWS makes on
// them: a target group serves a single service, at most 10 per service, in the service's account.
import { RESOURCE_TYPE } from "./arns.ts";
import { conflict, quotaExceeded } from "./errors.ts";
import type { Listener, Rule, RuleAction, TargetGroup } from "./model.ts";
import { type LatticeState, QUOTAS } from "./state.ts";

export function actionTargetGroupIds(action: RuleAction): string[] {
  return "forward" in action ? action.forward.targetGroups.map((group) => group.targetGroupIdentifier) : [];
}

/** The listeners and rules of a service, optionally leaving out one being replaced. */
function actionsOf(state: LatticeState, serviceArn: string, except?: string): RuleAction[] {
  const actions: RuleAction[] = [];
  for (const listener of state.all("listener")) {
    if (listener.serviceArn === serviceArn && listener.arn !== except) actions.push(listener.defaultAction);
  }
  for (const rule of state.all("rule")) {
    if (rule.serviceArn === serviceArn && rule.arn !== except) actions.push(rule.action);
  }
  return actions;
}

export function serviceTargetGroupIds(state: LatticeState, serviceArn: string, except?: string): Set<string> {
  return new Set(actionsOf(state, serviceArn, except).flatMap(actionTargetGroupIds));
}

/** ARNs of the services whose listeners or rules forward to the target group. */
export function servicesUsing(state: LatticeState, targetGroupId: string): string[] {
  const services = new Set<string>();
  const visit = (owner: Listener | Rule, action: RuleAction): void => {
    if (actionTargetGroupIds(action).includes(targetGroupId)) services.add(owner.serviceArn);
  };
  for (const listener of state.all("listener")) visit(listener, listener.defaultAction);
  for (const rule of state.all("rule")) visit(rule, rule.action);
  return [...services];
}

/**
 * Checks that `action`, replacing the action of `except` (a listener or rule ARN, or nothing for a
 * new one) on service `serviceArn`, keeps every target group to one service and the service
 * within its target group quota.
 */
export function checkServiceTargetGroups(
  state: LatticeState,
  serviceArn: string,
  targetGroups: readonly TargetGroup[],
  except?: string,
): void {
  for (const group of targetGroups) {
    const others = servicesUsing(state, group.id).filter((arn) => arn !== serviceArn);
    if (others.length > 0) {
      throw conflict(
        `Target group ${group.id} is already used by service ${others[0]}; a target group can only be used by a single service`,
        RESOURCE_TYPE.targetGroup,
        group.id,
      );
    }
  }
  const ids = serviceTargetGroupIds(state, serviceArn, except);
  for (const group of targetGroups) ids.add(group.id);
  const limit = state.config.quotas.targetGroupsPerService;
  if (ids.size > limit) throw quotaExceeded(QUOTAS.targetGroupsPerService, limit, serviceArn);
}
