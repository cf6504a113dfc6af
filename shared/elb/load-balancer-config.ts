/**
 * LoadBalancerConfiguration, as the AWS Load Balancer Controller merges it: the GatewayClass's
 * configuration and the Gateway's; by default the class wins scalar fields (mergingMode
 * prefer-gateway-class, set on the class), tags and attributes merge by key, listener
 * configurations by protocolPort.
 */
import type { ListenerConfiguration, LoadBalancerConfigurationSpec } from "../extensions/aws-lbc.ts";
import type { ResolvedGateway } from "../graph/model.ts";
import { objectKey } from "../k8s/meta.ts";
import type { ElbBuildContext } from "./context.ts";

export interface LoadBalancerSettings {
  name?: string;
  scheme: "internet-facing" | "internal";
  ipAddressType: "ipv4" | "dualstack" | "dualstack-without-public-ipv4";
  subnets: string[];
  /** `loadBalancerSubnetsSelector`: tag key → accepted values, for subnet discovery. */
  subnetSelector?: Record<string, string[]>;
  securityGroups: string[];
  attributes: Record<string, string>;
  tags: Record<string, string>;
  listenerConfigurations: Map<string, ListenerConfiguration>;
  /** The merged configuration, for the settings read elsewhere (security groups). */
  spec: LoadBalancerConfigurationSpec;
}

function configSpec(
  ref: { namespace?: string; name: string } | undefined,
  ctx: ElbBuildContext,
): LoadBalancerConfigurationSpec | undefined {
  if (!ref) return undefined;
  return ctx.snapshot.loadBalancerConfigurations.find(
    (c) => objectKey(c.metadata) === `${ref.namespace ?? "default"}/${ref.name}`,
  )?.spec;
}

function mergeLoadBalancerConfigs(
  classSpec: LoadBalancerConfigurationSpec | undefined,
  gatewaySpec: LoadBalancerConfigurationSpec | undefined,
): LoadBalancerConfigurationSpec {
  const preferGateway = classSpec?.mergingMode === "prefer-gateway";
  const [low, high] = preferGateway ? [classSpec, gatewaySpec] : [gatewaySpec, classSpec];
  const byKey = (a?: { key: string; value: string }[], b?: { key: string; value: string }[]) => {
    const merged = new Map<string, string>();
    for (const kv of [...(a ?? []), ...(b ?? [])]) merged.set(kv.key, kv.value);
    return [...merged.entries()].map(([key, value]) => ({ key, value }));
  };
  const listeners = new Map<string, ListenerConfiguration>();
  for (const lc of [...(low?.listenerConfigurations ?? []), ...(high?.listenerConfigurations ?? [])]) {
    listeners.set(lc.protocolPort, { ...listeners.get(lc.protocolPort), ...lc });
  }
  return {
    ...low,
    ...high,
    tags: { ...low?.tags, ...high?.tags },
    loadBalancerAttributes: byKey(low?.loadBalancerAttributes, high?.loadBalancerAttributes),
    listenerConfigurations: [...listeners.values()],
  };
}

export function loadBalancerSettings(gateway: ResolvedGateway, ctx: ElbBuildContext): LoadBalancerSettings {
  const classRef = gateway.gatewayClass.object.spec?.parametersRef;
  const gwRef = gateway.object.spec?.infrastructure?.parametersRef;
  const spec = mergeLoadBalancerConfigs(
    configSpec(classRef, ctx),
    configSpec(gwRef && { namespace: gateway.object.metadata.namespace ?? "default", name: gwRef.name }, ctx),
  );
  return {
    ...(spec.loadBalancerName ? { name: spec.loadBalancerName } : {}),
    scheme: spec.scheme ?? ctx.defaultScheme ?? "internal",
    ipAddressType: spec.ipAddressType ?? "ipv4",
    subnets: (spec.loadBalancerSubnets ?? []).map((s) => s.identifier).filter((s): s is string => !!s),
    ...(spec.loadBalancerSubnetsSelector && Object.keys(spec.loadBalancerSubnetsSelector).length > 0
      ? { subnetSelector: spec.loadBalancerSubnetsSelector }
      : {}),
    securityGroups: spec.securityGroups ?? [],
    attributes: Object.fromEntries((spec.loadBalancerAttributes ?? []).map((a) => [a.key, a.value])),
    tags: { ...spec.tags, ...gateway.object.spec?.infrastructure?.labels },
    listenerConfigurations: new Map((spec.listenerConfigurations ?? []).map((l) => [l.protocolPort, l])),
    spec,
  };
}
