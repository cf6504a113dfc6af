// Resolving a cluster for the status writer: the registry's endpoint and CA, or EKS DescribeCluster
// (moto's EKS) when the registry names an EKS cluster; the registry decides who is reachable.
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RegisteredCluster } from "../../shared/registry/cluster.ts";
import { MemoryClusterRegistry } from "../../shared/registry/memory.ts";
import { ClusterUnreachable, resolveEndpoint, StatusConnections } from "../../shared/status/writer/connection.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";

const CLUSTER: RegisteredCluster = {
  clusterId: "eks-by-name",
  account: MOTO_DEFAULT_ACCOUNT_ID,
  region: TEST_REGION,
  vpcId: "vpc-0a1b2c3d",
  eks: { clusterName: "prod-eks" },
  senderPrincipal: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/switchyard-forwarder`,
  statusMode: "direct",
};

describe("status writer cluster resolution", () => {
  let eks: EKSClient;
  let created: { endpoint?: string; data?: string };

  beforeAll(async () => {
    await resetMoto();
    eks = new EKSClient(motoSettings());
    const { cluster } = await eks.send(
      new CreateClusterCommand({
        name: "prod-eks",
        roleArn: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/eks`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    created = { endpoint: cluster?.endpoint, data: cluster?.certificateAuthority?.data };
  });

  afterAll(() => eks?.destroy());

  test("a cluster registered by EKS name is resolved with DescribeCluster", async () => {
    expect(created.endpoint).toMatch(/^https:\/\//);
    const endpoint = await resolveEndpoint(CLUSTER, () => eks);
    expect(endpoint.server).toBe(created.endpoint);
    expect(endpoint.caPem).toBe(Buffer.from(created.data ?? "", "base64").toString("utf8"));
  });

  test("an unknown EKS cluster fails resolution with the EKS error", async () => {
    const missing = { ...CLUSTER, eks: { clusterName: "nope" } };
    await expect(resolveEndpoint(missing, () => eks)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  test("unregistered and via-forwarder clusters get no direct writer", async () => {
    const registry = new MemoryClusterRegistry(MOTO_DEFAULT_ACCOUNT_ID);
    await registry.put({ ...CLUSTER, statusMode: "via-forwarder" }, "create");
    const connections = new StatusConnections({
      registry,
      eksFor: () => eks,
      credentialsFor: () => DUMMY_CREDENTIALS,
    });
    await expect(connections.writerFor("unknown")).rejects.toBeInstanceOf(ClusterUnreachable);
    await expect(connections.writerFor(CLUSTER.clusterId)).rejects.toThrow(/via-forwarder/);
    await registry.put(CLUSTER, "update");
    // The failed attempt was not cached: the updated registration is used.
    await expect(connections.writerFor(CLUSTER.clusterId)).resolves.toBeDefined();
  });
});
