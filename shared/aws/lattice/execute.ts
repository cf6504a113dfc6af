/**
 * One Lattice operation against what exists so far: the call (or calls, for a find or an adoption)
 * and what exists afterwards, in the model's terms. Nothing here waits: a resource Lattice is still
 * creating is recorded in the state it answered with, and re-read on the next reconcile.
 */
import {
  BatchUpdateRuleCommand,
  CreateAccessLogSubscriptionCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  CreateTargetGroupCommand,
  DeleteAccessLogSubscriptionCommand,
  DeleteAuthPolicyCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteServiceNetworkVpcAssociationCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  GetServiceNetworkCommand,
  GetTargetGroupCommand,
  ListAccessLogSubscriptionsCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  PutAuthPolicyCommand,
  RegisterTargetsCommand,
  type RuleUpdate,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccessLogSubscriptionCommand,
  UpdateListenerCommand,
  UpdateServiceCommand,
  UpdateServiceNetworkCommand,
  UpdateServiceNetworkVpcAssociationCommand,
  UpdateTargetGroupCommand,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { matchDigest } from "../../lattice/digest.ts";
import type { LatticeAction } from "../../lattice/model.ts";
import type { ObservedLattice, ObservedListener, ObservedPolicies, ObservedService } from "../../lattice/observed.ts";
import type { LatticeOperation, LatticePolicyTarget, LatticeTaggedResource } from "../../lattice/operations.ts";
import { destinationType, recordedAuthPolicy } from "../../lattice/plan-policies.ts";
import { LatticeOperationError } from "../../reconcile/lattice-plane.ts";
import { isConflict, isNotFound, latticeError } from "./errors.ts";
import { type LatticeOwner, ownedRole, serviceOf } from "./observe.ts";
import {
  fromRuleAction,
  fromRuleMatch,
  idOfArn,
  toHealthCheck,
  toRuleAction,
  toRuleMatch,
  UnresolvedTargetGroup,
} from "./shapes.ts";

export interface LatticeExecutionContext {
  client: VPCLatticeClient;
  owner: LatticeOwner;
  /** The target account: a name found in it is preferred over a network shared from another. */
  account: string;
  /** The cluster's VPC (from the registry): target groups and the network's VPC association. */
  vpcId?: string;
}

function terminal(
  op: LatticeOperation,
  code: string,
  message: string,
  observed: ObservedLattice,
): LatticeOperationError {
  return new LatticeOperationError("terminal", code, op.op, message, observed);
}

function serviceOfOp(current: ObservedLattice, serviceId: string): ObservedService | undefined {
  return current.services.find((s) => s.id === serviceId);
}

function withService(current: ObservedLattice, service: ObservedService): ObservedLattice {
  const others = current.services.filter((s) => s.id !== service.id);
  return { ...current, services: [...others, service].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

function withListener(current: ObservedLattice, serviceId: string, listener: ObservedListener): ObservedLattice {
  const service = serviceOfOp(current, serviceId);
  if (!service) return current;
  const listeners = [...service.listeners.filter((l) => l.id !== listener.id), listener].sort((a, b) =>
    a.id < b.id ? -1 : 1,
  );
  return withService(current, { ...service, listeners });
}

function listenerOf(current: ObservedLattice, serviceId: string, listenerId: string): ObservedListener | undefined {
  return serviceOfOp(current, serviceId)?.listeners.find((l) => l.id === listenerId);
}

function targetKey(t: { id: string; port: number }): string {
  return `${t.id}:${t.port}`;
}

export async function executeLattice(
  op: LatticeOperation,
  current: ObservedLattice,
  ctx: LatticeExecutionContext,
): Promise<ObservedLattice> {
  try {
    return await run(op, current, ctx);
  } catch (error) {
    if (error instanceof LatticeOperationError) throw error;
    if (error instanceof UnresolvedTargetGroup) {
      throw terminal(op, "TargetGroupNotFound", error.message, current);
    }
    throw latticeError(error, op.op, current);
  }
}

async function run(
  op: LatticeOperation,
  current: ObservedLattice,
  ctx: LatticeExecutionContext,
): Promise<ObservedLattice> {
  const { client } = ctx;
  switch (op.op) {
    case "FindServiceNetwork":
      return { ...current, serviceNetwork: await findServiceNetwork(op, current, ctx) };

    case "DeleteServiceNetwork": {
      try {
        await client.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: op.arn }));
      } catch (error) {
        // Still associated with someone else's services or VPCs: it stays, and is no longer ours to track.
        if (!isConflict(error) && !isNotFound(error)) throw error;
      }
      const { serviceNetwork: _gone, ...rest } = current;
      return rest;
    }

    case "CreateVpcAssociation": {
      const network = current.serviceNetwork;
      if (!network)
        throw terminal(op, "ServiceNetworkNotFound", "no service network to associate the VPC with", current);
      if (!ctx.vpcId) throw terminal(op, "VpcUnknown", "the cluster registry names no VPC for this cluster", current);
      try {
        const created = await client.send(
          new CreateServiceNetworkVpcAssociationCommand({
            serviceNetworkIdentifier: network.arn,
            vpcIdentifier: ctx.vpcId,
            ...(op.securityGroupIds.length > 0 ? { securityGroupIds: op.securityGroupIds } : {}),
            tags: op.tags,
          }),
        );
        return {
          ...current,
          vpcAssociation: {
            arn: created.arn ?? "",
            id: created.id ?? idOfArn(created.arn ?? ""),
            vpcId: ctx.vpcId,
            securityGroupIds: created.securityGroupIds ?? op.securityGroupIds,
            ...(created.status ? { status: created.status } : {}),
            owned: true,
          },
        };
      } catch (error) {
        if (!isConflict(error)) throw error;
        // The VPC is already associated (by someone else, or by a call whose answer was lost):
        // recorded, and deleted later only if its tags say it is this Gateway's.
        const found = (
          await client.send(
            new ListServiceNetworkVpcAssociationsCommand({
              serviceNetworkIdentifier: network.arn,
              vpcIdentifier: ctx.vpcId,
            }),
          )
        ).items?.find((a) => a.arn && a.status !== "DELETE_IN_PROGRESS");
        if (!found?.arn) throw error;
        const tags = (
          await client.send(new ListTagsForResourceCommand({ resourceArn: found.arn })).catch(() => ({ tags: {} }))
        ).tags;
        return {
          ...current,
          vpcAssociation: {
            arn: found.arn,
            id: found.id ?? idOfArn(found.arn),
            vpcId: ctx.vpcId,
            securityGroupIds: op.securityGroupIds,
            ...(found.status ? { status: found.status } : {}),
            owned: ownedRole(tags, ctx.owner) !== undefined,
          },
        };
      }
    }

    case "UpdateVpcAssociation": {
      const updated = await client.send(
        new UpdateServiceNetworkVpcAssociationCommand({
          serviceNetworkVpcAssociationIdentifier: op.arn,
          securityGroupIds: op.securityGroupIds,
        }),
      );
      if (!current.vpcAssociation) return current;
      return {
        ...current,
        vpcAssociation: {
          ...current.vpcAssociation,
          securityGroupIds: op.securityGroupIds,
          ...(updated.status ? { status: updated.status } : {}),
        },
      };
    }

    case "DeleteVpcAssociation": {
      await client.send(
        new DeleteServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: op.arn }),
      );
      const { vpcAssociation: _gone, ...rest } = current;
      return rest;
    }

    case "CreateTargetGroup": {
      if (!ctx.vpcId) throw terminal(op, "VpcUnknown", "the cluster registry names no VPC for this cluster", current);
      let arn: string;
      let status: string | undefined;
      try {
        const created = await client.send(
          new CreateTargetGroupCommand({
            name: op.name,
            type: "IP",
            config: {
              port: op.port,
              protocol: op.protocol as "HTTP",
              ...(op.protocolVersion ? { protocolVersion: op.protocolVersion as "HTTP1" } : {}),
              ipAddressType: op.ipAddressType as "IPV4",
              vpcIdentifier: ctx.vpcId,
              ...(op.healthCheck ? { healthCheck: toHealthCheck(op.healthCheck) } : {}),
            },
            tags: op.tags,
          }),
        );
        arn = created.arn ?? "";
        status = created.status;
      } catch (error) {
        if (!isConflict(error)) throw error;
        const adopted = await adoptByName(
          ctx,
          "targetGroup",
          op.name,
          `target-group:${op.targetGroupId}`,
          op.op,
          current,
        );
        arn = adopted.arn;
        status = adopted.status;
      }
      return {
        ...current,
        targetGroups: [
          ...current.targetGroups.filter((t) => t.id !== op.targetGroupId),
          {
            id: op.targetGroupId,
            arn,
            name: op.name,
            protocol: op.protocol,
            ...(op.protocolVersion ? { protocolVersion: op.protocolVersion } : {}),
            port: op.port,
            vpcId: ctx.vpcId,
            ...(op.healthCheck ? { healthCheck: op.healthCheck } : {}),
            ...(status ? { status } : {}),
            targets: [],
            tags: op.tags,
          },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      };
    }

    case "UpdateTargetGroup": {
      const tg = current.targetGroups.find((t) => t.id === op.targetGroupId);
      if (!tg) throw terminal(op, "TargetGroupNotFound", `target group ${op.targetGroupId} does not exist`, current);
      await client.send(
        new UpdateTargetGroupCommand({ targetGroupIdentifier: tg.arn, healthCheck: toHealthCheck(op.healthCheck) }),
      );
      return {
        ...current,
        targetGroups: current.targetGroups.map((t) => (t === tg ? { ...t, healthCheck: op.healthCheck } : t)),
      };
    }

    case "DeleteTargetGroup": {
      await client.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: op.arn }));
      return { ...current, targetGroups: current.targetGroups.filter((t) => t.arn !== op.arn) };
    }

    case "RegisterTargets":
    case "DeregisterTargets": {
      const tg = current.targetGroups.find((t) => t.id === op.targetGroupId);
      if (!tg) throw terminal(op, "TargetGroupNotFound", `target group ${op.targetGroupId} does not exist`, current);
      const targets = op.targets.map((t) => ({ id: t.id, port: t.port }));
      const answer =
        op.op === "RegisterTargets"
          ? await client.send(new RegisterTargetsCommand({ targetGroupIdentifier: tg.arn, targets }))
          : await client.send(new DeregisterTargetsCommand({ targetGroupIdentifier: tg.arn, targets }));
      const failed = new Set((answer.unsuccessful ?? []).map((f) => `${f.id}:${f.port ?? tg.port}`));
      const done = op.targets.filter((t) => !failed.has(targetKey(t)));
      const keys = new Set(done.map(targetKey));
      const targetsAfter =
        op.op === "RegisterTargets"
          ? [...tg.targets.filter((t) => !keys.has(targetKey(t))), ...done]
          : tg.targets.filter((t) => !keys.has(targetKey(t)));
      const after = {
        ...current,
        // Lattice answers with the group ACTIVE, or it would have refused the targets.
        targetGroups: current.targetGroups.map((t) =>
          t === tg
            ? {
                ...t,
                status: "ACTIVE",
                targets: targetsAfter,
                // Deregistered targets drain before they are gone (a ServiceExport's group waits).
                ...(op.op === "DeregisterTargets" && done.length > 0
                  ? { draining: (t.draining ?? 0) + done.length }
                  : {}),
              }
            : t,
        ),
      };
      const first = answer.unsuccessful?.[0];
      if (first) {
        throw terminal(
          op,
          first.failureCode ?? "TargetRefused",
          `${answer.unsuccessful?.length} target(s) refused, e.g. ${first.id}:${first.port ?? ""}: ${first.failureMessage ?? first.failureCode ?? ""}`,
          after,
        );
      }
      return after;
    }

    case "CreateService": {
      try {
        const created = await client.send(
          new CreateServiceCommand({
            name: op.name,
            ...(op.customDomainName ? { customDomainName: op.customDomainName } : {}),
            ...(op.certificateArn ? { certificateArn: op.certificateArn } : {}),
            ...(op.authType ? { authType: op.authType } : {}),
            tags: op.tags,
          }),
        );
        return withService(current, {
          ...serviceOf(op.serviceId, { authType: op.authType ?? "NONE", ...created }, []),
          tags: op.tags,
        });
      } catch (error) {
        if (!isConflict(error)) throw error;
        const adopted = await adoptByName(ctx, "service", op.name, `service:${op.serviceId}`, op.op, current);
        // Adopted as it is: its auth type is read by the next drift check, its tags are unknown.
        return withService(current, serviceOf(op.serviceId, adopted, []));
      }
    }

    case "UpdateService": {
      const service = serviceOfOp(current, op.serviceId);
      if (!service) throw terminal(op, "ServiceNotFound", `service ${op.serviceId} does not exist`, current);
      await client.send(
        new UpdateServiceCommand({ serviceIdentifier: service.arn, certificateArn: op.certificateArn }),
      );
      return withService(current, { ...service, certificateArn: op.certificateArn });
    }

    case "DeleteService": {
      await client.send(new DeleteServiceCommand({ serviceIdentifier: op.arn }));
      return {
        ...current,
        services: current.services.filter((s) => s.arn !== op.arn),
        serviceAssociations: current.serviceAssociations.filter((a) => a.serviceId !== op.serviceId),
      };
    }

    case "CreateListener": {
      const service = serviceOfOp(current, op.serviceId);
      if (!service) throw terminal(op, "ServiceNotFound", `service ${op.serviceId} does not exist`, current);
      const created = await client.send(
        new CreateListenerCommand({
          serviceIdentifier: service.arn,
          name: op.name,
          protocol: op.protocol,
          port: op.port,
          defaultAction: toRuleAction(op.defaultAction, current),
          tags: op.tags,
        }),
      );
      return withListener(current, op.serviceId, {
        id: op.listenerId,
        arn: created.arn ?? "",
        name: op.name,
        protocol: op.protocol,
        port: op.port,
        defaultAction: op.defaultAction,
        rules: [],
        tags: op.tags,
      });
    }

    case "UpdateListener": {
      const service = serviceOfOp(current, op.serviceId);
      const listener = listenerOf(current, op.serviceId, op.listenerId);
      if (!service || !listener)
        throw terminal(op, "ListenerNotFound", `listener ${op.listenerId} does not exist`, current);
      await client.send(
        new UpdateListenerCommand({
          serviceIdentifier: service.arn,
          listenerIdentifier: listener.arn,
          defaultAction: toRuleAction(op.defaultAction, current),
        }),
      );
      const { updatedAt: _stale, ...rest } = listener;
      return withListener(current, op.serviceId, { ...rest, defaultAction: op.defaultAction });
    }

    case "DeleteListener": {
      const service = serviceOfOp(current, op.serviceId);
      if (service) {
        await client.send(new DeleteListenerCommand({ serviceIdentifier: service.arn, listenerIdentifier: op.arn }));
        return withService(current, { ...service, listeners: service.listeners.filter((l) => l.arn !== op.arn) });
      }
      return current;
    }

    case "CreateRule": {
      const service = serviceOfOp(current, op.serviceId);
      const listener = listenerOf(current, op.serviceId, op.listenerId);
      if (!service || !listener)
        throw terminal(op, "ListenerNotFound", `listener ${op.listenerId} does not exist`, current);
      const created = await client
        .send(
          new CreateRuleCommand({
            serviceIdentifier: service.arn,
            listenerIdentifier: listener.arn,
            name: op.ruleId,
            priority: op.priority,
            match: toRuleMatch(op.match),
            action: toRuleAction(op.action, current),
          }),
        )
        .catch(async (error: unknown) => {
          if (!isConflict(error)) throw error;
          const taken = await targetGroupTaken(ctx, op.action, service.arn, current);
          throw taken ? terminal(op, "TargetGroupInUse", taken, current) : error;
        });
      return withListener(current, op.serviceId, {
        ...listener,
        rules: [
          ...listener.rules.filter((r) => r.id !== op.ruleId),
          {
            id: op.ruleId,
            arn: created.arn ?? "",
            priority: op.priority,
            matchDigest: matchDigest(op.match),
            action: op.action,
          },
        ],
      });
    }

    case "UpdateRules": {
      const service = serviceOfOp(current, op.serviceId);
      const listener = listenerOf(current, op.serviceId, op.listenerId);
      if (!service || !listener)
        throw terminal(op, "ListenerNotFound", `listener ${op.listenerId} does not exist`, current);
      const byId = new Map(listener.rules.map((r) => [r.id, r]));
      const rules: RuleUpdate[] = op.updates.map((u) => {
        const rule = byId.get(u.ruleId);
        if (!rule) throw terminal(op, "RuleNotFound", `rule ${u.ruleId} of ${op.listenerId} does not exist`, current);
        return {
          ruleIdentifier: rule.arn,
          ...(u.priority !== undefined ? { priority: u.priority } : {}),
          ...(u.match ? { match: toRuleMatch(u.match) } : {}),
          ...(u.action ? { action: toRuleAction(u.action, current) } : {}),
        };
      });
      const answer = await client.send(
        new BatchUpdateRuleCommand({ serviceIdentifier: service.arn, listenerIdentifier: listener.arn, rules }),
      );
      // Each rule the batch changed is recorded as Lattice answered; a refused one keeps its old state.
      const changed = new Map((answer.successful ?? []).map((s) => [s.arn ?? "", s]));
      const updated = listener.rules.map((r) => {
        const success = changed.get(r.arn);
        if (!success) return r;
        const { updatedAt: _stale, ...rest } = r;
        return {
          ...rest,
          ...(success.priority !== undefined ? { priority: success.priority } : {}),
          ...(success.match ? { matchDigest: matchDigest(fromRuleMatch(success.match)) } : {}),
          ...(success.action ? { action: fromRuleAction(success.action, current) } : {}),
        };
      });
      const after = withListener(current, op.serviceId, { ...listener, rules: updated });
      const failed = answer.unsuccessful ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        const code = first?.failureCode ?? "RuleUpdateFailed";
        const message = failed
          .map((f) => `${f.ruleIdentifier ?? "?"}: ${f.failureCode ?? ""} ${f.failureMessage ?? ""}`.trim())
          .join("; ");
        // A priority another rule still holds is resolved by planning again from what exists.
        if (code === "ConflictException") throw latticeError({ name: code, message }, op.op, after);
        throw terminal(op, code, message, after);
      }
      return after;
    }

    case "DeleteRule": {
      const service = serviceOfOp(current, op.serviceId);
      const listener = listenerOf(current, op.serviceId, op.listenerId);
      if (!service || !listener) return current;
      await client.send(
        new DeleteRuleCommand({
          serviceIdentifier: service.arn,
          listenerIdentifier: listener.arn,
          ruleIdentifier: op.arn,
        }),
      );
      return withListener(current, op.serviceId, {
        ...listener,
        rules: listener.rules.filter((r) => r.arn !== op.arn),
      });
    }

    case "CreateServiceAssociation": {
      const service =
        op.serviceName !== undefined
          ? await sharedService(ctx, op.serviceName, op.customDomainName, op.op, current)
          : serviceOfOp(current, op.serviceId);
      const network = current.serviceNetwork;
      if (!service) throw terminal(op, "ServiceNotFound", `service ${op.serviceId} does not exist`, current);
      if (!network) throw terminal(op, "ServiceNetworkNotFound", "no service network to associate with", current);
      let arn: string;
      let status: string | undefined;
      let owned = true;
      try {
        const created = await client.send(
          new CreateServiceNetworkServiceAssociationCommand({
            serviceIdentifier: service.arn,
            serviceNetworkIdentifier: network.arn,
            tags: op.tags,
          }),
        );
        arn = created.arn ?? "";
        status = created.status;
      } catch (error) {
        if (!isConflict(error)) throw error;
        // Already associated: recorded, and ours only if its tags say so.
        const found = (
          await client.send(new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service.arn }))
        ).items?.find((a) => a.serviceNetworkArn === network.arn && a.status !== "DELETE_IN_PROGRESS");
        if (!found?.arn) throw error;
        arn = found.arn;
        status = found.status;
        const tags = await client
          .send(new ListTagsForResourceCommand({ resourceArn: found.arn }))
          .then((t) => t.tags)
          .catch(() => undefined);
        owned = ownedRole(tags, ctx.owner) !== undefined;
      }
      return {
        ...current,
        serviceAssociations: [
          ...current.serviceAssociations.filter((a) => a.serviceId !== op.serviceId),
          {
            serviceId: op.serviceId,
            arn,
            ...(status ? { status } : {}),
            owned,
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
    }

    case "DeleteServiceAssociation": {
      await client.send(
        new DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: op.arn }),
      );
      return { ...current, serviceAssociations: current.serviceAssociations.filter((a) => a.arn !== op.arn) };
    }

    case "UpdateAuthType": {
      const resource = policyResource(op, current);
      if (op.target.kind === "service") {
        await client.send(new UpdateServiceCommand({ serviceIdentifier: resource.arn, authType: op.authType }));
      } else {
        await client.send(
          new UpdateServiceNetworkCommand({ serviceNetworkIdentifier: resource.arn, authType: op.authType }),
        );
      }
      return withPolicies(current, op.target, { authType: op.authType });
    }

    case "PutAuthPolicy": {
      const resource = policyResource(op, current);
      const put = await client
        .send(new PutAuthPolicyCommand({ resourceIdentifier: resource.arn, policy: op.policy }))
        .catch((error: unknown) => {
          // Lattice refuses the document itself: no retry helps, the policy's author must change it.
          if (awsCode(error) === "ValidationException") {
            throw terminal(
              op,
              "AuthPolicyRefused",
              `IAMAuthPolicy ${op.source}: VPC Lattice refused the auth policy: ${messageOf(error)}`,
              current,
            );
          }
          throw error;
        });
      return withPolicies(current, op.target, { authPolicy: recordedAuthPolicy(put.policy ?? op.policy) });
    }

    case "DeleteAuthPolicy": {
      const resource = policyResource(op, current);
      await client.send(new DeleteAuthPolicyCommand({ resourceIdentifier: resource.arn })).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      return withPolicies(current, op.target, { authPolicy: undefined });
    }

    case "CreateAccessLogSubscription": {
      const resource = policyResource(op, current);
      const logs = resource.accessLogs ?? [];
      try {
        const created = await client.send(
          new CreateAccessLogSubscriptionCommand({
            resourceIdentifier: resource.arn,
            destinationArn: op.destinationArn,
            tags: op.tags,
          }),
        );
        return withPolicies(current, op.target, {
          accessLogs: [
            ...logs,
            { arn: created.arn ?? "", destinationArn: created.destinationArn ?? op.destinationArn },
          ],
        });
      } catch (error) {
        if (awsCode(error) === "ValidationException") {
          throw terminal(
            op,
            "AccessLogDestinationRefused",
            `AccessLogPolicy ${op.source}: VPC Lattice refused destination ${op.destinationArn}: ${messageOf(error)}`,
            current,
          );
        }
        if (!isConflict(error)) throw error;
        // A subscription to this destination type exists: this Gateway's (a create whose answer
        // was lost) is adopted and pointed at the destination; anyone else's is not ours to move.
        const found = await subscriptionOfType(ctx, resource.arn, op.destinationArn);
        if (!found) throw error;
        if (!found.owned) {
          throw terminal(
            op,
            "AccessLogDestinationTaken",
            `AccessLogPolicy ${op.source}: ${found.arn} (not switchyard's) already sends ${resource.arn}'s access logs to a ${destinationType(op.destinationArn)} destination, and VPC Lattice takes one per destination type`,
            current,
          );
        }
        if (found.destinationArn !== op.destinationArn) {
          await client.send(
            new UpdateAccessLogSubscriptionCommand({
              accessLogSubscriptionIdentifier: found.arn,
              destinationArn: op.destinationArn,
            }),
          );
        }
        return withPolicies(current, op.target, {
          accessLogs: [
            ...logs.filter((l) => l.arn !== found.arn),
            { arn: found.arn, destinationArn: op.destinationArn },
          ],
        });
      }
    }

    case "UpdateAccessLogSubscription": {
      const resource = policyResource(op, current);
      await client.send(
        new UpdateAccessLogSubscriptionCommand({
          accessLogSubscriptionIdentifier: op.arn,
          destinationArn: op.destinationArn,
        }),
      );
      return withPolicies(current, op.target, {
        accessLogs: (resource.accessLogs ?? []).map((l) =>
          l.arn === op.arn ? { ...l, destinationArn: op.destinationArn } : l,
        ),
      });
    }

    case "DeleteAccessLogSubscription": {
      const resource = policyResource(op, current);
      await client
        .send(new DeleteAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: op.arn }))
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
      return withPolicies(current, op.target, {
        accessLogs: (resource.accessLogs ?? []).filter((l) => l.arn !== op.arn),
      });
    }

    case "TagResource":
    case "UntagResource": {
      const arn = taggedArn(op.resource, current);
      if (!arn) throw terminal(op, "ResourceNotFound", `${JSON.stringify(op.resource)} does not exist`, current);
      if (op.op === "TagResource") {
        await client.send(new TagResourceCommand({ resourceArn: arn, tags: op.tags }));
      } else {
        await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: op.tagKeys }));
      }
      return withTags(current, op.resource, (tags) => {
        if (op.op === "TagResource") return { ...tags, ...op.tags };
        const next = { ...tags };
        for (const key of op.tagKeys) delete next[key];
        return next;
      });
    }
  }
}

function awsCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { name?: string }).name : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The service or service network an auth or access log operation is about, with what is known of it. */
function policyResource(
  op: Extract<LatticeOperation, { target: LatticePolicyTarget }>,
  current: ObservedLattice,
): ObservedPolicies & { arn: string } {
  const resource = op.target.kind === "service" ? serviceOfOp(current, op.target.serviceId) : current.serviceNetwork;
  if (!resource) {
    throw terminal(
      op,
      op.target.kind === "service" ? "ServiceNotFound" : "ServiceNetworkNotFound",
      op.target.kind === "service" ? `service ${op.target.serviceId} does not exist` : "no service network",
      current,
    );
  }
  return resource;
}

/** `current` with the policies of one resource changed (an `undefined` field is dropped). */
function withPolicies(
  current: ObservedLattice,
  target: LatticePolicyTarget,
  change: Partial<Record<keyof ObservedPolicies, unknown>>,
): ObservedLattice {
  const apply = <T extends ObservedPolicies>(resource: T): T => {
    const next = { ...resource } as Record<string, unknown>;
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    return next as unknown as T;
  };
  if (target.kind === "service-network") {
    return current.serviceNetwork ? { ...current, serviceNetwork: apply(current.serviceNetwork) } : current;
  }
  const service = serviceOfOp(current, target.serviceId);
  return service ? withService(current, apply(service)) : current;
}

function taggedArn(resource: LatticeTaggedResource, current: ObservedLattice): string | undefined {
  switch (resource.kind) {
    case "service-network":
      return current.serviceNetwork?.arn;
    case "service":
      return serviceOfOp(current, resource.serviceId)?.arn;
    case "listener":
      return listenerOf(current, resource.serviceId, resource.listenerId)?.arn;
    case "target-group":
      return current.targetGroups.find((t) => t.id === resource.targetGroupId)?.arn;
  }
}

function withTags(
  current: ObservedLattice,
  resource: LatticeTaggedResource,
  change: (tags: Record<string, string>) => Record<string, string>,
): ObservedLattice {
  switch (resource.kind) {
    case "service-network":
      return current.serviceNetwork
        ? { ...current, serviceNetwork: { ...current.serviceNetwork, tags: change(current.serviceNetwork.tags ?? {}) } }
        : current;
    case "service": {
      const service = serviceOfOp(current, resource.serviceId);
      return service ? withService(current, { ...service, tags: change(service.tags ?? {}) }) : current;
    }
    case "listener": {
      const listener = listenerOf(current, resource.serviceId, resource.listenerId);
      return listener
        ? withListener(current, resource.serviceId, { ...listener, tags: change(listener.tags ?? {}) })
        : current;
    }
    case "target-group":
      return {
        ...current,
        targetGroups: current.targetGroups.map((t) =>
          t.id === resource.targetGroupId ? { ...t, tags: change(t.tags ?? {}) } : t,
        ),
      };
  }
}

/** The subscription of a resource to the destination's type, and whether its tags say it is ours. */
async function subscriptionOfType(
  ctx: LatticeExecutionContext,
  resourceArn: string,
  destinationArn: string,
): Promise<{ arn: string; destinationArn: string; owned: boolean } | undefined> {
  const type = destinationType(destinationArn);
  let token: string | undefined;
  do {
    const page = await ctx.client.send(
      new ListAccessLogSubscriptionsCommand({ resourceIdentifier: resourceArn, nextToken: token }),
    );
    for (const item of page.items ?? []) {
      if (!item.arn || !item.destinationArn || destinationType(item.destinationArn) !== type) continue;
      const tags = (await ctx.client.send(new ListTagsForResourceCommand({ resourceArn: item.arn }))).tags;
      return {
        arn: item.arn,
        destinationArn: item.destinationArn,
        owned: ownedRole(tags, ctx.owner) !== undefined,
      };
    }
    token = page.nextToken;
  } while (token);
  return undefined;
}

/**
 * A service another Gateway owns, by the name it gives it, in this account: a route with several
 * Lattice parents is associated with each parent's network. Not there yet (its owner has not
 * created it) is retryable: the owner's reconcile creates it.
 */
async function sharedService(
  ctx: LatticeExecutionContext,
  name: string,
  customDomainName: string | undefined,
  operation: LatticeOperation["op"],
  current: ObservedLattice,
): Promise<{ arn: string } | undefined> {
  let token: string | undefined;
  do {
    const page = await ctx.client.send(new ListServicesCommand({ nextToken: token }));
    const found = (page.items ?? []).find(
      (s) => s.name === name && s.arn?.includes(`:${ctx.account}:`) && s.status !== "DELETE_IN_PROGRESS",
    );
    // Its owner replaces it (the old one waits for the associations to go): the new one comes later.
    if (found?.arn && (found.customDomainName ?? "") !== (customDomainName ?? "")) {
      throw new LatticeOperationError(
        "retryable",
        "SharedServiceReplaced",
        operation,
        `service ${name}, which another Gateway builds for a route attached to this one too, has custom domain name ${found.customDomainName ?? "(none)"}, not ${customDomainName ?? "(none)"}: its owner replaces it`,
        current,
      );
    }
    if (found?.arn) return { arn: found.arn };
    token = page.nextToken;
  } while (token);
  throw new LatticeOperationError(
    "retryable",
    "ServiceNotFound",
    operation,
    `service ${name}, which another Gateway builds for a route attached to this one too, does not exist yet`,
    current,
  );
}

/**
 * Why a forward is refused for good, when it is: one of its target groups already serves another
 * service (Lattice lets a target group serve one service). A ConflictException is otherwise a busy
 * resource; this one no retry can resolve, so the rule is refused alone and its route says why.
 */
async function targetGroupTaken(
  ctx: LatticeExecutionContext,
  action: LatticeAction,
  serviceArn: string,
  current: ObservedLattice,
): Promise<string | undefined> {
  if (action.type !== "forward") return undefined;
  for (const t of action.targetGroups) {
    const arn = t.targetGroupId.startsWith("arn:")
      ? t.targetGroupId.slice("arn:".length)
      : current.targetGroups.find((g) => g.id === t.targetGroupId)?.arn;
    if (!arn) continue;
    const group = await ctx.client.send(new GetTargetGroupCommand({ targetGroupIdentifier: arn }));
    const others = (group.serviceArns ?? []).filter((s) => s !== serviceArn);
    if (others.length > 0) {
      return `target group ${group.name ?? arn} (${t.targetGroupId}) already serves ${others.join(", ")}; VPC Lattice lets a target group serve one service`;
    }
  }
  return undefined;
}

/**
 * A create refused because the name is taken: the holder is adopted when its tags say it is this
 * Gateway's (a create whose answer was lost), otherwise the name belongs to someone else (terminal).
 */
async function adoptByName(
  ctx: LatticeExecutionContext,
  kind: "service" | "targetGroup",
  name: string,
  role: string,
  operation: LatticeOperation["op"],
  current: ObservedLattice,
): Promise<{
  arn: string;
  name?: string;
  status?: string;
  dnsEntry?: { domainName?: string };
  customDomainName?: string;
}> {
  const { client } = ctx;
  let token: string | undefined;
  do {
    const page =
      kind === "service"
        ? await client.send(new ListServicesCommand({ nextToken: token }))
        : await client.send(new ListTargetGroupsCommand({ nextToken: token }));
    for (const item of page.items ?? []) {
      if (item.name !== name || !item.arn || !item.arn.includes(`:${ctx.account}:`)) continue;
      // A holder on its way out keeps the name a little longer: busy, not taken.
      if (item.status === "DELETE_IN_PROGRESS") break;
      const tags = (await client.send(new ListTagsForResourceCommand({ resourceArn: item.arn }))).tags;
      if (ownedRole(tags, ctx.owner) === role) return { ...item, arn: item.arn };
      throw new LatticeOperationError(
        "conflict",
        "NameTaken",
        operation,
        `${kind === "service" ? "service" : "target group"} name ${name} is taken by ${item.arn}, which is not this Gateway's`,
        current,
      );
    }
    token = page.nextToken;
  } while (token);
  // Busy rather than taken (e.g. the name is held by a resource still being deleted).
  throw latticeError({ name: "ConflictException", message: `${name} is busy` }, operation, current);
}

async function findServiceNetwork(
  op: Extract<LatticeOperation, { op: "FindServiceNetwork" }>,
  current: ObservedLattice,
  ctx: LatticeExecutionContext,
): Promise<NonNullable<ObservedLattice["serviceNetwork"]>> {
  const { client } = ctx;
  if (op.ref.kind !== "name") {
    const identifier = op.ref.kind === "id" ? op.ref.id : op.ref.arn;
    try {
      const found = await client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: identifier }));
      return {
        arn: found.arn ?? "",
        id: found.id ?? "",
        name: found.name ?? "",
        created: false,
        ...(found.authType ? { authType: found.authType } : {}),
      };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw terminal(
        op,
        "ServiceNetworkNotFound",
        `service network ${identifier} does not exist or is not shared with account ${ctx.account}`,
        current,
      );
    }
  }
  const name = op.ref.name;
  const matches: { arn: string; id: string; name: string }[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListServiceNetworksCommand({ nextToken: token }));
    for (const n of page.items ?? []) {
      if (n.name === name && n.arn && n.id) matches.push({ arn: n.arn, id: n.id, name: n.name });
    }
    token = page.nextToken;
  } while (token);
  // The account's own network first; a network shared through RAM may carry the same name.
  const found = matches.find((m) => m.arn.includes(`:${ctx.account}:`)) ?? matches[0];
  if (found) {
    const created =
      op.create && found.arn.includes(`:${ctx.account}:`)
        ? ownedRole((await client.send(new ListTagsForResourceCommand({ resourceArn: found.arn }))).tags, ctx.owner) ===
          "service-network"
        : false;
    return { ...found, created };
  }
  if (!op.create) {
    throw terminal(
      op,
      "ServiceNetworkNotFound",
      `service network ${name} does not exist in account ${ctx.account} nor is shared with it; create it, or annotate the Gateway with switchyard.dev/create-service-network: "true"`,
      current,
    );
  }
  const created = await client.send(new CreateServiceNetworkCommand({ name, tags: op.tags }));
  return {
    arn: created.arn ?? "",
    id: created.id ?? "",
    name,
    created: true,
    authType: created.authType ?? "NONE",
    tags: op.tags,
  };
}
