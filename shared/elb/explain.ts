/**
 * Why a request ends where it does on an Application Load Balancer: on each ALB whose listener
 * takes the request's port, the rule that matched (or the default action), every earlier rule
 * with the first of its conditions the request failed, and where the request goes. Pure: the
 * desired model and a request in, an explanation out; `switchyard explain` renders it.
 */
import type { ElbBuild } from "./context.ts";
import { type AlbOutcome, type AlbRequest, conditionMatches, evaluateListener } from "./evaluate.ts";
import type { ListenerModel } from "./model.ts";
import type { RuleCondition } from "./rules.ts";

export interface MatchedRule {
  priority: number | "default";
  /** The route, rule and match the listener rule was built from; absent for the default action. */
  route?: string;
  ruleIndex?: number;
  matchIndex?: number;
  conditions: RuleCondition[];
}

export interface SkippedRule {
  priority: number;
  /** The route it was built from, or the listener isolation it enforces. */
  route: string;
  /** The first condition the request did not meet. */
  failed?: RuleCondition;
}

export type ExplainedOutcome =
  | {
      kind: "forward";
      backends: { backend: string; share: number }[];
      request: { host: string; path: string; query?: string };
    }
  | { kind: "redirect"; statusCode: number; location: string }
  | { kind: "fixed-response"; statusCode: number }
  | { kind: "authenticate"; afterwards: ExplainedOutcome };

export interface Explanation {
  gateway: string;
  listener: string;
  rule: MatchedRule;
  skipped: SkippedRule[];
  outcome: ExplainedOutcome;
}

/** One explanation per ALB Gateway with a listener on the request's port, in build order. */
export function explainRequest(builds: readonly ElbBuild[], request: AlbRequest): Explanation[] {
  const out: Explanation[] = [];
  for (const build of builds) {
    if (build.model.type !== "application") continue;
    const listener = build.model.listeners.find((l) => l.port === request.port);
    if (!listener) continue;
    out.push(explainOnListener(build, listener, request));
  }
  return out;
}

function explainOnListener(build: ElbBuild, listener: ListenerModel, request: AlbRequest): Explanation {
  const outcome = evaluateListener(listener.rules, listener.defaultActions, request);
  const matched = listener.rules.find((r) => r.priority === outcome.rulePriority);
  const skipped = listener.rules
    .filter((r) => outcome.rulePriority === "default" || r.priority < outcome.rulePriority)
    .map((r) => {
      const failed = r.conditions.find((c) => !conditionMatches(c, request));
      return {
        priority: r.priority,
        route: r.source.isolation ? `listener isolation for ${r.source.hostname}` : r.source.route,
        ...(failed ? { failed } : {}),
      };
    });
  return {
    gateway: build.model.gatewayKey,
    listener: listener.id,
    rule: matched
      ? {
          priority: matched.priority,
          ...(matched.source.route
            ? { route: matched.source.route, ruleIndex: matched.source.rule, matchIndex: matched.source.match }
            : {}),
          conditions: matched.conditions,
        }
      : { priority: "default", conditions: [] },
    skipped,
    outcome: explainOutcome(outcome, build),
  };
}

function explainOutcome(outcome: AlbOutcome, build: ElbBuild): ExplainedOutcome {
  switch (outcome.kind) {
    case "forward":
      return {
        kind: "forward",
        backends: outcome.targetGroups.map((t) => ({
          backend: build.model.targetGroups.find((g) => g.id === t.targetGroupId)?.backend || "(no targets: 503)",
          share: t.share,
        })),
        request: outcome.request,
      };
    case "redirect":
      return { kind: "redirect", statusCode: outcome.statusCode, location: outcome.location };
    case "fixed-response":
      return { kind: "fixed-response", statusCode: outcome.statusCode };
    case "authenticate":
      return { kind: "authenticate", afterwards: explainOutcome(outcome.then, build) };
  }
}
