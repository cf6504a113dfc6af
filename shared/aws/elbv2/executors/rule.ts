/** Listener rule executors: create, modify (transforms reset when dropped), reprioritise, delete. */
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { Answer } from "../response.ts";
import { toSdkActions, toSdkCondition, toSdkTags, toSdkTransform } from "../translate.ts";
import {
  call,
  type ExecutorTable,
  listenerArn,
  listenerOf,
  ruleArnOf,
  targetGroupArn,
  translating,
} from "./context.ts";
import { withOwnership } from "./tags.ts";

export const ruleExecutors: Pick<ExecutorTable, "CreateRule" | "ModifyRule" | "SetRulePriorities" | "DeleteRule"> = {
  async CreateRule(client, op, ctx) {
    const name = op.op;
    const arn = listenerArn(ctx, op.listenerId, name);
    const input = translating(name, () => ({
      ListenerArn: arn,
      Priority: op.priority,
      Conditions: op.conditions.map(toSdkCondition),
      Actions: toSdkActions(op.actions, targetGroupArn(ctx, name)),
      ...(op.transforms?.length ? { Transforms: op.transforms.map(toSdkTransform) } : {}),
      Tags: toSdkTags(withOwnership(op.tags, ctx.owner, `listener:${op.listenerId}`)),
    }));
    const response = await call(name, () => client.send(new CreateRuleCommand(input)));
    const ruleArn = new Answer(name, `rule ${op.key}`).string("RuleArn", response?.Rules?.[0]?.RuleArn);
    ctx.ruleArns[op.key] = ruleArn;
    const l = listenerOf(ctx, op.listenerId);
    if (l) {
      l.rules.push({
        arn: ruleArn,
        priority: op.priority,
        conditions: op.conditions,
        actions: op.actions,
        ...(op.transforms?.length ? { transforms: op.transforms } : {}),
      });
      l.rules.sort((a, b) => a.priority - b.priority);
    }
  },

  async ModifyRule(client, op, ctx) {
    const name = op.op;
    const ruleArn = ruleArnOf(ctx, op.rule, name);
    const existing = listenerOf(ctx, op.listenerId)?.rules.find((r) => r.arn === ruleArn);
    const input = translating(name, () => ({
      RuleArn: ruleArn,
      Conditions: op.conditions.map(toSdkCondition),
      Actions: toSdkActions(op.actions, targetGroupArn(ctx, name)),
      // ModifyRule keeps what it is not given: transforms the rule no longer has are reset.
      ...(op.transforms?.length
        ? { Transforms: op.transforms.map(toSdkTransform) }
        : !existing || existing.transforms?.length
          ? { ResetTransforms: true }
          : {}),
    }));
    await call(name, () => client.send(new ModifyRuleCommand(input)));
    if (existing) {
      existing.conditions = op.conditions;
      existing.actions = op.actions;
      if (op.transforms?.length) existing.transforms = op.transforms;
      else delete existing.transforms;
    }
  },

  async SetRulePriorities(client, op, ctx) {
    const moves = op.priorities.map((p) => ({ RuleArn: ruleArnOf(ctx, p.rule, op.op), Priority: p.priority }));
    await call(op.op, () => client.send(new SetRulePrioritiesCommand({ RulePriorities: moves })));
    const l = listenerOf(ctx, op.listenerId);
    for (const move of moves) {
      const rule = l?.rules.find((r) => r.arn === move.RuleArn);
      if (rule) rule.priority = move.Priority;
    }
    l?.rules.sort((a, b) => a.priority - b.priority);
  },

  async DeleteRule(client, op, ctx) {
    const ruleArn = ruleArnOf(ctx, op.rule, op.op);
    await call(op.op, () => client.send(new DeleteRuleCommand({ RuleArn: ruleArn })), true);
    for (const l of ctx.observed.listeners) l.rules = l.rules.filter((r) => r.arn !== ruleArn);
    for (const [key, arn] of Object.entries(ctx.ruleArns)) if (arn === ruleArn) delete ctx.ruleArns[key];
  },
};
