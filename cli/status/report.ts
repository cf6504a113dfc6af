/**
 * `switchyard status`: one Gateway's state as an operator reads it, from what the control plane
 * keeps — the state record (what the last reconcile left: its resources, whether it finished, when
 * AWS was last read), the Gateway's conditions as the objects mirror holds them (what the last
 * reconcile reported, including its error), and, when asked, what a drift check finds now. Pure:
 * the command gathers the inputs.
 */
import type { ObservedElb } from "../../shared/elb/observed.ts";
import type { ElbOperation } from "../../shared/elb/operations.ts";
import type { ReconcileResult, StoredGatewayState } from "../../shared/store/state.ts";
import { describeOperation } from "../render/operations-text.ts";

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/**
 * What the last reconcile left, read from the record:
 * - `applied`: it finished and holds the desired model's hash;
 * - `incomplete`: it ended without applying everything (AWS refused a rule or an operation);
 * - `applying`: a reconcile holds the Gateway now (its AWS calls may land until `callsLandBy`);
 * - `interrupted`: one started and never wrote its result; the next reconcile re-discovers by tags.
 */
export type LastOutcome = "applied" | "incomplete" | "applying" | "interrupted" | "held";

export interface GatewayStatusReport {
  gateway: string;
  dataPlane: string;
  account: string;
  region: string;
  lastReconcile: {
    outcome: LastOutcome;
    /** Reconciles that took the Gateway's lease so far (the lease's fencing token). */
    reconciles: number;
    appliedHash?: string;
    startedAt?: string;
    callsLandBy?: string;
    /** The Programmed condition's last transition, as the mirror holds it. */
    programmedSince?: string;
    /**
     * When the last reconcile that wrote the record finished, and how (the record's
     * `lastReconcileAt`, `lastOutcome`, `lastError`). A reconcile with nothing to do writes nothing,
     * so this is the last one that applied, failed or re-read AWS; absent in records written before
     * switchyard recorded it.
     */
    finishedAt?: string;
    result?: ReconcileResult;
    error?: string;
  };
  resources: OwnedResources;
  /** The Gateway's conditions as last mirrored from the cluster; absent when the mirror has no such Gateway. */
  conditions?: Condition[];
  /**
   * The last error: an Accepted or Programmed condition that is False, as the mirror holds it; else
   * the error the last reconcile recorded (a failure the cluster has not been told of yet).
   */
  lastError?: string;
  drift: {
    /** When a reconcile last re-read the Gateway's resources from AWS. */
    lastCheck?: string;
    /** With --live: what a drift check finds now. */
    now?: { checkedAt: string; from: string; operations: string[]; replacement?: string };
  };
}

export interface OwnedResources {
  loadBalancer?: { arn: string; name: string; type: string; scheme: string; state?: string; dnsName?: string };
  listeners: { id: string; arn: string; rules: number }[];
  targetGroups: { id: string; arn: string; targets: number }[];
  securityGroups: string[];
  /** Load balancers tagged as the Gateway's that are not its current one. */
  strayLoadBalancers: string[];
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function ownedResources(applied: ObservedElb): OwnedResources {
  const lb = applied.loadBalancer;
  const groups = applied.securityGroups;
  return {
    ...(lb
      ? {
          loadBalancer: {
            arn: lb.arn,
            name: lb.name,
            type: lb.type,
            scheme: lb.scheme,
            ...(lb.state ? { state: lb.state } : {}),
            ...(lb.dnsName ? { dnsName: lb.dnsName } : {}),
          },
        }
      : {}),
    listeners: applied.listeners.map((l) => ({ id: l.id, arn: l.arn, rules: l.rules.length })),
    targetGroups: applied.targetGroups.map((t) => ({ id: t.id, arn: t.arn, targets: t.targets.length })),
    securityGroups: [groups?.frontend?.id, groups?.backend?.id].filter((id): id is string => id !== undefined),
    strayLoadBalancers: [...applied.strayLoadBalancers],
  };
}

export function lastOutcome(state: StoredGatewayState, now: number): LastOutcome {
  if (state.applying) {
    const landBy = state.applying.callsLandBy ?? state.applying.startedAt;
    return now <= landBy ? "applying" : "interrupted";
  }
  // A hold leaves the applied hash of the last accepted configuration: "applied" would hide it.
  if (state.lastReconcile?.outcome === "held") return "held";
  return state.appliedHash !== undefined ? "applied" : "incomplete";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The conditions of a mirrored Gateway object (`status.conditions`), each field checked. */
export function conditionsOf(gateway: unknown): Condition[] | undefined {
  if (!isRecord(gateway)) return undefined;
  const status = gateway.status;
  const list = isRecord(status) && Array.isArray(status.conditions) ? status.conditions : [];
  return list.filter(isRecord).map((c) => ({
    type: String(c.type),
    status: String(c.status),
    ...(typeof c.reason === "string" ? { reason: c.reason } : {}),
    ...(typeof c.message === "string" ? { message: c.message } : {}),
    ...(typeof c.lastTransitionTime === "string" ? { lastTransitionTime: c.lastTransitionTime } : {}),
    ...(typeof c.observedGeneration === "number" ? { observedGeneration: c.observedGeneration } : {}),
  }));
}

export interface LiveDrift {
  checkedAt: number;
  from: string;
  operations: readonly ElbOperation[];
  replacement?: string;
}

export function gatewayStatusReport(
  state: StoredGatewayState,
  inputs: { now: number; gateway?: unknown; drift?: LiveDrift },
): GatewayStatusReport {
  const conditions = conditionsOf(inputs.gateway);
  const programmed = conditions?.find((c) => c.type === "Programmed");
  const accepted = conditions?.find((c) => c.type === "Accepted");
  const failing = [programmed, accepted].find((c) => c !== undefined && c.status === "False" && c.message);
  const startedAt = iso(state.applying?.startedAt);
  const callsLandBy = iso(state.applying?.callsLandBy);
  const lastCheck = iso(state.lastDriftCheck);
  const recorded = state.lastReconcile;
  const conditionError = failing?.message ? `${failing.reason ?? failing.type}: ${failing.message}` : undefined;
  const lastError = conditionError ?? recorded?.error;
  return {
    gateway: state.gatewayKey,
    dataPlane: state.dataPlane,
    account: state.account,
    region: state.region,
    lastReconcile: {
      outcome: lastOutcome(state, inputs.now),
      reconciles: state.fencingToken,
      ...(state.appliedHash !== undefined ? { appliedHash: state.appliedHash } : {}),
      ...(startedAt ? { startedAt } : {}),
      ...(callsLandBy ? { callsLandBy } : {}),
      ...(programmed?.lastTransitionTime ? { programmedSince: programmed.lastTransitionTime } : {}),
      ...(recorded
        ? {
            finishedAt: new Date(recorded.at).toISOString(),
            result: recorded.outcome,
            ...(recorded.error ? { error: recorded.error } : {}),
          }
        : {}),
    },
    resources: ownedResources(state.applied),
    ...(conditions ? { conditions } : {}),
    ...(lastError ? { lastError } : {}),
    drift: {
      ...(lastCheck ? { lastCheck } : {}),
      ...(inputs.drift
        ? {
            now: {
              checkedAt: new Date(inputs.drift.checkedAt).toISOString(),
              from: inputs.drift.from,
              operations: inputs.drift.operations.map(describeOperation),
              ...(inputs.drift.replacement ? { replacement: inputs.drift.replacement } : {}),
            },
          }
        : {}),
    },
  };
}

const OUTCOME_TEXT: Record<LastOutcome, string> = {
  applied: "applied (AWS holds the desired model)",
  incomplete: "incomplete: AWS refused part of the last apply (see the last error); retried on the next reconcile",
  applying: "applying now",
  interrupted: "interrupted: a reconcile never wrote its result; the next one re-discovers by tags",
  held: "held: the Gateway's configuration is refused (see the last error); its resources keep serving the last accepted configuration, unchanged",
};

export function renderGatewayStatus(report: GatewayStatusReport): string {
  const lines = [`Gateway ${report.gateway} (${report.dataPlane}, account ${report.account}, ${report.region})`];
  const last = report.lastReconcile;
  lines.push(`  last reconcile: ${OUTCOME_TEXT[last.outcome]}; ${last.reconciles} reconcile(s) so far`);
  if (last.startedAt)
    lines.push(`    started ${last.startedAt}; its AWS calls may land until ${last.callsLandBy ?? "?"}`);
  if (last.result) {
    lines.push(`    last finished ${last.finishedAt ?? "?"}: ${last.result}${last.error ? `: ${last.error}` : ""}`);
  } else {
    lines.push("    last finished: not recorded (the record predates it, or no reconcile has finished)");
  }
  if (last.programmedSince) lines.push(`    Programmed since ${last.programmedSince}`);
  lines.push(
    `  last error: ${report.lastError ?? (report.conditions ? "none" : "unknown (the Gateway is not in the objects mirror)")}`,
  );
  const r = report.resources;
  lines.push("  owned AWS resources (state record):");
  if (r.loadBalancer) {
    const lb = r.loadBalancer;
    lines.push(
      `    load balancer ${lb.name} (${lb.type}, ${lb.scheme}, ${lb.state ?? "active"}) ${lb.dnsName ?? ""}`.trimEnd(),
    );
    lines.push(`      ${lb.arn}`);
  } else {
    lines.push("    no load balancer");
  }
  for (const l of r.listeners) lines.push(`    listener ${l.id}: ${l.rules} rule(s) ${l.arn}`);
  for (const t of r.targetGroups) lines.push(`    target group ${t.id}: ${t.targets} target(s) ${t.arn}`);
  if (r.securityGroups.length > 0) lines.push(`    security groups ${r.securityGroups.join(", ")}`);
  for (const arn of r.strayLoadBalancers) lines.push(`    stray load balancer (to delete) ${arn}`);
  if (report.conditions) {
    lines.push("  conditions (as mirrored from the cluster):");
    for (const c of report.conditions) {
      lines.push(
        `    ${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.lastTransitionTime ? ` since ${c.lastTransitionTime}` : ""}${c.message ? `: ${c.message}` : ""}`,
      );
    }
  }
  lines.push(`  drift: last checked ${report.drift.lastCheck ?? "never"}`);
  const now = report.drift.now;
  if (now) {
    if (now.operations.length === 0 && !now.replacement) lines.push(`    now (${now.checkedAt}): AWS matches`);
    else {
      lines.push(`    now (${now.checkedAt}): ${now.operations.length} operation(s) would repair AWS`);
      if (now.replacement) lines.push(`      ! the load balancer would be replaced: ${now.replacement}`);
      for (const op of now.operations) lines.push(`      - ${op}`);
    }
  } else {
    lines.push("    (--live re-reads AWS now, read-only)");
  }
  return `${lines.join("\n")}\n`;
}
