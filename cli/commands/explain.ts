/**
 * `switchyard explain`: which listener rule a request matches on each ALB Gateway that listens on
 * its port, where it goes (Services and shares, a redirect, a fixed response) and why the rules
 * before it did not match. Offline, from manifests, using the same ALB evaluator as the tests.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { controllerConfig } from "../../shared/config.ts";
import type { ElbBuild } from "../../shared/elb/context.ts";
import { type AlbOutcome, type AlbRequest, conditionMatches, evaluateListener } from "../../shared/elb/evaluate.ts";
import type { ListenerModel } from "../../shared/elb/model.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import type { Io } from "../main.ts";
import { loadFiles } from "../manifests.ts";
import { describeCondition } from "../render/elb-text.ts";

export interface Explanation {
  gateway: string;
  listener: string;
  rule: { priority: number | "default"; route?: string; ruleIndex?: number; matchIndex?: number; conditions: string[] };
  skipped: { priority: number; route: string; failed: string }[];
  outcome: ExplainedOutcome;
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

/** Parses `METHOD URL` (method optional, GET by default). */
export function parseRequestLine(line: string, headers: readonly string[], sourceIp?: string): AlbRequest {
  const parts = line.trim().split(/\s+/);
  const [method, target] = parts.length > 1 ? [parts[0] ?? "GET", parts[1] ?? ""] : ["GET", parts[0] ?? ""];
  const url = new URL(target);
  const scheme = url.protocol === "https:" ? "https" : url.protocol === "http:" ? "http" : undefined;
  if (!scheme) throw new Error(`request URL must be http:// or https:// (got ${target})`);
  const headerMap: Record<string, string[]> = {};
  for (const h of headers) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new Error(`header must look like 'name: value' (got ${h})`);
    const name = h.slice(0, colon).trim().toLowerCase();
    headerMap[name] = [...(headerMap[name] ?? []), h.slice(colon + 1).trim()];
  }
  const port = url.port ? Number(url.port) : scheme === "https" ? 443 : 80;
  return {
    method: method.toUpperCase(),
    scheme,
    host: headerMap.host?.[0] ?? url.host,
    port,
    path: url.pathname,
    ...(url.search ? { query: url.search.slice(1) } : {}),
    headers: headerMap,
    ...(sourceIp ? { sourceIp } : {}),
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
    .map((r) => ({
      priority: r.priority,
      route: r.source.isolation ? `listener isolation for ${r.source.hostname}` : r.source.route,
      failed: describeCondition(
        r.conditions.find((c) => !conditionMatches(c, request)) ?? { field: "http-request-method", values: [] },
      ),
    }));
  return {
    gateway: build.model.gatewayKey,
    listener: listener.id,
    rule: matched
      ? {
          priority: matched.priority,
          ...(matched.source.route
            ? { route: matched.source.route, ruleIndex: matched.source.rule, matchIndex: matched.source.match }
            : {}),
          conditions: matched.conditions.map(describeCondition),
        }
      : { priority: "default", conditions: [] },
    skipped,
    outcome: explainOutcome(outcome, build),
  };
}

function renderOutcome(o: ExplainedOutcome): string {
  switch (o.kind) {
    case "forward":
      return `forward to ${o.backends.map((b) => `${b.backend} (${Math.round(b.share * 1000) / 10}%)`).join(", ")}; targets see ${o.request.host}${o.request.path}${o.request.query ? `?${o.request.query}` : ""}`;
    case "redirect":
      return `redirect ${o.statusCode} to ${o.location}`;
    case "fixed-response":
      return `respond ${o.statusCode}`;
    case "authenticate":
      return `authenticate, then ${renderOutcome(o.afterwards)}`;
  }
}

function renderText(explanations: readonly Explanation[]): string {
  const lines: string[] = [];
  for (const e of explanations) {
    lines.push(`Gateway ${e.gateway}, listener ${e.listener}`);
    for (const s of e.skipped) lines.push(`  rule ${s.priority} (${s.route}) did not match: ${s.failed}`);
    if (e.rule.priority === "default") lines.push("  no rule matched: the listener's default action applies");
    else {
      lines.push(`  matched rule ${e.rule.priority}: ${e.rule.conditions.join(" ∧ ") || "(no conditions)"}`);
      if (e.rule.route) lines.push(`    from ${e.rule.route} rule ${e.rule.ruleIndex} match ${e.rule.matchIndex}`);
    }
    lines.push(`  → ${renderOutcome(e.outcome)}`, "");
  }
  return `${lines.join("\n")}\n`;
}

export function explainCommand(argv: readonly string[], io: Io): number {
  let values: {
    file?: string[];
    request?: string;
    header?: string[];
    output?: string;
    "source-ip"?: string;
    namespace?: string;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        file: { type: "string", short: "f", multiple: true },
        request: { type: "string", short: "r" },
        header: { type: "string", short: "H", multiple: true },
        output: { type: "string", short: "o" },
        "source-ip": { type: "string" },
        namespace: { type: "string", short: "n" },
      },
    }));
  } catch (err) {
    io.stderr.write(`switchyard explain: ${(err as Error).message}\n`);
    return 2;
  }
  if (!values.request || !values.file?.length) {
    io.stderr.write("switchyard explain: -f <files|dirs> and --request 'METHOD URL' are required\n");
    return 2;
  }
  const missing = values.file.filter((p) => !existsSync(p));
  if (missing.length) {
    io.stderr.write(`switchyard explain: no such file or directory: ${missing.join(", ")}\n`);
    return 2;
  }
  let request: AlbRequest;
  try {
    request = parseRequestLine(values.request, values.header ?? [], values["source-ip"]);
  } catch (err) {
    io.stderr.write(`switchyard explain: ${(err as Error).message}\n`);
    return 2;
  }
  const loaded = loadFiles(values.file, values.namespace);
  const { loadBalancers } = translate(snapshotOf(loaded.objects), controllerConfig());
  const explanations = explainRequest(loadBalancers, request);
  if (explanations.length === 0) {
    io.stderr.write(`switchyard explain: no Application Load Balancer Gateway listens on port ${request.port}\n`);
    return 1;
  }
  io.stdout.write(values.output === "json" ? `${JSON.stringify(explanations, null, 2)}\n` : renderText(explanations));
  return 0;
}
