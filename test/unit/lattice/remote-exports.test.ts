/** Other clusters' ServiceExports as an importing cluster's translation sees them. */
import { describe, expect, test } from "vitest";
import type { ServiceExport } from "../../../shared/extensions/lattice.ts";
import { remoteServiceExports } from "../../../shared/lattice/remote-exports.ts";

function serviceExport(name: string, federated: boolean): ServiceExport {
  return {
    apiVersion: "application-networking.k8s.aws/v1alpha1",
    kind: "ServiceExport",
    metadata: {
      name,
      namespace: "apps",
      ...(federated ? { annotations: { "application-networking.k8s.aws/federation": "amazon-vpc-lattice" } } : {}),
    },
    spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] },
  };
}

const cluster = (clusterId: string, account: string) => ({
  clusterId,
  account,
  vpcId: `vpc-${clusterId}`,
  eks: { clusterName: `${clusterId}-eks` },
});

describe("remote ServiceExports", () => {
  test("only federated exports of other clusters, each with its cluster's registered identity", () => {
    const remote = remoteServiceExports("home", [
      {
        cluster: cluster("west", "222222222222"),
        exports: [serviceExport("web", true), serviceExport("local", false)],
      },
      { cluster: cluster("home", "111111111111"), exports: [serviceExport("web", true)] },
      { cluster: cluster("east", "111111111111"), exports: [serviceExport("web", true)] },
    ]);
    expect(remote).toEqual([
      {
        clusterId: "east",
        eksClusterName: "east-eks",
        vpcId: "vpc-east",
        accountId: "111111111111",
        namespace: "apps",
        name: "web",
        ports: [{ port: 8080, routeType: "HTTP" }],
      },
      {
        clusterId: "west",
        eksClusterName: "west-eks",
        vpcId: "vpc-west",
        accountId: "222222222222",
        namespace: "apps",
        name: "web",
        ports: [{ port: 8080, routeType: "HTTP" }],
      },
    ]);
  });

  test("a cluster registered by endpoint has no EKS name to match", () => {
    const remote = remoteServiceExports("home", [
      {
        cluster: { clusterId: "x", account: "1", vpcId: "vpc-x", eks: { endpoint: "https://x", caData: "" } },
        exports: [serviceExport("web", true)],
      },
    ]);
    expect(remote[0]?.eksClusterName).toBeUndefined();
  });
});
