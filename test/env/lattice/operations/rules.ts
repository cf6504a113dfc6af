// Listener rules: Create/Get/List/Update/Delete and BatchUpdateRule. Names and priorities (1-100)
// are unique within a listener, at most `rulesPerListener` (10) besides the default rule, which is
// listed and readable but changed only through UpdateListener. TLS listeners take no rules.
// BatchUpdateRule judges priorities on the batch's end state, so two rules can swap priorities.

import {
  checkActionForListener,
  type ReadAction,
  RULE_NAME,
  RULE_PRIORITY,
  readAction,
  readMatch,
} from "../actions.ts";
import { RESOURCE_TYPE } from "../arns.ts";
import {
  idempotent,
  type OperationContext,
  type OperationSpec,
  type Output,
  paginate,
  requireNotDeleting,
  resolve,
} from "../context.ts";
import { conflict, LatticeError, notFound, quotaExceeded, validation } from "../errors.ts";
import type { Fields } from "../input.ts";
import type { Listener, Rule, RuleMatch, Service } from "../model.ts";
import { checkServiceTargetGroups } from "../references.ts";
import { QUOTAS } from "../state.ts";
import { listenerOf } from "./listeners.ts";
import { serviceOf } from "./services.ts";

type Target = { rule: Rule } | { defaultOf: Listener };

function view(rule: Rule): Output {
  return {
    arn: rule.arn,
    id: rule.id,
    name: rule.name,
    isDefault: false,
    match: rule.match,
    priority: rule.priority,
    action: rule.action,
  };
}

function defaultView(listener: Listener): Output {
  return {
    arn: listener.defaultRule.arn,
    id: listener.defaultRule.id,
    name: "default",
    isDefault: true,
    action: listener.defaultAction,
  };
}

function rulesOf(ctx: OperationContext, listener: Listener): Rule[] {
  return ctx.state.all("rule").filter((rule) => rule.listenerArn === listener.arn);
}

/** The rule (or the listener's default rule) an identifier names within `listener`. */
function targetOf(ctx: OperationContext, identifier: string, path: string, listener: Listener): Target {
  if (identifier === listener.defaultRule.id || identifier === listener.defaultRule.arn) return { defaultOf: listener };
  const rule = resolve(ctx, "rule", identifier, path, "owner");
  if (rule.listenerArn !== listener.arn) throw notFound(RESOURCE_TYPE.rule, identifier);
  return { rule };
}

function parents(ctx: OperationContext, input: Fields): { service: Service; listener: Listener } {
  const service = serviceOf(ctx, input, "owner");
  return { service, listener: listenerOf(ctx, input, service) };
}

function notOnDefault(listener: Listener, action: string): LatticeError {
  return validation(`You can't ${action} the default rule of listener ${listener.id}; use UpdateListener`, [
    { name: "ruleIdentifier", message: "names the default rule" },
  ]);
}

function checkPriorityFree(ctx: OperationContext, listener: Listener, priority: number, except?: string): void {
  const holder = rulesOf(ctx, listener).find((rule) => rule.priority === priority && rule.arn !== except);
  if (holder !== undefined) {
    throw conflict(`Priority ${priority} is already used by rule ${holder.id}`, RESOURCE_TYPE.rule, holder.id);
  }
}

function checkRuleAction(
  ctx: OperationContext,
  service: Service,
  listener: Listener,
  read: ReadAction,
  except?: string,
): void {
  checkActionForListener(listener.protocol, read, "action");
  checkServiceTargetGroups(ctx.state, service.arn, read.targetGroups, except);
}

function create(ctx: OperationContext, input: Fields): Output {
  const { state } = ctx;
  const { service, listener } = parents(ctx, input);
  const name = input.requireString("name", RULE_NAME);
  const priority = input.requireInteger("priority", RULE_PRIORITY);
  const match = readMatch(input.requireObject("match"));
  const tags = input.tags("tags");
  return idempotent(
    ctx,
    input,
    (arn) => {
      const rule = state.byArn(arn);
      return rule?.kind === "rule" ? view(rule) : undefined;
    },
    () => {
      requireNotDeleting(service);
      if (listener.protocol === "TLS_PASSTHROUGH") {
        throw validation(`TLS listener ${listener.id} takes no rules besides its default rule`, [
          { name: "listenerIdentifier", message: "is a TLS_PASSTHROUGH listener" },
        ]);
      }
      const read = readAction(ctx, input.requireObject("action"));
      const siblings = rulesOf(ctx, listener);
      const named = siblings.find((rule) => rule.name === name);
      if (named !== undefined) {
        throw conflict(`Listener ${listener.id} already has a rule named ${name}`, RESOURCE_TYPE.rule, named.id);
      }
      checkPriorityFree(ctx, listener, priority);
      const limit = state.config.quotas.rulesPerListener;
      if (siblings.length >= limit) throw quotaExceeded(QUOTAS.rulesPerListener, limit, listener.id);
      checkRuleAction(ctx, service, listener, read);
      const rule = state.add<Rule>({
        ...state.base("rule", listener.account, listener.region, tags, {
          serviceId: service.id,
          listenerId: listener.id,
        }),
        kind: "rule",
        listenerArn: listener.arn,
        serviceArn: service.arn,
        name,
        priority,
        match,
        action: read.action,
      });
      return { arn: rule.arn, response: view(rule) };
    },
  );
}

function get(ctx: OperationContext, input: Fields): Output {
  const { listener } = parents(ctx, input);
  const target = targetOf(ctx, input.requireString("ruleIdentifier"), "ruleIdentifier", listener);
  if ("defaultOf" in target) {
    return { ...defaultView(listener), createdAt: listener.createdAt, lastUpdatedAt: listener.lastUpdatedAt };
  }
  return { ...view(target.rule), createdAt: target.rule.createdAt, lastUpdatedAt: target.rule.lastUpdatedAt };
}

function list(ctx: OperationContext, input: Fields): Output {
  const { listener } = parents(ctx, input);
  const entries: (Output & { seq: number })[] = [
    {
      seq: listener.seq,
      arn: listener.defaultRule.arn,
      id: listener.defaultRule.id,
      name: "default",
      isDefault: true,
      createdAt: listener.createdAt,
      lastUpdatedAt: listener.lastUpdatedAt,
    },
    ...rulesOf(ctx, listener).map((rule) => ({
      seq: rule.seq,
      arn: rule.arn,
      id: rule.id,
      name: rule.name,
      isDefault: false,
      priority: rule.priority,
      createdAt: rule.createdAt,
      lastUpdatedAt: rule.lastUpdatedAt,
    })),
  ];
  const { page, nextToken } = paginate(ctx, input, entries);
  return { items: page.map(({ seq: _seq, ...summary }) => summary), nextToken };
}

interface RuleChange {
  match?: RuleMatch;
  priority?: number;
  read?: ReadAction;
}

function readChange(ctx: OperationContext, fields: Fields): RuleChange {
  const change: RuleChange = {};
  const match = fields.object("match");
  if (match !== undefined) change.match = readMatch(match);
  const priority = fields.integer("priority", RULE_PRIORITY);
  if (priority !== undefined) change.priority = priority;
  const action = fields.object("action");
  if (action !== undefined) change.read = readAction(ctx, action);
  return change;
}

function apply(ctx: OperationContext, rule: Rule, change: RuleChange): void {
  if (change.match !== undefined) rule.match = change.match;
  if (change.priority !== undefined) rule.priority = change.priority;
  if (change.read !== undefined) rule.action = change.read.action;
  ctx.state.touch(rule);
}

function update(ctx: OperationContext, input: Fields): Output {
  const { service, listener } = parents(ctx, input);
  const target = targetOf(ctx, input.requireString("ruleIdentifier"), "ruleIdentifier", listener);
  if ("defaultOf" in target) throw notOnDefault(listener, "update");
  requireNotDeleting(service);
  const change = readChange(ctx, input);
  if (change.priority !== undefined) checkPriorityFree(ctx, listener, change.priority, target.rule.arn);
  if (change.read !== undefined) checkRuleAction(ctx, service, listener, change.read, target.rule.arn);
  apply(ctx, target.rule, change);
  return view(target.rule);
}

function remove(ctx: OperationContext, input: Fields): Output {
  const { service, listener } = parents(ctx, input);
  const target = targetOf(ctx, input.requireString("ruleIdentifier"), "ruleIdentifier", listener);
  if ("defaultOf" in target) throw notOnDefault(listener, "delete");
  requireNotDeleting(service);
  ctx.state.remove(target.rule.arn);
  return {};
}

interface BatchEntry {
  identifier: string;
  fields: Fields;
  rule?: Rule;
  change?: RuleChange;
  failure?: LatticeError;
}

function failure(error: unknown): LatticeError {
  if (error instanceof LatticeError) return error;
  throw error;
}

/**
 * BatchUpdateRule: every entry is checked on its own (unknown rule, default rule, bad target
 * groups go to `unsuccessful`), then priorities are judged on the end state: an entry whose new
 * priority another rule still holds fails with ConflictException, repeatedly, until the rest agree.
 */
function batchUpdate(ctx: OperationContext, input: Fields): Output {
  const { service, listener } = parents(ctx, input);
  requireNotDeleting(service);
  const entries: BatchEntry[] = (input.objects("rules", { min: 1, max: 10 }, true) ?? []).map((fields) => ({
    identifier: fields.requireString("ruleIdentifier"),
    fields,
  }));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.identifier)) {
      throw validation(`Rule ${entry.identifier} appears twice in the batch`, [
        { name: entry.fields.pathOf("ruleIdentifier"), message: "is a duplicate" },
      ]);
    }
    seen.add(entry.identifier);
  }
  for (const entry of entries) {
    try {
      const target = targetOf(ctx, entry.identifier, entry.fields.pathOf("ruleIdentifier"), listener);
      if ("defaultOf" in target) throw notOnDefault(listener, "update");
      entry.rule = target.rule;
      entry.change = readChange(ctx, entry.fields);
      if (entry.change.read !== undefined) {
        checkRuleAction(ctx, service, listener, entry.change.read, target.rule.arn);
      }
    } catch (error) {
      entry.failure = failure(error);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    const finalPriority = new Map<string, number>();
    for (const rule of rulesOf(ctx, listener)) finalPriority.set(rule.arn, rule.priority);
    for (const entry of entries) {
      if (entry.failure === undefined && entry.rule !== undefined && entry.change?.priority !== undefined) {
        finalPriority.set(entry.rule.arn, entry.change.priority);
      }
    }
    for (const entry of entries) {
      if (entry.failure !== undefined || entry.rule === undefined || entry.change?.priority === undefined) continue;
      const { arn } = entry.rule;
      const priority = entry.change.priority;
      const holder = [...finalPriority].find(([other, p]) => other !== arn && p === priority);
      if (holder !== undefined) {
        entry.failure = conflict(
          `Priority ${priority} would also be held by ${holder[0]}`,
          RESOURCE_TYPE.rule,
          entry.rule.id,
        );
        changed = true;
        break;
      }
    }
  }
  const successful: Output[] = [];
  const unsuccessful: Output[] = [];
  for (const entry of entries) {
    if (entry.failure !== undefined || entry.rule === undefined || entry.change === undefined) {
      unsuccessful.push({
        ruleIdentifier: entry.identifier,
        failureCode: entry.failure?.code ?? "InternalServerException",
        failureMessage: entry.failure?.message ?? "not processed",
      });
      continue;
    }
    apply(ctx, entry.rule, entry.change);
    successful.push(view(entry.rule));
  }
  return { successful, unsuccessful };
}

const LIST = "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules";
const ITEM = `${LIST}/{ruleIdentifier}`;

export const RULE_OPERATIONS: OperationSpec[] = [
  { name: "CreateRule", method: "POST", path: LIST, status: 201, handler: create },
  { name: "GetRule", method: "GET", path: ITEM, status: 200, handler: get },
  {
    name: "ListRules",
    method: "GET",
    path: LIST,
    status: 200,
    query: { maxResults: "integer", nextToken: "string" },
    handler: list,
  },
  { name: "UpdateRule", method: "PATCH", path: ITEM, status: 200, handler: update },
  { name: "DeleteRule", method: "DELETE", path: ITEM, status: 204, handler: remove },
  { name: "BatchUpdateRule", method: "PATCH", path: LIST, status: 200, handler: batchUpdate },
];
