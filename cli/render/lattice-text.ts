/** Human-readable VPC Lattice model: the service network, each service with its listeners and rules, target groups. */
import type { LatticeBuild } from "../../shared/lattice/build.ts";
import type { LatticeAction, LatticeMatch, LatticeModel } from "../../shared/lattice/model.ts";

export function describeLatticeMatch(m: LatticeMatch): string {
  const parts: string[] = [];
  if (m.method) parts.push(`method ${m.method}`);
  if (m.path) parts.push(`path ${m.path.type} ${m.path.value}${m.path.caseSensitive ? "" : " (any case)"}`);
  for (const h of m.headers) parts.push(`header ${h.name} ${h.type} ${h.value}${h.caseSensitive ? "" : " (any case)"}`);
  return parts.join(" ∧ ") || "(everything)";
}

function describeAction(a: LatticeAction, model: LatticeModel): string {
  if (a.type === "fixed-response") return `respond ${a.statusCode}`;
  const total = a.targetGroups.reduce((s, t) => s + t.weight, 0);
  return `forward ${a.targetGroups
    .map((t) => {
      const owned = model.targetGroups.find((g) => g.id === t.targetGroupId);
      const label = owned
        ? owned.backend || "(invalid backends: 503)"
        : (model.targetGroupReferences.find((r) => r.id === t.targetGroupId)?.backend ?? t.targetGroupId);
      return `${label} ${total > 0 ? Math.round((t.weight / total) * 1000) / 10 : 0}%`;
    })
    .join(", ")}`;
}

export function renderLatticeText(build: LatticeBuild): string[] {
  const m = build.model;
  const sn = m.serviceNetwork;
  const ref = sn.ref.kind === "name" ? sn.ref.name : sn.ref.kind === "id" ? sn.ref.id : sn.ref.arn;
  const extras = [
    sn.vpcAssociation
      ? `VPC association${sn.vpcAssociation.securityGroupIds.length ? ` (${sn.vpcAssociation.securityGroupIds.join(", ")})` : ""}`
      : "",
    sn.auth ? "auth AWS_IAM" : "",
    ...sn.accessLogs.map((l) => `access logs → ${l.destinationArn}`),
  ].filter(Boolean);
  const lines = [
    `  AWS VPC Lattice service network ${ref} (${sn.lifecycle === "create" ? "created if missing" : "referenced"})${extras.length ? `: ${extras.join(", ")}` : ""}`,
  ];
  for (const s of m.services) {
    const domain = s.customDomainName ? ` ${s.customDomainName}` : " (generated DNS name)";
    const cert = s.certificateArn ? ` certificate ${s.certificateArn}` : "";
    const joined = s.associateWithServiceNetwork ? "" : " (standalone: not in the network)";
    const gatewayService = s.id === build.gatewayService?.serviceId;
    const what = gatewayService
      ? `Gateway service ${s.name} (generated DNS name: the Gateway's address) ← ${build.gatewayService?.merged.join(", ")}`
      : `service ${s.name}${domain}${cert}${s.auth ? " auth AWS_IAM" : ""}${joined} ← ${s.id}`;
    lines.push(`    ${what}`);
    for (const l of s.listeners) {
      lines.push(`      listener ${l.id}`);
      for (const r of l.rules) {
        lines.push(
          `        ${String(r.priority).padStart(3)}. ${describeLatticeMatch(r.match)} → ${describeAction(r.action, m)}`,
        );
      }
      lines.push(`        default → ${describeAction(l.defaultAction, m)}`);
    }
  }
  for (const key of m.serviceAssociations.filter((k) => !m.services.some((s) => s.id === k))) {
    lines.push(`    service of ${key} (built by its first Lattice parent) associated`);
  }
  for (const l of build.gatewayService?.leftOut ?? []) {
    lines.push(`    not in the Gateway service: ${l.route}: ${l.why}`);
  }
  for (const note of build.gatewayService?.notes ?? []) lines.push(`    note: ${note}`);
  for (const tg of m.targetGroups) {
    const version = tg.protocolVersion ? `/${tg.protocolVersion}` : "";
    const health = tg.healthCheck
      ? `, health ${tg.healthCheck.protocol} ${tg.healthCheck.path} every ${tg.healthCheck.intervalSeconds}s`
      : "";
    lines.push(
      `    target group ${tg.name} ${tg.protocol}${version}:${tg.port} ${tg.backend || "(sink for invalid backends)"} — ${tg.targets.length} target${tg.targets.length === 1 ? "" : "s"}${health}`,
    );
  }
  for (const r of m.targetGroupReferences) lines.push(`    target group ${r.arn ?? r.id} (referenced: ${r.backend})`);
  return lines;
}
