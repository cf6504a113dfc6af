/** Target group executors: create (ownership-checked), modify health check and attributes, delete. */
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroupIpAddressTypeEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { Answer } from "../response.ts";
import { toSdkAttributes, toSdkHealthCheck, toSdkTags } from "../translate.ts";
import { call, type ExecutorTable, targetGroupArn, targetGroupOf, vpcId } from "./context.ts";
import { assertOwned, namedCollision, withOwnership } from "./tags.ts";

export const targetGroupExecutors: Pick<
  ExecutorTable,
  "CreateTargetGroup" | "ModifyTargetGroup" | "ModifyTargetGroupAttributes" | "DeleteTargetGroup"
> = {
  async CreateTargetGroup(client, op, ctx, deps) {
    const name = op.op;
    const tg = op.targetGroup;
    const vpc = await vpcId(ctx, deps, name);
    const httpLike = tg.protocol === "HTTP" || tg.protocol === "HTTPS";
    const response = await call(name, () =>
      client.send(
        new CreateTargetGroupCommand({
          Name: tg.name,
          Protocol: tg.protocol,
          ...(httpLike && tg.protocolVersion ? { ProtocolVersion: tg.protocolVersion } : {}),
          Port: tg.port,
          VpcId: vpc,
          TargetType: tg.targetType,
          IpAddressType: tg.ipAddressType satisfies TargetGroupIpAddressTypeEnum,
          ...(tg.targetControlPort !== undefined ? { TargetControlPort: tg.targetControlPort } : {}),
          ...toSdkHealthCheck(tg.healthCheck),
          Tags: toSdkTags(withOwnership(tg.tags, ctx.owner, `target-group:${tg.id}`)),
        }),
      ),
    ).catch((error: unknown) => {
      throw namedCollision(error, `target group ${tg.name}`, ctx.owner);
    });
    const created = response?.TargetGroups?.[0] ?? {};
    const arn = new Answer(name, `target group ${tg.name}`).string("TargetGroupArn", created.TargetGroupArn);
    await assertOwned(client, name, arn, ctx.owner, `target group ${tg.name}`);
    ctx.targetGroupArns[tg.id] = arn;
    const state = ctx.observed;
    // A replaced group (same id, new immutable fields) stays listed under its own ARN until
    // DeleteTargetGroup removes it; the new one comes last and is the one the id resolves to.
    state.targetGroups = state.targetGroups.filter((x) => x.arn !== arn);
    state.targetGroups.push({
      id: tg.id,
      arn,
      name: created.TargetGroupName ?? tg.name,
      protocol: tg.protocol,
      // AWS reports HTTP1 for an HTTP group created without a protocol version.
      ...(created.ProtocolVersion || (httpLike && tg.protocolVersion)
        ? { protocolVersion: created.ProtocolVersion ?? tg.protocolVersion }
        : {}),
      port: tg.port,
      targetType: tg.targetType,
      ...(tg.targetControlPort !== undefined ? { targetControlPort: tg.targetControlPort } : {}),
      ...(tg.multiCluster ? { multiCluster: true } : {}),
      healthCheck: tg.healthCheck,
      // Attributes are AWS defaults until ModifyTargetGroupAttributes sets the model's.
      attributes: {},
      targets: [],
    });
  },

  async ModifyTargetGroup(client, op, ctx) {
    const arn = targetGroupArn(ctx, op.op)(op.targetGroupId);
    await call(op.op, () =>
      client.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...toSdkHealthCheck(op.healthCheck) })),
    );
    const tg = targetGroupOf(ctx, op.targetGroupId);
    if (tg) tg.healthCheck = op.healthCheck;
  },

  async ModifyTargetGroupAttributes(client, op, ctx) {
    const arn = targetGroupArn(ctx, op.op)(op.targetGroupId);
    await call(op.op, () =>
      client.send(
        new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: toSdkAttributes(op.attributes) }),
      ),
    );
    const tg = targetGroupOf(ctx, op.targetGroupId);
    if (tg) tg.attributes = { ...tg.attributes, ...op.attributes };
  },

  async DeleteTargetGroup(client, op, ctx) {
    // ResourceInUse right after the listener or load balancer that used the group was deleted
    // is classified retryable: ELBv2 releases the reference asynchronously.
    await call(op.op, () => client.send(new DeleteTargetGroupCommand({ TargetGroupArn: op.arn })), true);
    const state = ctx.observed;
    state.targetGroups = state.targetGroups.filter((tg) => tg.arn !== op.arn);
    if (ctx.targetGroupArns[op.targetGroupId] === op.arn) {
      const next = state.targetGroups.find((tg) => tg.id === op.targetGroupId);
      if (next) ctx.targetGroupArns[op.targetGroupId] = next.arn;
      else delete ctx.targetGroupArns[op.targetGroupId];
    }
  },
};
