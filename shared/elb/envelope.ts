/**
 * The Elastic Load Balancing side of the data-plane envelope: the LoadBalancerConfiguration
 * settings, ownership tags and deterministic name every ELB Gateway shares, and the one place the
 * load balancer model is assembled, so ALB and NLB differ only in their listeners and target groups.
 */

import { DataPlaneEnvelope } from "../dataplane/envelope.ts";
import type { ResolvedGateway } from "../graph/model.ts";
import type { ElbBuild, ElbBuildContext } from "./context.ts";
import { unsupportedFeatures } from "./feature-support.ts";
import { type LoadBalancerSettings, loadBalancerSettings } from "./load-balancer-config.ts";
import { loadBalancerFeatures } from "./load-balancer-features.ts";
import type { ListenerModel, LoadBalancerType, TargetGroupModel } from "./model.ts";
import { loadBalancerName, ownershipTags } from "./naming.ts";
import { buildSecurityGroups } from "./security-groups.ts";

export interface ElbEnvelope {
  envelope: DataPlaneEnvelope;
  settings: LoadBalancerSettings;
}

export function elbEnvelope(gateway: ResolvedGateway, ctx: ElbBuildContext): ElbEnvelope {
  return {
    envelope: new DataPlaneEnvelope({
      gateway,
      tagsFor: (role) => ownershipTags(ctx.clusterId, gateway.key, role),
      acmCertificates: ctx.acmCertificates ?? [],
      target: ctx.target ?? {},
    }),
    settings: loadBalancerSettings(gateway, ctx),
  };
}

/** The built load balancer with every problem the envelope collected. */
export function elbBuild(
  { envelope, settings }: ElbEnvelope,
  ctx: ElbBuildContext,
  type: LoadBalancerType,
  listeners: ListenerModel[],
  targetGroups: TargetGroupModel[],
): ElbBuild {
  const gatewayKey = envelope.gateway.key;
  const managedSecurityGroups = buildSecurityGroups({
    clusterId: ctx.clusterId,
    gatewayKey,
    type,
    ipAddressType: settings.ipAddressType,
    spec: settings.merged,
    listeners,
    tags: settings.tags,
  });
  const refused = unsupportedFeatures({
    type,
    scheme: settings.scheme,
    ipAddressType: settings.ipAddressType,
    // Every group the load balancer will carry: the configured ones and those switchyard makes.
    securityGroups: [
      ...settings.securityGroups,
      ...(managedSecurityGroups.frontend ? ["switchyard's frontend group"] : []),
      ...(managedSecurityGroups.backend ? ["switchyard's backend group"] : []),
    ],
    listeners,
    merged: settings.merged,
    sources: settings.sources,
    ...(ctx.clusterVpcId ? { clusterVpcId: ctx.clusterVpcId } : {}),
  });
  return {
    model: {
      gatewayKey,
      type,
      name: settings.name ?? loadBalancerName(ctx.clusterId, gatewayKey, type, settings.scheme),
      scheme: settings.scheme,
      ipAddressType: settings.ipAddressType,
      subnets: settings.subnets,
      ...(settings.subnetSelector && settings.subnets.length === 0 ? { subnetSelector: settings.subnetSelector } : {}),
      securityGroups: settings.securityGroups,
      managedSecurityGroups,
      attributes: settings.attributes,
      ...loadBalancerFeatures(settings.merged),
      tags: { ...settings.tags, ...envelope.tagsFor("load-balancer") },
      listeners,
      targetGroups,
    },
    routeProblems: envelope.routeProblems,
    routePartial: envelope.routePartial,
    listenerProblems: envelope.listenerProblems,
    listenerPending: envelope.listenerPending,
    ...(refused ? { refused } : {}),
  };
}
