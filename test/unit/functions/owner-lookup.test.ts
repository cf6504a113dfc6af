// The tagging owner lookup's routing, without AWS: which targets an ARN sends it to, and a target
// whose client cannot be made (a misregistered role) is reported and skipped, not fatal. The
// lookups against AWS accounts are in test/integration/resync-owner-lookup-accounts.test.ts.
import { describe, expect, it } from "vitest";
import { arnLocation, registeredTargets, taggingOwnerLookup } from "../../../functions/resync/owner-lookup.ts";
import { AwsConfigurationError } from "../../../shared/aws/credentials.ts";
import { MemoryClusterRegistry } from "../../../shared/registry/memory.ts";
import { CONTROL_PLANE_ACCOUNT, crossAccountCluster, sameAccountCluster } from "../registry/fixtures.ts";

const LB = "arn:aws:elasticloadbalancing:us-east-1:444455556666:loadbalancer/app/k8s-web/50dc6c495c0c9188";

describe("tagging owner lookup routing", () => {
  it("reads the account and Region from an ARN, and nothing from what is not one", () => {
    expect(arnLocation(LB)).toEqual({ account: "444455556666", region: "us-east-1" });
    expect(arnLocation("not-an-arn")).toBeUndefined();
    expect(arnLocation("arn:aws:iam::444455556666:role/x")).toBeUndefined();
  });

  it("one target per account, Region, role and ExternalId, however many clusters share it", async () => {
    const registry = new MemoryClusterRegistry(CONTROL_PLANE_ACCOUNT);
    await registry.put(sameAccountCluster("a"), "create");
    await registry.put(sameAccountCluster("b"), "create");
    await registry.put(crossAccountCluster("c"), "create");
    expect(await registeredTargets(registry)).toEqual([
      { account: CONTROL_PLANE_ACCOUNT, region: "eu-west-1", cluster: "a" },
      {
        account: "444455556666",
        region: "us-east-1",
        roleArn: "arn:aws:iam::444455556666:role/switchyard-reconciler",
        externalId: "cluster-registry-7f3a",
        cluster: "c",
      },
    ]);
  });

  it("a target whose client cannot be made is reported and skipped, and the lookup answers", async () => {
    const warnings: Record<string, unknown>[] = [];
    const lookup = taggingOwnerLookup(
      {
        targets: async () => [{ account: "444455556666", region: "us-east-1", cluster: "c" }],
        client: () => {
          throw new AwsConfigurationError("RoleRequired", "444455556666", "c", "no role to assume");
        },
      },
      (_message, context) => warnings.push(context),
    );
    expect(await lookup.gatewaysOwning(LB)).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({
        arn: LB,
        account: "444455556666",
        cluster: "c",
        error: expect.stringContaining("no role"),
      }),
    ]);
  });
});
