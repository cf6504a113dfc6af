/** Human-readable ELB model: the load balancer, listeners with numbered rules, target groups. */
import type { ElbBuild } from "../../shared/elb/context.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import type { RuleAction, RuleCondition, RuleTransform } from "../../shared/elb/rules.ts";
import type { IngressPermission } from "../../shared/elb/security-groups.ts";
import { featureLines, listenerAttributesText } from "./features-text.ts";

export function describeCondition(c: RuleCondition): string {
  switch (c.field) {
    case "host-header":
      return `host ${[...(c.values ?? []), ...(c.regexValues ?? []).map((r) => `~${r}`)].join("|")}`;
    case "path-pattern":
      return `path ${[...(c.values ?? []), ...(c.regexValues ?? []).map((r) => `~${r}`)].join("|")}`;
    case "http-header":
      return `header ${c.headerName}=${[...(c.values ?? []), ...(c.regexValues ?? []).map((r) => `~${r}`)].join("|")}`;
    case "query-string":
      return `query ${c.values.map((v) => `${v.key ?? ""}=${v.value}`).join("|")}`;
    case "http-request-method":
      return `method ${c.values.join("|")}`;
    case "source-ip":
      return `source-ip ${c.values.join("|")}`;
  }
}

function describeAction(a: RuleAction, model: LoadBalancerModel): string {
  switch (a.type) {
    case "forward": {
      const total = a.targetGroups.reduce((s, t) => s + t.weight, 0);
      return `forward ${a.targetGroups
        .map((t) => {
          const tg = model.targetGroups.find((g) => g.id === t.targetGroupId);
          const share = total > 0 ? Math.round((t.weight / total) * 1000) / 10 : 0;
          return `${tg?.backend || "(no targets: 503)"} ${share}%`;
        })
        .join(", ")}`;
    }
    case "redirect":
      return `redirect ${a.statusCode.replace("HTTP_", "")} ${a.protocol ?? "#{protocol}"}://${a.host ?? "#{host}"}:${a.port ?? "#{port}"}${a.path ?? "/#{path}"}`;
    case "fixed-response":
      return `respond ${a.statusCode}`;
    default:
      return a.type;
  }
}

function describeTransform(t: RuleTransform): string {
  return `${t.type} ${t.rewrites.map((r) => `s/${r.regex}/${r.replace}/`).join(" ")}`;
}

/** One inbound security group rule, e.g. `tcp 80 from 0.0.0.0/0`. */
export function describePermission(p: IngressPermission): string {
  const ports =
    p.protocol === "icmp" || p.protocol === "icmpv6"
      ? `type ${p.fromPort} code ${p.toPort}`
      : p.fromPort === p.toPort
        ? `${p.fromPort}`
        : `${p.fromPort}-${p.toPort}`;
  return `${p.protocol} ${ports} from ${p.cidrIpv4 ?? p.cidrIpv6 ?? p.prefixListId ?? "?"}`;
}

function securityGroupLines(m: ElbBuild["model"]): string[] {
  const sg = m.managedSecurityGroups;
  if (!sg) return [];
  const lines: string[] = [];
  if (sg.frontend) {
    lines.push(
      `    security group ${sg.frontend.name}: ${sg.frontend.ingress.map(describePermission).join(", ") || "no inbound rule"}`,
    );
  }
  if (m.securityGroups.length > 0)
    lines.push(`    security groups ${m.securityGroups.join(", ")} (named by the configuration)`);
  if (sg.backend) {
    lines.push(
      `    security group ${sg.backend.name} (the cluster's backend group; the targets' groups admit it on their ports)`,
    );
  }
  if (lines.length === 0) lines.push("    no security groups");
  if (sg.enforceInboundRulesOnPrivateLinkTraffic) {
    lines.push(
      `    PrivateLink traffic ${sg.enforceInboundRulesOnPrivateLinkTraffic === "on" ? "filtered" : "not filtered"} by the inbound rules`,
    );
  }
  return lines;
}

export function renderElbText(build: ElbBuild): string[] {
  const m = build.model;
  const kind = m.type === "application" ? "Application Load Balancer" : "Network Load Balancer";
  const lines = [
    `  AWS ${kind} ${m.name} (${m.scheme}, ${m.ipAddressType})`,
    ...securityGroupLines(m),
    ...featureLines(m),
  ];
  for (const l of m.listeners) {
    const certs = l.certificates
      ? ` certificates: ${[...l.certificates.arns, ...l.certificates.pendingSecrets.map((s) => `Secret ${s} (awaiting ACM import)`)].join(", ") || "none"}`
      : "";
    const policy = l.sslPolicy ? ` policy ${l.sslPolicy}` : "";
    lines.push(`    listener ${l.id}${certs}${policy}${listenerAttributesText(l)}`);
    for (const r of l.rules) {
      const what = r.conditions.map(describeCondition).join(" ∧ ");
      const transforms = (r.transforms ?? []).map(describeTransform);
      lines.push(
        `      ${String(r.priority).padStart(3)}. ${what} → ${[...transforms, ...r.actions.map((a) => describeAction(a, m))].join(" → ")}${r.source.isolation ? " (listener isolation)" : ""}`,
      );
    }
    lines.push(`      default → ${l.defaultActions.map((a) => describeAction(a, m)).join(", ")}`);
  }
  for (const tg of m.targetGroups) {
    const hc = tg.healthCheck;
    const expecting = hc.matcher?.httpCode ?? (hc.matcher?.grpcCode ? `gRPC ${hc.matcher.grpcCode}` : undefined);
    const health = `health ${hc.protocol}${hc.path ? ` ${hc.path}` : ""} every ${hc.intervalSeconds}s${expecting ? ` expecting ${expecting}` : ""}`;
    const kind = tg.targetType === "instance" ? "instance" : "";
    const targets = `${tg.targets.length}${kind ? ` ${kind}` : ""} target${tg.targets.length === 1 ? "" : "s"}`;
    const version = tg.protocolVersion ? `/${tg.protocolVersion}` : "";
    const extras = [
      ...(tg.targetControlPort !== undefined ? [`target control port ${tg.targetControlPort}`] : []),
      ...(tg.multiCluster ? ["multi-cluster: only this cluster's targets managed"] : []),
    ];
    lines.push(
      `    target group ${tg.name} ${tg.protocol}${version}:${tg.port} ${tg.backend || "(sink for invalid backends)"} — ${[targets, health, ...extras].join(", ")}`,
    );
  }
  return lines;
}
