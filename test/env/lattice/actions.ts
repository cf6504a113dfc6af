// Rule actions and matches as the API model constrains them (RuleAction, RuleMatch, HttpMatch,
// PathMatch, HeaderMatch), plus what the User Guide adds: fixed responses answer 404 or 500 only,
// weights are needed when a forward action names more than one target group, a TLS listener
// forwards to TCP target groups only.
import { type OperationContext, requireNotDeleting, resolve } from "./context.ts";
import { validation } from "./errors.ts";
import { type Fields, namePattern } from "./input.ts";
import type {
  HeaderMatch,
  HeaderMatchType,
  HttpMatch,
  ListenerProtocol,
  PathMatch,
  PathMatchType,
  RuleAction,
  RuleMatch,
  TargetGroup,
  WeightedTargetGroup,
} from "./model.ts";

export const RULE_NAME = { min: 3, max: 63, pattern: namePattern("rule-") };
/** Rule priorities: 1-100 as the User Guide says (the API model allows up to 2000; QUIRKS.md VL). */
export const RULE_PRIORITY = { min: 1, max: 100 };
const PATH_VALUE = { min: 1, max: 200, pattern: /^\/[a-zA-Z0-9@:%_+.~#?&/=-]*$/ };
const HEADER_VALUE = { min: 1, max: 200 };

export interface ReadAction {
  action: RuleAction;
  targetGroups: TargetGroup[];
}

/** A RuleAction; forward target groups must be the caller's, and are echoed back by id. */
export function readAction(ctx: OperationContext, fields: Fields): ReadAction {
  const member = fields.union(["forward", "fixedResponse"] as const);
  if (member === "fixedResponse") {
    const statusCode = fields.requireObject("fixedResponse").requireInteger("statusCode", { min: 100, max: 599 });
    if (statusCode !== 404 && statusCode !== 500) {
      throw validation("Only 404 and 500 status codes are supported for fixed responses", [
        { name: fields.pathOf("fixedResponse.statusCode"), message: "must be 404 or 500" },
      ]);
    }
    return { action: { fixedResponse: { statusCode } }, targetGroups: [] };
  }
  const forward = fields.requireObject("forward");
  const entries = forward.objects("targetGroups", { min: 1, max: 10 }, true) ?? [];
  const groups: WeightedTargetGroup[] = [];
  const targetGroups: TargetGroup[] = [];
  for (const entry of entries) {
    const identifier = entry.requireString("targetGroupIdentifier");
    const group = resolve(ctx, "targetGroup", identifier, entry.pathOf("targetGroupIdentifier"), "owner");
    requireNotDeleting(group);
    const weight = entry.integer("weight", { min: 0, max: 999 });
    if (weight === undefined && entries.length > 1) {
      throw validation("A weight is required for each target group of a forward action with several", [
        { name: entry.pathOf("weight"), message: "is required" },
      ]);
    }
    if (targetGroups.some((known) => known.id === group.id)) {
      throw validation(`Target group ${group.id} appears twice in one forward action`, [
        { name: entry.pathOf("targetGroupIdentifier"), message: "is a duplicate" },
      ]);
    }
    targetGroups.push(group);
    groups.push({ targetGroupIdentifier: group.id, weight: weight ?? 1 });
  }
  return { action: { forward: { targetGroups: groups } }, targetGroups };
}

/** What a listener of `protocol` may forward to. */
export function checkActionForListener(protocol: ListenerProtocol, read: ReadAction, path: string): void {
  if (protocol === "TLS_PASSTHROUGH") {
    if (!("forward" in read.action) || read.targetGroups.some((group) => group.config.protocol !== "TCP")) {
      throw validation("The default action of a TLS listener must forward to TCP target groups", [
        { name: path, message: "must forward to TCP target groups" },
      ]);
    }
    return;
  }
  const tcp = read.targetGroups.find((group) => group.config.protocol === "TCP");
  if (tcp !== undefined) {
    throw validation(`An ${protocol} listener cannot forward to TCP target group ${tcp.id}`, [
      { name: path, message: "must not forward to TCP target groups" },
    ]);
  }
}

export function readMatch(fields: Fields): RuleMatch {
  fields.union(["httpMatch"] as const);
  const http = fields.requireObject("httpMatch");
  const match: HttpMatch = {};
  const method = http.string("method", { min: 0, max: 16 });
  if (method !== undefined) match.method = method;
  const path = http.object("pathMatch");
  if (path !== undefined) match.pathMatch = readPathMatch(path);
  const headers = http.objects("headerMatches", { min: 1, max: 5 });
  if (headers !== undefined) match.headerMatches = headers.map(readHeaderMatch);
  if (match.method === undefined && match.pathMatch === undefined && match.headerMatches === undefined) {
    throw validation("A rule match needs a method, a path match or header matches", [
      { name: http.path, message: "must set at least one of method, pathMatch, headerMatches" },
    ]);
  }
  return { httpMatch: match };
}

function readPathMatch(fields: Fields): PathMatch {
  const type = fields.requireObject("match");
  const kind = type.union(["exact", "prefix"] as const);
  const value = type.requireString(kind, PATH_VALUE);
  const match: PathMatchType = kind === "exact" ? { exact: value } : { prefix: value };
  const caseSensitive = fields.boolean("caseSensitive");
  return caseSensitive === undefined ? { match } : { match, caseSensitive };
}

function readHeaderMatch(fields: Fields): HeaderMatch {
  const name = fields.requireString("name", { min: 1, max: 100 });
  const type = fields.requireObject("match");
  const kind = type.union(["exact", "prefix", "contains"] as const);
  const value = type.requireString(kind, HEADER_VALUE);
  const match: HeaderMatchType =
    kind === "exact" ? { exact: value } : kind === "prefix" ? { prefix: value } : { contains: value };
  const caseSensitive = fields.boolean("caseSensitive");
  return caseSensitive === undefined ? { name, match } : { name, match, caseSensitive };
}
