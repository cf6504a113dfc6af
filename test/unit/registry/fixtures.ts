// Registrations used by the registry tests: one in the control plane's own account, one in another.
import type { RegisteredCluster } from "../../../shared/registry/cluster.ts";

export const CONTROL_PLANE_ACCOUNT = "111122223333";
export const TARGET_ACCOUNT = "444455556666";

/** Base64 of a PEM header line is enough for the validator's shape check. */
export const CA_DATA = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").toString("base64");

export function sameAccountCluster(clusterId = "prod-eu"): RegisteredCluster {
  return {
    clusterId,
    account: CONTROL_PLANE_ACCOUNT,
    region: "eu-west-1",
    vpcId: "vpc-0a1b2c3d",
    eks: { clusterName: "prod-eu-1" },
    senderPrincipal: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/switchyard-forwarder-${clusterId}`,
    statusMode: "direct",
  };
}

export function crossAccountCluster(clusterId = "tenant-b"): RegisteredCluster {
  return {
    clusterId,
    account: TARGET_ACCOUNT,
    region: "us-east-1",
    vpcId: "vpc-0123456789abcdef0",
    eks: { endpoint: "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com", caData: CA_DATA },
    reconcileRoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/switchyard-reconciler`,
    externalId: "cluster-registry-7f3a",
    senderPrincipal: `arn:aws:iam::${TARGET_ACCOUNT}:role/switchyard-forwarder`,
    senderId: "AROAEXAMPLEFORWARDER1",
    statusMode: "via-forwarder",
  };
}
