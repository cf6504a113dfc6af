/** Target registration executors: register and deregister targets of one target group. */
import { DeregisterTargetsCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetModel } from "../../../elb/model.ts";
import { call, type ExecutorTable, targetGroupArn, targetGroupOf } from "./context.ts";

function sameTarget(a: TargetModel, b: TargetModel): boolean {
  return a.id === b.id && a.port === b.port;
}

function sdkTargets(targets: readonly TargetModel[]) {
  return targets.map((t) => ({
    Id: t.id,
    Port: t.port,
    ...(t.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}),
    ...(t.quicServerId ? { QuicServerId: t.quicServerId } : {}),
  }));
}

export const targetExecutors: Pick<ExecutorTable, "RegisterTargets" | "DeregisterTargets"> = {
  async RegisterTargets(client, op, ctx) {
    const arn = targetGroupArn(ctx, op.op)(op.targetGroupId);
    await call(op.op, () =>
      client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: sdkTargets(op.targets) })),
    );
    const tg = targetGroupOf(ctx, op.targetGroupId);
    if (tg) tg.targets = [...tg.targets, ...op.targets.filter((t) => !tg.targets.some((x) => sameTarget(x, t)))];
  },

  async DeregisterTargets(client, op, ctx) {
    const arn = targetGroupArn(ctx, op.op)(op.targetGroupId);
    await call(op.op, () =>
      client.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: sdkTargets(op.targets) })),
    );
    const tg = targetGroupOf(ctx, op.targetGroupId);
    if (tg) tg.targets = tg.targets.filter((x) => !op.targets.some((t) => sameTarget(x, t)));
  },
};
