/**
 * LoadBalancerConfiguration, as the AWS Load Balancer Controller merges it: the GatewayClass's
 * configuration and the Gateway's; by default the class wins scalar fields (mergingMode
 * prefer-gateway-class, set on the class), tags and attributes merge by key, listener
 * configurations by protocolPort.
 */
import type {
  ListenerConfiguration,
  LoadBalancerConfigurationSpec,
  TargetGroupConfiguration,
} from "../extensions/aws-lbc.ts";
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
  /** The merged configuration, for the settings read beyond the fields above. */
  merged: LoadBalancerConfigurationSpec;
  /** The configurations merged (`ns/name` and spec), GatewayClass's first, to name in status. */
  sources: ConfigSource[];
  /**
   * The TargetGroupConfigurations the merged configurations name as `defaultTargetGroupConfiguration`
   * (each in its configuration's namespace), lowest precedence first: the winner of the merge
   * (mergingMode) comes last, so its fields win field by field.
   */
  defaultTargetGroupConfigs: TargetGroupConfiguration[];
}

export interface ConfigSource {
  key: string;
  spec: LoadBalancerConfigurationSpec;
}

function configSource(
  ref: { namespace?: string; name: string } | undefined,
  ctx: ElbBuildContext,
): ConfigSource | undefined {
  if (!ref) return undefined;
  const key = `${ref.namespace ?? "default"}/${ref.name}`;
  const spec = ctx.snapshot.loadBalancerConfigurations.find((c) => objectKey(c.metadata) === key)?.spec;
  return spec ? { key, spec } : undefined;
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
  const classSource = configSource(classRef, ctx);
  const gatewaySource = configSource(
    gwRef && { namespace: gateway.object.metadata.namespace ?? "default", name: gwRef.name },
    ctx,
  );
  const spec = mergeLoadBalancerConfigs(classSource?.spec, gatewaySource?.spec);
  const preferGateway = classSource?.spec.mergingMode === "prefer-gateway";
  const lowToHigh = preferGateway ? [classSource, gatewaySource] : [gatewaySource, classSource];
  const defaultTargetGroupConfigs = lowToHigh.flatMap((source) => {
    const name = source?.spec.defaultTargetGroupConfiguration?.name;
    if (!source || name === undefined) return [];
    const namespace = source.key.split("/")[0] ?? "default";
    const config = ctx.snapshot.targetGroupConfigurations.find(
      (c) => objectKey(c.metadata) === `${namespace}/${name}` && !c.spec?.targetReference,
    );
    return config ? [config] : [];
  });
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
    merged: spec,
    sources: [classSource, gatewaySource].filter((s): s is ConfigSource => s !== undefined),
    defaultTargetGroupConfigs,
  };
}
