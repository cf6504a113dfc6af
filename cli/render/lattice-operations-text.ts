/** One line per planned VPC Lattice operation, in execution order: what `plan --diff --live` and `apply` print. */
import type { LatticeAction } from "../../shared/lattice/model.ts";
import { type ObservedLattice, SETTLING_STATES } from "../../shared/lattice/observed.ts";
import type { LatticeOperation, LatticePolicyTarget, LatticeTaggedResource } from "../../shared/lattice/operations.ts";
import { describeLatticeMatch } from "./lattice-text.ts";

function targetOf(target: LatticePolicyTarget): string {
  return target.kind === "service-network" ? "service network" : `service ${target.serviceId}`;
}

function resourceOf(resource: LatticeTaggedResource): string {
  switch (resource.kind) {
    case "listener":
      return `listener ${resource.serviceId} ${resource.listenerId}`;
    case "target-group":
      return `target group ${resource.targetGroupId}`;
    default:
      return targetOf(resource);
  }
}

/** Target group model ids → their Lattice names, to print a group by the name AWS shows. */
export type GroupNames = ReadonlyMap<string, string>;

/** The groups a unit's desired model and observed state name, by model id. */
export function groupNamesOf(
  ...sources: ({ targetGroups: readonly { id: string; name: string }[] } | undefined)[]
): GroupNames {
  return new Map(sources.flatMap((s) => (s?.targetGroups ?? []).map((g): [string, string] => [g.id, g.name])));
}

/** Target groups by name when known, else as the operation names them (model id or ARN). */
function describeAction(action: LatticeAction, names: GroupNames): string {
  if (action.type === "fixed-response") return `respond ${action.statusCode}`;
  const total = action.targetGroups.reduce((sum, t) => sum + t.weight, 0);
  return `forward ${action.targetGroups
    .map(
      (t) =>
        `${names.get(t.targetGroupId) ?? t.targetGroupId} ${total > 0 ? Math.round((t.weight / total) * 1000) / 10 : 0}%`,
    )
    .join(", ")}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function describeLatticeOperation(op: LatticeOperation, names: GroupNames = new Map()): string {
  const group = (id: string) => names.get(id) ?? id;
  switch (op.op) {
    case "FindServiceNetwork": {
      const ref = op.ref.kind === "name" ? op.ref.name : op.ref.kind === "id" ? op.ref.id : op.ref.arn;
      return `? service network ${ref} (${op.create ? "found by name, created if missing" : "found; never created"})`;
    }
    case "CreateVpcAssociation":
      return `+ VPC association of the service network${op.securityGroupIds.length ? ` (${op.securityGroupIds.join(", ")})` : ""}`;
    case "UpdateVpcAssociation":
      return `~ VPC association ${op.arn}: security groups ${op.securityGroupIds.join(", ") || "(none)"}`;
    case "DeleteVpcAssociation":
      return `- VPC association ${op.arn}`;
    case "DeleteServiceNetwork":
      return `- service network ${op.arn} (created by switchyard for this Gateway)`;
    case "CreateTargetGroup": {
      const version = op.protocolVersion ? `/${op.protocolVersion}` : "";
      const health = op.healthCheck ? `, health ${op.healthCheck.protocol} ${op.healthCheck.path}` : "";
      return `+ target group ${op.name} (${op.protocol}${version}:${op.port}${health})`;
    }
    case "UpdateTargetGroup":
      return `~ target group ${group(op.targetGroupId)}: health check`;
    case "DeleteTargetGroup":
      return `- target group ${group(op.targetGroupId)}`;
    case "RegisterTargets":
      return `+ ${count(op.targets.length, "target")} in ${group(op.targetGroupId)}`;
    case "DeregisterTargets":
      return `- ${count(op.targets.length, "target")} from ${group(op.targetGroupId)} (connections drain)`;
    case "CreateService": {
      const domain = op.customDomainName ? ` ${op.customDomainName}` : "";
      return `+ service ${op.name}${domain}${op.authType ? " auth AWS_IAM" : ""} ← ${op.serviceId}`;
    }
    case "UpdateService":
      return `~ service ${op.serviceId}: certificate ${op.certificateArn}`;
    case "DeleteService":
      return `- service ${op.serviceId}${op.reason ? ` (${op.reason})` : ""}`;
    case "CreateListener":
      return `+ listener ${op.serviceId} ${op.listenerId} (default → ${describeAction(op.defaultAction, names)})`;
    case "UpdateListener":
      return `~ listener ${op.serviceId} ${op.listenerId}: default → ${describeAction(op.defaultAction, names)}`;
    case "DeleteListener":
      return `- listener ${op.serviceId} ${op.listenerId}`;
    case "CreateRule":
      return `+ rule ${op.ruleId} on ${op.serviceId} ${op.listenerId}: ${String(op.priority)}. ${describeLatticeMatch(op.match)} → ${describeAction(op.action, names)}`;
    case "UpdateRules":
      return `~ ${count(op.updates.length, "rule")} on ${op.serviceId} ${op.listenerId}: ${op.updates
        .map((u) => {
          const changed = [
            u.priority !== undefined ? `priority ${u.priority}` : "",
            u.match ? describeLatticeMatch(u.match) : "",
            u.action ? `→ ${describeAction(u.action, names)}` : "",
          ].filter(Boolean);
          return `${u.ruleId} (${changed.join(" ")})`;
        })
        .join(", ")}`;
    case "DeleteRule":
      return `- rule ${op.ruleId} on ${op.serviceId} ${op.listenerId}`;
    case "CreateServiceAssociation":
      return `+ association of service ${op.serviceName ?? op.serviceId} with the service network`;
    case "DeleteServiceAssociation":
      return `- association of service ${op.serviceId} with the service network`;
    case "UpdateAuthType":
      return `~ ${targetOf(op.target)}: auth type ${op.authType}`;
    case "PutAuthPolicy":
      return `~ ${targetOf(op.target)}: auth policy of ${op.source}`;
    case "DeleteAuthPolicy":
      return `- ${targetOf(op.target)}: auth policy`;
    case "CreateAccessLogSubscription":
      return `+ ${targetOf(op.target)}: access logs → ${op.destinationArn} (${op.source})`;
    case "UpdateAccessLogSubscription":
      return `~ ${targetOf(op.target)}: access logs → ${op.destinationArn}`;
    case "DeleteAccessLogSubscription":
      return `- ${targetOf(op.target)}: access log subscription ${op.arn}`;
    case "TagResource":
      return `~ ${resourceOf(op.resource)}: tags ${Object.keys(op.tags).join(", ")}`;
    case "UntagResource":
      return `~ ${resourceOf(op.resource)}: remove tags ${op.tagKeys.join(", ")}`;
  }
}

/** What VPC Lattice is still creating, updating or deleting in `observed`, one entry per resource. */
export function describeLatticeSettling(observed: ObservedLattice): string[] {
  const settling = (status: string | undefined): status is string =>
    status !== undefined && SETTLING_STATES.has(status);
  return [
    ...observed.services.filter((s) => settling(s.status)).map((s) => `service ${s.name} (${s.status})`),
    ...observed.targetGroups.filter((t) => settling(t.status)).map((t) => `target group ${t.name} (${t.status})`),
    ...observed.serviceAssociations
      .filter((a) => settling(a.status))
      .map((a) => `association of ${a.serviceId} (${a.status})`),
    ...(settling(observed.vpcAssociation?.status) ? [`VPC association (${observed.vpcAssociation?.status})`] : []),
  ];
}
