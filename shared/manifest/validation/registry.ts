/**
 * Which schema applies to an object: by kind, by served version and by CRD channel. The standard
 * channel serves fewer versions (no TLSRoute v1alpha2/v1alpha3, TCPRoute/UDPRoute v1alpha2 or
 * BackendTLSPolicy v1alpha3) and lacks the experimental fields.
 */
import { isKnownKind, KINDS, type KnownKind } from "../kinds.ts";
import {
  listenerRuleConfigurationSpec,
  loadBalancerConfigurationSpec,
  targetGroupConfigurationSpec,
} from "./aws-lbc.ts";
import { backendTLSPolicySpec } from "./backend-tls-policy.ts";
import { gatewaySpec } from "./gateway.ts";
import { gatewayClassSpec } from "./gateway-class.ts";
import { grpcRouteSpec } from "./grpc-route.ts";
import { httpRouteSpec } from "./http-route.ts";
import { tcpOrUdpRouteSpec, tlsRouteSpec } from "./l4-routes.ts";
import {
  accessLogPolicySpec,
  iamAuthPolicySpec,
  serviceExportSpec,
  serviceImportSpec,
  targetGroupPolicySpec,
  vpcAssociationPolicySpec,
} from "./lattice.ts";
import { listenerSetSpec } from "./listener-set.ts";
import { referenceGrantSpec } from "./reference-grant.ts";
import { type Channel, type ObjectNode, obj, str } from "./schema.ts";
import {
  gatewayClassStatus,
  gatewayStatus,
  listenerSetStatus,
  plainStatus,
  policyStatus,
  routeStatus,
} from "./status-defaults.ts";

type SchemaBuilder = (
  channel: Channel,
  version: string,
) => { spec: ObjectNode; status: ObjectNode | undefined; specRequired: boolean };

const gatewayApi =
  (spec: (channel: Channel, version: string) => ObjectNode, status?: () => ObjectNode): SchemaBuilder =>
  (channel, version) => ({ spec: spec(channel, version), status: status?.(), specRequired: true });

const extension =
  (spec: () => ObjectNode, specRequired: boolean): SchemaBuilder =>
  () => ({ spec: spec(), status: plainStatus(), specRequired });

const BUILDERS: Partial<Record<KnownKind, SchemaBuilder>> = {
  GatewayClass: gatewayApi(gatewayClassSpec, gatewayClassStatus),
  Gateway: gatewayApi(gatewaySpec, gatewayStatus),
  HTTPRoute: gatewayApi(httpRouteSpec, routeStatus),
  GRPCRoute: gatewayApi(grpcRouteSpec, routeStatus),
  TLSRoute: gatewayApi(tlsRouteSpec, routeStatus),
  TCPRoute: gatewayApi(tcpOrUdpRouteSpec, routeStatus),
  UDPRoute: gatewayApi(tcpOrUdpRouteSpec, routeStatus),
  // ReferenceGrant has no status at all.
  ReferenceGrant: gatewayApi(referenceGrantSpec),
  ListenerSet: gatewayApi(listenerSetSpec, listenerSetStatus),
  BackendTLSPolicy: gatewayApi(backendTLSPolicySpec, policyStatus),
  LoadBalancerConfiguration: extension(loadBalancerConfigurationSpec, false),
  TargetGroupConfiguration: extension(targetGroupConfigurationSpec, false),
  ListenerRuleConfiguration: extension(listenerRuleConfigurationSpec, false),
  TargetGroupPolicy: extension(targetGroupPolicySpec, true),
  VpcAssociationPolicy: extension(vpcAssociationPolicySpec, true),
  AccessLogPolicy: extension(accessLogPolicySpec, true),
  IAMAuthPolicy: extension(iamAuthPolicySpec, true),
  ServiceExport: extension(serviceExportSpec, false),
  ServiceImport: extension(serviceImportSpec, false),
};

/** Versions the standard channel does not serve although the experimental one does. */
const EXPERIMENTAL_ONLY_VERSIONS: Partial<Record<KnownKind, readonly string[]>> = {
  TLSRoute: ["v1alpha2", "v1alpha3"],
  TCPRoute: ["v1alpha2"],
  UDPRoute: ["v1alpha2"],
  BackendTLSPolicy: ["v1alpha3"],
};

export function servedVersions(kind: KnownKind, channel: Channel): readonly string[] {
  const all = KINDS[kind].versions as readonly string[];
  const dropped = channel === "standard" ? (EXPERIMENTAL_ONLY_VERSIONS[kind] ?? []) : [];
  return all.filter((v) => !dropped.includes(v));
}

export type SchemaLookup =
  | { found: true; root: ObjectNode }
  | { found: false; reason: "no-schema" }
  | { found: false; reason: "version-not-served"; served: readonly string[] };

const cache = new Map<string, ObjectNode>();

/** The whole-object schema (apiVersion, kind, metadata, spec, status) for an object. */
export function schemaFor(kind: string, apiVersion: string, channel: Channel): SchemaLookup {
  if (!isKnownKind(kind)) return { found: false, reason: "no-schema" };
  const build = BUILDERS[kind];
  if (!build) return { found: false, reason: "no-schema" };
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  const served = servedVersions(kind, channel);
  if (!served.includes(version)) return { found: false, reason: "version-not-served", served };
  const key = `${kind}/${version}/${channel}`;
  let root = cache.get(key);
  if (!root) {
    const { spec, status, specRequired } = build(channel, version);
    root = obj(
      {
        apiVersion: str(),
        kind: str(),
        metadata: obj({}, { openFields: true, defaultsOnly: true }),
        spec,
        ...(status ? { status } : {}),
      },
      specRequired ? { required: ["spec"] } : {},
    );
    cache.set(key, root);
  }
  return { found: true, root };
}
