/**
 * The bundled CDK app: a control-plane stack, a target-account stack and one registered cluster,
 * all from context (infra/cdk.json holds placeholders; pass yours with `-c`). cdk-nag's AwsSolutions
 * pack runs on every synth, and a finding nobody acknowledged fails it.
 *
 *   cdk synth -c switchyard:controlPlaneAccount=111111111111 -c switchyard:targetAccount=222222222222 \
 *     -c switchyard:externalId=... -c switchyard:clusterId=prod-a -c switchyard:eksClusterName=prod-a \
 *     -c switchyard:vpcId=vpc-0123456789abcdef0
 *
 * Optional: `-c switchyard:acceptAwsControllerNames=true` (the ControlPlane prop of that name).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { StatusMode } from "../shared/registry/cluster.ts";
import { ControlPlane, type Stage } from "./control-plane.ts";
import type { HandlerCode } from "./handler-code.ts";
import { DEFAULT_NAME } from "./names.ts";
import { RegisteredCluster } from "./registered-cluster.ts";
import { TargetAccount } from "./target-account.ts";

export interface SwitchyardApp {
  controlPlaneStack: Stack;
  targetStack: Stack;
  controlPlane: ControlPlane;
  targetAccount: TargetAccount;
  cluster: RegisteredCluster;
}

function context(app: App, key: string, fallback?: string): string {
  const value: unknown = app.node.tryGetContext(`switchyard:${key}`);
  if (value === undefined || value === "") {
    if (fallback !== undefined) return fallback;
    throw new Error(`context switchyard:${key} is required (cdk synth -c switchyard:${key}=...)`);
  }
  return String(value);
}

/** The app's stacks on `app`; `code` replaces the esbuild bundles (tests of the wiring). */
export function switchyardApp(app: App, options: { code?: HandlerCode } = {}): SwitchyardApp {
  const name = context(app, "name", DEFAULT_NAME);
  const region = context(app, "region");
  const controlPlaneAccount = context(app, "controlPlaneAccount");
  const targetAccountId = context(app, "targetAccount", controlPlaneAccount);
  const controlPlaneStack = new Stack(app, `${name}-control-plane`, {
    env: { account: controlPlaneAccount, region },
    description: "switchyard control plane: queues, table, functions, schedule, dashboard, alarms",
  });
  const controlPlane = new ControlPlane(controlPlaneStack, "ControlPlane", {
    name,
    stage: context(app, "stage", "production") as Stage,
    acceptAwsControllerNames: context(app, "acceptAwsControllerNames", "false") === "true",
    ...(options.code ? { code: options.code } : {}),
  });
  const targetStack = new Stack(app, `${name}-target-${targetAccountId}`, {
    env: { account: targetAccountId, region },
    description: "switchyard target account: the reconcile role, and the registered cluster",
  });
  targetStack.addStackDependency(controlPlaneStack);
  const vpcId = context(app, "vpcId");
  const eksClusterName = context(app, "eksClusterName");
  const targetAccount = new TargetAccount(targetStack, "TargetAccount", {
    controlPlane,
    externalId: context(app, "externalId"),
    vpcIds: [vpcId],
    eksClusterNames: [eksClusterName],
  });
  const cluster = new RegisteredCluster(targetStack, "Cluster", {
    controlPlane,
    targetAccount,
    clusterId: context(app, "clusterId"),
    eksClusterName,
    vpcId,
    statusMode: context(app, "statusMode", "direct") as StatusMode,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { controlPlaneStack, targetStack, controlPlane, targetAccount, cluster };
}

if (import.meta.main) {
  // Run by the CDK CLI, the context comes in CDK_CONTEXT_JSON; run directly (`npm run cdk:synth`),
  // cdk.json's placeholders stand in.
  const defaults = process.env.CDK_CONTEXT_JSON
    ? {}
    : (JSON.parse(readFileSync(join(import.meta.dirname, "cdk.json"), "utf8")) as { context: Record<string, string> })
        .context;
  const app = new App({ context: defaults });
  switchyardApp(app);
  app.synth();
}
