/** The resync function's settings, from its environment (set by the CDK stack). */
import { requiredSetting } from "../lib/settings.ts";
import type { ResyncSchedule } from "./schedule.ts";
import { checkSchedule } from "./schedule.ts";

export interface ResyncConfig {
  tableName: string;
  /** The cluster registry's table (the targets whose tags the owner lookup reads). @default tableName */
  registryTableName: string;
  /** The control plane's own account: the only one reached without a role. */
  controlPlaneAccount: string;
  reconcileQueueUrl: string;
  continuationQueueUrl: string;
  ownRoleArns: ReadonlySet<string>;
  schedule: ResyncSchedule;
  maxGatewaysPerInvocation: number;
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

export function resyncConfigFrom(env: Record<string, string | undefined>): ResyncConfig {
  return {
    tableName: requiredSetting(env, "SWITCHYARD_TABLE"),
    registryTableName: env.SWITCHYARD_REGISTRY_TABLE || requiredSetting(env, "SWITCHYARD_TABLE"),
    controlPlaneAccount: requiredSetting(env, "SWITCHYARD_CONTROL_PLANE_ACCOUNT"),
    reconcileQueueUrl: requiredSetting(env, "SWITCHYARD_RECONCILE_QUEUE_URL"),
    continuationQueueUrl: requiredSetting(env, "SWITCHYARD_RESYNC_CONTINUATION_QUEUE_URL"),
    ownRoleArns: new Set(
      (env.SWITCHYARD_OWN_ROLE_ARNS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
    schedule: checkSchedule({
      // @default 60 s ticks and a 10-tick (10 minute) drift-check period.
      tickMs: integer(env, "SWITCHYARD_RESYNC_TICK_SECONDS", 60) * 1000,
      periodTicks: integer(env, "SWITCHYARD_RESYNC_PERIOD_TICKS", 10),
      seed: env.SWITCHYARD_RESYNC_SEED ?? "switchyard",
    }),
    maxGatewaysPerInvocation: integer(env, "SWITCHYARD_RESYNC_MAX_GATEWAYS", 500),
  };
}
