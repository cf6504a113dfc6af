/**
 * A pure simulation of the VPC Lattice operations of a plan: what exists after each, with
 * deterministic ARNs, everything ACTIVE at once. The planner goldens and unit tests apply plans
 * with it to show what a plan leaves and that a plan converges (planning again finds nothing to do).
 * It enforces what the planner must respect: rule priorities unique per listener, BatchUpdateRule
 * judged on the end state, nothing deleted that something still forwards to.
 */
import { matchDigest } from "../lattice/digest.ts";
import type { LatticeModel } from "../lattice/model.ts";
import {
  emptyObservedLattice,
  type ObservedLattice,
  type ObservedListener,
  type ObservedPolicies,
  type ObservedService,
} from "../lattice/observed.ts";
import type { LatticeOperation, LatticePolicyTarget } from "../lattice/operations.ts";
import { planLattice } from "../lattice/plan.ts";
import { recordedAuthPolicy } from "../lattice/plan-policies.ts";

const ARN = "arn:aws:vpc-lattice:sim:000000000000";

export class SimulatedLatticeError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = "SimulatedLatticeError";
    this.code = code;
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

function service(state: ObservedLattice, id: string): ObservedService {
  const found = state.services.find((s) => s.id === id);
  if (!found) throw new SimulatedLatticeError("ResourceNotFound", `service ${id}`);
  return found;
}

function listener(state: ObservedLattice, serviceId: string, listenerId: string): ObservedListener {
  const found = service(state, serviceId).listeners.find((l) => l.id === listenerId);
  if (!found) throw new SimulatedLatticeError("ResourceNotFound", `listener ${serviceId} ${listenerId}`);
  return found;
}

function replaceListener(state: ObservedLattice, serviceId: string, next: ObservedListener): ObservedLattice {
  return {
    ...state,
    services: state.services.map((s) =>
      s.id === serviceId ? { ...s, listeners: s.listeners.map((l) => (l.id === next.id ? next : l)) } : s,
    ),
  };
}

function forwardsTo(state: ObservedLattice, targetGroupId: string): boolean {
  return state.services.some((s) =>
    s.listeners.some((l) =>
      [l.defaultAction, ...l.rules.map((r) => r.action)].some(
        (a) => a.type === "forward" && a.targetGroups.some((t) => t.targetGroupId === targetGroupId),
      ),
    ),
  );
}

function checkPriorities(rules: readonly { id: string; priority: number }[]): void {
  const seen = new Map<number, string>();
  for (const r of rules) {
    const holder = seen.get(r.priority);
    if (holder) throw new SimulatedLatticeError("Conflict", `priority ${r.priority} held by ${holder} and ${r.id}`);
    seen.set(r.priority, r.id);
  }
}

const key = (t: { id: string; port: number }) => `${t.id}:${t.port}`;

/** The auth and access log fields of one service or the network, changed (undefined drops a field). */
function withPolicies(
  state: ObservedLattice,
  target: LatticePolicyTarget,
  change: (current: ObservedPolicies) => ObservedPolicies,
): ObservedLattice {
  const merged = <T extends ObservedPolicies>(resource: T): T => {
    const next = { ...resource, ...change(resource) } as Record<string, unknown>;
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    return next as unknown as T;
  };
  if (target.kind === "service-network") {
    if (!state.serviceNetwork) throw new SimulatedLatticeError("ResourceNotFound", "service network");
    return { ...state, serviceNetwork: merged(state.serviceNetwork) };
  }
  const s = service(state, target.serviceId);
  return { ...state, services: state.services.map((x) => (x === s ? merged(x) : x)) };
}

export function simulateLattice(state: ObservedLattice, op: LatticeOperation): ObservedLattice {
  switch (op.op) {
    case "FindServiceNetwork": {
      const name = op.ref.kind === "name" ? op.ref.name : op.ref.kind === "id" ? op.ref.id : op.ref.arn;
      const id = op.ref.kind === "id" ? op.ref.id : `sn-${slug(name)}`;
      return {
        ...state,
        serviceNetwork: { arn: `${ARN}:servicenetwork/${id}`, id, name, created: op.create },
      };
    }
    case "DeleteServiceNetwork": {
      const { serviceNetwork: _gone, ...rest } = state;
      return rest;
    }
    case "CreateVpcAssociation":
      return {
        ...state,
        vpcAssociation: {
          arn: `${ARN}:servicenetworkvpcassociation/snva-sim`,
          id: "snva-sim",
          vpcId: "vpc-sim",
          securityGroupIds: op.securityGroupIds,
          status: "ACTIVE",
          owned: true,
        },
      };
    case "UpdateVpcAssociation":
      return state.vpcAssociation
        ? { ...state, vpcAssociation: { ...state.vpcAssociation, securityGroupIds: op.securityGroupIds } }
        : state;
    case "DeleteVpcAssociation": {
      const { vpcAssociation: _gone, ...rest } = state;
      return rest;
    }
    case "CreateTargetGroup":
      return {
        ...state,
        targetGroups: [
          ...state.targetGroups,
          {
            id: op.targetGroupId,
            arn: `${ARN}:targetgroup/tg-${slug(op.name)}`,
            name: op.name,
            protocol: op.protocol,
            ...(op.protocolVersion ? { protocolVersion: op.protocolVersion } : {}),
            port: op.port,
            ...(op.healthCheck ? { healthCheck: op.healthCheck } : {}),
            status: "ACTIVE",
            targets: [],
          },
        ],
      };
    case "UpdateTargetGroup":
      return {
        ...state,
        targetGroups: state.targetGroups.map((t) =>
          t.id === op.targetGroupId ? { ...t, healthCheck: op.healthCheck } : t,
        ),
      };
    case "DeleteTargetGroup":
      if (forwardsTo(state, op.targetGroupId)) {
        throw new SimulatedLatticeError("Conflict", `target group ${op.targetGroupId} is still forwarded to`);
      }
      return { ...state, targetGroups: state.targetGroups.filter((t) => t.arn !== op.arn) };
    case "RegisterTargets":
    case "DeregisterTargets": {
      const keys = new Set(op.targets.map(key));
      return {
        ...state,
        targetGroups: state.targetGroups.map((t) =>
          t.id !== op.targetGroupId
            ? t
            : {
                ...t,
                targets:
                  op.op === "RegisterTargets"
                    ? [...t.targets.filter((x) => !keys.has(key(x))), ...op.targets]
                    : t.targets.filter((x) => !keys.has(key(x))),
              },
        ),
      };
    }
    case "CreateService": {
      if (state.services.some((s) => s.name === op.name)) {
        throw new SimulatedLatticeError("Conflict", `a service named ${op.name} exists`);
      }
      const generation = state.services.length + 1;
      return {
        ...state,
        services: [
          ...state.services,
          {
            id: op.serviceId,
            arn: `${ARN}:service/svc-${op.name}`,
            name: op.name,
            ...(op.customDomainName ? { customDomainName: op.customDomainName } : {}),
            ...(op.certificateArn ? { certificateArn: op.certificateArn } : {}),
            ...(op.authType ? { authType: op.authType } : {}),
            dnsName: `${op.name}-${String(generation).padStart(17, "0")}.sim.vpc-lattice-svcs.sim.on.aws`,
            status: "ACTIVE",
            listeners: [],
          },
        ],
      };
    }
    case "UpdateService":
      return {
        ...state,
        services: state.services.map((s) => (s.id === op.serviceId ? { ...s, certificateArn: op.certificateArn } : s)),
      };
    case "DeleteService":
      if (state.serviceAssociations.some((a) => a.serviceId === op.serviceId)) {
        throw new SimulatedLatticeError("Conflict", `service ${op.serviceId} is still associated`);
      }
      return { ...state, services: state.services.filter((s) => s.arn !== op.arn) };
    case "CreateListener": {
      const s = service(state, op.serviceId);
      return {
        ...state,
        services: state.services.map((x) =>
          x !== s
            ? x
            : {
                ...x,
                listeners: [
                  ...x.listeners,
                  {
                    id: op.listenerId,
                    arn: `${s.arn}/listener/${slug(op.listenerId)}`,
                    name: op.name,
                    protocol: op.protocol,
                    port: op.port,
                    defaultAction: op.defaultAction,
                    rules: [],
                  },
                ],
              },
        ),
      };
    }
    case "UpdateListener": {
      const l = listener(state, op.serviceId, op.listenerId);
      return replaceListener(state, op.serviceId, { ...l, defaultAction: op.defaultAction });
    }
    case "DeleteListener":
      return {
        ...state,
        services: state.services.map((s) =>
          s.id === op.serviceId ? { ...s, listeners: s.listeners.filter((l) => l.arn !== op.arn) } : s,
        ),
      };
    case "CreateRule": {
      const l = listener(state, op.serviceId, op.listenerId);
      if (l.rules.some((r) => r.id === op.ruleId))
        throw new SimulatedLatticeError("Conflict", `rule ${op.ruleId} exists`);
      const rules = [
        ...l.rules,
        {
          id: op.ruleId,
          arn: `${l.arn}/rule/${op.ruleId}`,
          priority: op.priority,
          matchDigest: matchDigest(op.match),
          action: op.action,
        },
      ];
      checkPriorities(rules);
      return replaceListener(state, op.serviceId, { ...l, rules });
    }
    case "UpdateRules": {
      const l = listener(state, op.serviceId, op.listenerId);
      const updates = new Map(op.updates.map((u) => [u.ruleId, u]));
      for (const id of updates.keys()) {
        if (!l.rules.some((r) => r.id === id)) throw new SimulatedLatticeError("ResourceNotFound", `rule ${id}`);
      }
      const rules = l.rules.map((r) => {
        const u = updates.get(r.id);
        return u
          ? {
              ...r,
              ...(u.priority !== undefined ? { priority: u.priority } : {}),
              ...(u.match ? { matchDigest: matchDigest(u.match) } : {}),
              ...(u.action ? { action: u.action } : {}),
            }
          : r;
      });
      // Lattice judges a batch's priorities on the state after it (QUIRKS VL10).
      checkPriorities(rules);
      return replaceListener(state, op.serviceId, { ...l, rules });
    }
    case "DeleteRule": {
      const l = listener(state, op.serviceId, op.listenerId);
      return replaceListener(state, op.serviceId, { ...l, rules: l.rules.filter((r) => r.arn !== op.arn) });
    }
    case "CreateServiceAssociation":
      if (!state.serviceNetwork) throw new SimulatedLatticeError("Validation", "no service network");
      return {
        ...state,
        serviceAssociations: [
          ...state.serviceAssociations,
          {
            serviceId: op.serviceId,
            arn: `${ARN}:servicenetworkserviceassociation/snsa-${slug(op.serviceId)}`,
            status: "ACTIVE",
            owned: true,
            ...(op.serviceName !== undefined
              ? {
                  sharedService: {
                    name: op.serviceName,
                    ...(op.customDomainName ? { customDomainName: op.customDomainName } : {}),
                  },
                }
              : {}),
          },
        ],
      };
    case "DeleteServiceAssociation":
      return { ...state, serviceAssociations: state.serviceAssociations.filter((a) => a.arn !== op.arn) };
    case "UpdateAuthType":
      return withPolicies(state, op.target, (p) => ({ ...p, authType: op.authType }));
    case "PutAuthPolicy":
      return withPolicies(state, op.target, (p) => ({ ...p, authPolicy: recordedAuthPolicy(op.policy) }));
    case "DeleteAuthPolicy":
      return withPolicies(state, op.target, (p) => ({ ...p, authPolicy: undefined }));
    case "CreateAccessLogSubscription":
      return withPolicies(state, op.target, (p) => ({
        ...p,
        accessLogs: [
          ...(p.accessLogs ?? []),
          { arn: `${ARN}:accesslogsubscription/als-${slug(op.destinationArn)}`, destinationArn: op.destinationArn },
        ],
      }));
    case "UpdateAccessLogSubscription":
      return withPolicies(state, op.target, (p) => ({
        ...p,
        accessLogs: (p.accessLogs ?? []).map((l) =>
          l.arn === op.arn ? { ...l, destinationArn: op.destinationArn } : l,
        ),
      }));
    case "DeleteAccessLogSubscription":
      return withPolicies(state, op.target, (p) => ({
        ...p,
        accessLogs: (p.accessLogs ?? []).filter((l) => l.arn !== op.arn),
      }));
    // Tags are not simulated: the planner diffs only tags a record knows, and these records know none.
    case "TagResource":
    case "UntagResource":
      return state;
  }
}

/**
 * What Lattice holds once the plans toward `desired` have run from `from`: a plan that leaves work
 * `pending` (the targets of a group it created, taken once the group is ACTIVE) is followed by the
 * next one, at most `passes` plans in all.
 */
export function convergeLattice(
  desired: LatticeModel | undefined,
  from: ObservedLattice = emptyObservedLattice(),
  passes = 3,
): ObservedLattice {
  let state = from;
  for (let pass = 0; pass < passes; pass++) {
    const plan = planLattice(desired, state);
    for (const op of plan.operations) state = simulateLattice(state, op);
    if (!plan.pending) break;
  }
  return state;
}
