/** The human-readable plan: a tree per Gateway, then route statuses, then what was rejected. */
import { dataPlaneName } from "../../shared/graph/capabilities.ts";
import type { ResolvedBackend, ResolvedGateway, ResolvedListener } from "../../shared/graph/model.ts";
import type { Condition } from "../../shared/k8s/meta.ts";
import type { StatusUpdate } from "../../shared/status/compute.ts";
import type { Translation } from "../../shared/translate.ts";
import { renderElbText } from "./elb-text.ts";
import { renderLatticeText } from "./lattice-text.ts";

function brief(conditions: readonly Condition[]): string {
  return conditions
    .filter((c) => c.type !== "SupportedVersion" && !(c.type === "Conflicted" && c.status === "False"))
    .map((c) => (c.status === "True" && c.reason === c.type ? `${c.type}` : `${c.type}=${c.status}(${c.reason})`))
    .join(" ");
}

/** Objects whose Accepted condition is False, as `Kind ns/name: reason: message` lines. */
export function notAccepted(statuses: readonly StatusUpdate[]): string[] {
  const out: string[] = [];
  for (const s of statuses) {
    const where = "namespace" in s ? `${s.kind} ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
    const conditions =
      "conditions" in s
        ? s.conditions
        : "parents" in s
          ? s.parents.flatMap((p) => p.conditions)
          : s.status.ancestors.flatMap((a) => a.conditions);
    for (const c of conditions) {
      if (c.type === "Accepted" && c.status === "False") out.push(`${where}: ${c.reason}: ${c.message}`);
    }
  }
  return out;
}

function backendLine(b: ResolvedBackend, total: number): string {
  const share = total > 0 ? `${Math.round((b.weight / total) * 1000) / 10}%` : "0%";
  const target = `${b.kind} ${b.namespace}/${b.name}${b.port !== undefined ? `:${b.port}` : ""}`;
  if (b.problem) return `${target} ${share} → 500 (${b.problem.reason}: ${b.problem.message})`;
  return `${target} ${share} (${b.endpoints.length} ready endpoint${b.endpoints.length === 1 ? "" : "s"})`;
}

function listenerLines(l: ResolvedListener, gatewayStatus: StatusUpdate | undefined): string[] {
  const status =
    gatewayStatus && "listeners" in gatewayStatus ? gatewayStatus.listeners.find((s) => s.name === l.name) : undefined;
  const lines = [
    `  listener ${l.name} ${l.protocol}:${l.port}${l.hostname ? ` ${l.hostname}` : ""} — ${status ? brief(status.conditions) : ""}`,
  ];
  for (const a of l.attachments) {
    lines.push(`    ${a.route.key}${a.hostnames ? ` hosts ${a.hostnames.join(", ")}` : ""}`);
    for (const rule of a.route.rules) {
      const total = rule.backends.reduce((sum, b) => sum + b.weight, 0);
      const matches = Math.max(rule.httpMatches.length, rule.grpcMatches.length);
      lines.push(
        `      rule ${rule.index}${rule.name ? ` (${rule.name})` : ""}${matches ? `, ${matches} match${matches === 1 ? "" : "es"}` : ""}`,
      );
      for (const b of rule.backends) lines.push(`        → ${backendLine(b, total)}`);
      if (rule.backends.length === 0 && rule.filters.length === 0) lines.push("        → 500 (no backends)");
      for (const f of rule.filters) lines.push(`        filter ${f.type}`);
    }
  }
  return lines;
}

function gatewayLines(g: ResolvedGateway, statuses: readonly StatusUpdate[]): string[] {
  const status = statuses.find((s) => s.kind === "Gateway" && "namespace" in s && `${s.namespace}/${s.name}` === g.key);
  const lines = [
    `Gateway ${g.key} — ${dataPlaneName(g.dataPlane)} — ${status && "conditions" in status ? brief(status.conditions) : ""}`,
  ];
  for (const l of g.listeners) for (const line of listenerLines(l, status)) lines.push(line);
  for (const set of g.listenerSets) {
    lines.push(
      `  ListenerSet ${set.object.metadata.namespace}/${set.object.metadata.name}${set.problem ? ` — not accepted: ${set.problem.message}` : ""}`,
    );
    for (const l of set.listeners) for (const line of listenerLines(l, undefined)) lines.push(`  ${line}`);
  }
  return lines;
}

export function renderPlanText(
  translation: Translation,
  rejected: readonly string[],
  fileCount: number,
  warnings: readonly string[] = [],
): string {
  const { graph, statuses } = translation;
  const lines: string[] = [
    `switchyard plan — ${fileCount} file${fileCount === 1 ? "" : "s"}, ${graph.gateways.length} Gateway${graph.gateways.length === 1 ? "" : "s"}, ${graph.routes.length} route${graph.routes.length === 1 ? "" : "s"}`,
    "",
  ];
  for (const g of graph.gateways) {
    for (const line of gatewayLines(g, statuses)) lines.push(line);
    const build = translation.loadBalancers.find((b) => b.model.gatewayKey === g.key);
    if (build) for (const line of renderElbText(build)) lines.push(line);
    const lattice = translation.lattice.gateways.find((b) => b.model.gatewayKey === g.key);
    if (lattice) for (const line of renderLatticeText(lattice)) lines.push(line);
    lines.push("");
  }
  const routeStatuses = statuses.filter((s) => "parents" in s);
  if (routeStatuses.length > 0) {
    lines.push("Route status:");
    for (const s of routeStatuses) {
      if (!("parents" in s)) continue;
      for (const p of s.parents) {
        lines.push(
          `  ${s.kind} ${s.namespace}/${s.name} → ${p.parentRef.namespace ?? s.namespace}/${p.parentRef.name}${p.parentRef.sectionName ? `/${p.parentRef.sectionName}` : ""}: ${brief(p.conditions)}`,
        );
      }
    }
    lines.push("");
  }
  const problems = notAccepted(statuses);
  // Loops rather than push(...spread): these lists grow with the input and spreading them can overflow the stack.
  const section = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push(title);
    for (const item of items) lines.push(`  ${item}`);
    lines.push("");
  };
  section("Not accepted:", problems);
  section("Rejected manifests:", rejected);
  section("Warnings:", warnings);
  return `${lines.join("\n")}\n`;
}
