/** Load balancer add-on executors of ELBv2: the IPAM pool and the capacity reservation. */
import { ModifyCapacityReservationCommand, ModifyIpPoolsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { call, type ExecutorTable, loadBalancerArn } from "./context.ts";

export const loadBalancerAddOnExecutors: Pick<ExecutorTable, "ModifyIpPools" | "ModifyCapacityReservation"> = {
  async ModifyIpPools(client, op, ctx) {
    const arn = loadBalancerArn(ctx, op.op);
    const pool = op.ipv4IpamPool;
    await call(op.op, () =>
      client.send(
        new ModifyIpPoolsCommand(
          pool
            ? { LoadBalancerArn: arn, IpamPools: { Ipv4IpamPoolId: pool } }
            : { LoadBalancerArn: arn, RemoveIpamPools: ["ipv4"] },
        ),
      ),
    );
    const lb = ctx.observed.loadBalancer;
    if (!lb) return;
    if (pool) lb.ipv4IpamPool = pool;
    else delete lb.ipv4IpamPool;
  },

  async ModifyCapacityReservation(client, op, ctx) {
    const arn = loadBalancerArn(ctx, op.op);
    const units = op.minimumCapacityUnits;
    await call(op.op, () =>
      client.send(
        new ModifyCapacityReservationCommand(
          units !== undefined
            ? { LoadBalancerArn: arn, MinimumLoadBalancerCapacity: { CapacityUnits: units } }
            : { LoadBalancerArn: arn, ResetCapacityReservation: true },
        ),
      ),
    );
    const lb = ctx.observed.loadBalancer;
    if (!lb) return;
    if (units !== undefined) lb.minimumCapacityUnits = units;
    else delete lb.minimumCapacityUnits;
  },
};
