/**
 * Live state for `plan --live` and `status --live`, read-only: the registered cluster, each
 * Gateway's state record, and what AWS holds now — the record's resources re-read with Describe
 * calls (the engine's drift check), or, without a usable record, everything tagged as the
 * Gateway's (the engine's discovery). The same for VPC Lattice Gateways and ServiceExports'
 * export units, through the reconciler's own Lattice port (Get and List calls only). Nothing here
 * writes to AWS or to the table; test/integration/cli-live.test.ts counts every request moto
 * received by operation, and cli-live-lattice.test.ts every request the Lattice emulator received.
 */

import { latticePortsThrough } from "../functions/reconcile/environment.ts";
import { AwsClientFactory } from "../shared/aws/clients.ts";
import { AwsElb } from "../shared/aws/elbv2/port.ts";
import type { ObservedElb } from "../shared/elb/observed.ts";
import { type ClusterGatewayKey, clusterGatewayKey, type GatewayKey } from "../shared/keys.ts";
import { exportUnitKey } from "../shared/lattice/exports.ts";
import type { ObservedLattice } from "../shared/lattice/observed.ts";
import type { LatticePort } from "../shared/reconcile/lattice-plane.ts";
import type { RegisteredCluster } from "../shared/registry/cluster.ts";
import type { StoredGatewayState } from "../shared/store/state.ts";
import { CommandFailure, type ControlPlane } from "./control-plane.ts";

/** A cluster id that is not in the registry: what to do about it. */
export class ClusterUnknown extends CommandFailure {
  constructor(clusterId: string, table: string) {
    super(
      `cluster ${clusterId} is not registered in ${table}: register it first (switchyard cluster register --help), or check --cluster-id with \`switchyard cluster list\``,
    );
    this.name = "ClusterUnknown";
  }
}

export interface LiveCluster {
  cluster: RegisteredCluster;
  /** ELBv2/EC2/Tagging clients in the cluster's account, as the reconciler makes them. */
  factory: AwsClientFactory;
}

export async function openCluster(plane: ControlPlane, clusterId: string): Promise<LiveCluster> {
  const cluster = await (await plane.registry()).get(clusterId);
  if (cluster === undefined) throw new ClusterUnknown(clusterId, plane.settings.table);
  const factory = new AwsClientFactory({
    account: await plane.account(),
    ...(plane.settings.awsEndpoint ? { endpoint: plane.settings.awsEndpoint } : {}),
    ...(plane.settings.latticeEndpoint ? { latticeEndpoint: plane.settings.latticeEndpoint } : {}),
  });
  return { cluster, factory };
}

/** The reconciler's own ELBv2 port for one Gateway of the cluster (elbPortsThrough's). */
export function elbPort(live: LiveCluster, gatewayKey: GatewayKey): AwsElb {
  const { cluster } = live;
  return new AwsElb(
    live.factory,
    {
      account: cluster.account,
      region: cluster.region,
      ...(cluster.reconcileRoleArn ? { roleArn: cluster.reconcileRoleArn } : {}),
      ...(cluster.externalId ? { externalId: cluster.externalId } : {}),
      cluster: cluster.clusterId,
    },
    { clusterId: cluster.clusterId, gatewayKey },
    {
      vpc: { id: cluster.vpcId },
      ...("clusterName" in cluster.eks ? { eksClusterName: cluster.eks.clusterName } : {}),
    },
  );
}

/**
 * The reconciler's own VPC Lattice port (latticePortsThrough's) for one Gateway of the cluster, or
 * for a ServiceExport's groups when `owner` is its `ServiceExport/<ns>/<name>`.
 */
export function latticePort(live: LiveCluster, owner: GatewayKey | string): LatticePort {
  return latticePortsThrough(live.factory)(live.cluster, { clusterId: live.cluster.clusterId, gatewayKey: owner });
}

/** Where the live observation came from. */
export type ObservedFrom = "state-record" | "tag-discovery";

export interface LiveObservation {
  observed: ObservedElb;
  from: ObservedFrom;
  /** The record, when there is one. */
  state?: StoredGatewayState;
}

export async function stateOf(
  plane: ControlPlane,
  clusterId: string,
  gatewayKey: GatewayKey,
): Promise<StoredGatewayState | undefined> {
  return plane.stores().states.get(clusterGatewayKey(clusterId, gatewayKey));
}

/**
 * What AWS holds for the Gateway: the record's resources re-read, or, with no record or one an
 * interrupted apply left (`applying`), a discovery by tags, as the engine would do.
 */
export async function observeLive(
  live: LiveCluster,
  gatewayKey: GatewayKey,
  state: StoredGatewayState | undefined,
): Promise<LiveObservation> {
  const port = elbPort(live, gatewayKey);
  if (state && !state.applying) return { observed: await port.observe(state.applied), from: "state-record", state };
  return { observed: await port.discover(), from: "tag-discovery", ...(state ? { state } : {}) };
}

export interface LiveLatticeObservation {
  observed: ObservedLattice;
  from: ObservedFrom;
  state?: StoredGatewayState<ObservedLattice>;
}

/**
 * What VPC Lattice holds for a Gateway or an export unit (`unitKey`, its record's key): the
 * record's resources re-read (the drift check's Get and List calls), or, with no record or an
 * interrupted one, a discovery by ownership tags — as the engine would do.
 */
export async function observeLiveLattice(
  plane: ControlPlane,
  port: LatticePort,
  unitKey: ClusterGatewayKey,
): Promise<LiveLatticeObservation> {
  const state = await plane.latticeStates().get(unitKey);
  if (state && !state.applying) return { observed: await port.observe(state.applied), from: "state-record", state };
  return { observed: await port.discover(unitKey), from: "tag-discovery", ...(state ? { state } : {}) };
}

/** A ServiceExport's export unit from its owner (`ServiceExport/<ns>/<name>`): its name and record key. */
export function exportUnitOf(clusterId: string, owner: string): { serviceExport: string; key: ClusterGatewayKey } {
  const [, namespace = "", name = ""] = owner.split("/");
  return { serviceExport: `${namespace}/${name}`, key: exportUnitKey(clusterId, namespace, name) };
}
