/**
 * What a VPC Lattice service listener does with a request, from its rules alone: a pure model of
 * the documented evaluation ("Listener rules for your VPC Lattice service", user guide).
 *
 * - Rules are evaluated in priority order, lowest value first; the first whose match holds
 *   decides; the default action applies when none does (it has no conditions).
 * - Within a match every part must hold: method, path and each header match.
 * - Method: exact and case-sensitive, no wildcards.
 * - Path: `exact` or `prefix`, no wildcards, case-insensitive unless `caseSensitive` (Lattice's
 *   default is false; switchyard always sends true). The guide does not say a prefix stops at
 *   segment boundaries, so it is read as a plain string prefix (`/api` holds for `/apis`); the
 *   builder splits a Gateway API PathPrefix accordingly. The path is the URL path without its
 *   query string, as HTTP request routing compares it.
 * - Headers: names case-insensitive; `exact`, `prefix` or `contains` on the value, case-insensitive
 *   unless `caseSensitive`. Any occurrence of a repeated header may satisfy it; an absent header
 *   fails the match.
 * - Forward: each target group receives weight / Σweight (weights 0–999). With every weight 0
 *   nothing can receive the request: the outcome is 503, as for a group without targets.
 * - Fixed response: its status code (404 or 500).
 */
import type { LatticeAction, LatticeHeaderMatch, LatticeMatch, LatticePathMatch } from "./model.ts";

/** The request a Lattice service listener evaluates. */
export interface LatticeRequest {
  method: string;
  /** The URL path, without the query string. */
  path: string;
  headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** A rule as the evaluator needs it. */
export interface EvaluatedRule {
  priority: number;
  match: LatticeMatch;
  action: LatticeAction;
}

export type LatticeRulePriority = number | "default";

export interface LatticeTargetGroupShare {
  targetGroupId: string;
  weight: number;
  /** weight / Σweight over the action's target groups. */
  share: number;
}

export type LatticeOutcome =
  | { kind: "forward"; rulePriority: LatticeRulePriority; targetGroups: LatticeTargetGroupShare[] }
  | { kind: "fixed-response"; rulePriority: LatticeRulePriority; statusCode: number };

/** What a forward answers when no target group can receive the request. */
export const NO_FORWARDABLE_TARGET_GROUP_STATUS = 503;

function headerValues(headers: LatticeRequest["headers"], name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === "string") out.push(value);
    else out.push(...value);
  }
  return out;
}

function fold(text: string, caseSensitive: boolean): string {
  return caseSensitive ? text : text.toLowerCase();
}

export function pathMatches(match: LatticePathMatch, path: string): boolean {
  const value = fold(match.value, match.caseSensitive);
  const actual = fold(path, match.caseSensitive);
  return match.type === "exact" ? actual === value : actual.startsWith(value);
}

export function headerMatches(match: LatticeHeaderMatch, headers: LatticeRequest["headers"]): boolean {
  const value = fold(match.value, match.caseSensitive);
  const holds = (actual: string): boolean =>
    match.type === "exact"
      ? actual === value
      : match.type === "prefix"
        ? actual.startsWith(value)
        : actual.includes(value);
  return headerValues(headers, match.name).some((raw) => holds(fold(raw, match.caseSensitive)));
}

/** The first part of the match the request fails, in words, or undefined when it holds. */
export function failedPart(match: LatticeMatch, request: LatticeRequest): string | undefined {
  if (match.method !== undefined && match.method !== request.method) return `method ${match.method}`;
  if (match.path && !pathMatches(match.path, request.path)) return `path ${match.path.type} ${match.path.value}`;
  const header = match.headers.find((h) => !headerMatches(h, request.headers));
  return header ? `header ${header.name} ${header.type} ${header.value}` : undefined;
}

export function matchHolds(match: LatticeMatch, request: LatticeRequest): boolean {
  return failedPart(match, request) === undefined;
}

function actionOutcome(action: LatticeAction, rulePriority: LatticeRulePriority): LatticeOutcome {
  if (action.type === "fixed-response") return { kind: "fixed-response", rulePriority, statusCode: action.statusCode };
  const total = action.targetGroups.reduce((sum, t) => sum + t.weight, 0);
  if (total <= 0) return { kind: "fixed-response", rulePriority, statusCode: NO_FORWARDABLE_TARGET_GROUP_STATUS };
  return {
    kind: "forward",
    rulePriority,
    targetGroups: action.targetGroups.map((t) => ({
      targetGroupId: t.targetGroupId,
      weight: t.weight,
      share: t.weight / total,
    })),
  };
}

/** The outcome of the request on a listener with these rules and this default action. */
export function evaluateLatticeListener(
  rules: readonly EvaluatedRule[],
  defaultAction: LatticeAction,
  request: LatticeRequest,
): LatticeOutcome {
  const ordered = rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index);
  for (const { rule } of ordered) {
    if (matchHolds(rule.match, request)) return actionOutcome(rule.action, rule.priority);
  }
  return actionOutcome(defaultAction, "default");
}
