// The client factory across accounts on moto: a target account is reached through STS AssumeRole
// (with ExternalId), its credentials are shared by every client of that account, and what is
// created there is invisible from the control-plane account. MOTO_ACCOUNT_ID must stay unset.
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { startExecution } from "../../shared/aws/elbv2/execute.ts";
import { discoverByTags, observeFromArns } from "../../shared/aws/elbv2/observe.ts";
import { loadBalancerName, ownershipTags } from "../../shared/elb/naming.ts";
import { emptyObserved } from "../../shared/elb/observed.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { executeEach } from "./aws-elbv2-fixture.ts";

const ACCOUNT_B = "222233334444";
const accountA: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const accountB: AwsTarget = {
  account: ACCOUNT_B,
  region: TEST_REGION,
  roleArn: `arn:aws:iam::${ACCOUNT_B}:role/switchyard-reconciler`,
  externalId: "cluster-registry-7f3a",
};
const GATEWAY = "apps/tenant";
const CLUSTER = "tenant-b";

describe("AWS client factory across accounts on moto", () => {
  let factory: AwsClientFactory;

  beforeAll(async () => {
    expect(process.env.MOTO_ACCOUNT_ID, "MOTO_ACCOUNT_ID overrides AssumeRole accounts").toBeUndefined();
    await resetMoto();
    factory = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      sessionName: "switchyard-reconcile",
    });
  });

  afterAll(() => factory?.destroy());

  it("acts in account B through AssumeRole, and B's load balancer is invisible to account A", async () => {
    const identity = await factory.sts(accountB).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(ACCOUNT_B);
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT_B}:assumed-role/switchyard-reconciler/switchyard-reconcile`);

    const name = loadBalancerName(CLUSTER, GATEWAY, "application", "internal");
    const ctx = await executeEach(
      factory.elbv2(accountB),
      [
        {
          op: "CreateLoadBalancer",
          name,
          type: "application",
          scheme: "internal",
          ipAddressType: "ipv4",
          subnets: [],
          securityGroups: [],
          tags: ownershipTags(CLUSTER, GATEWAY, "load-balancer"),
        },
      ],
      startExecution({ clusterId: CLUSTER, gatewayKey: GATEWAY }, emptyObserved()),
      { ec2: factory.ec2(accountB) },
    );
    const arn = ctx.loadBalancerArn ?? "";
    expect(arn).toContain(`:${ACCOUNT_B}:loadbalancer/`);

    const inB = await factory.elbv2(accountB).send(new DescribeLoadBalancersCommand({}));
    expect(inB.LoadBalancers?.map((lb) => lb.LoadBalancerArn)).toEqual([arn]);
    const inA = await factory.elbv2(accountA).send(new DescribeLoadBalancersCommand({}));
    expect(inA.LoadBalancers ?? []).toEqual([]);
    expect((await observeFromArns(factory.elbv2(accountA), ctx.observed)).loadBalancer).toBeUndefined();
    expect((await observeFromArns(factory.elbv2(accountB), ctx.observed)).loadBalancer?.arn).toBe(arn);
    const identityB = { cluster: CLUSTER, gateway: GATEWAY };
    expect(
      (await discoverByTags(factory.elbv2(accountA), factory.tagging(accountA), identityB)).loadBalancer,
    ).toBeUndefined();
    expect(
      (await discoverByTags(factory.elbv2(accountB), factory.tagging(accountB), identityB)).loadBalancer?.arn,
    ).toBe(arn);

    // One AssumeRole served every client of account B (STS, ELBv2, EC2, tagging).
    expect(factory.counter.calls("STS", "AssumeRole")).toBe(1);
  });

  it("refuses a role that belongs to another account than the target's", () => {
    expect(() => factory.elbv2({ ...accountB, account: "999999999999" })).toThrow(/is not in account 999999999999/);
  });

  it("refuses account B without a role: the control plane's own credentials land in account A", async () => {
    // No `account` option: the factory learns its own account from STS, as a deployment would.
    const fresh = new AwsClientFactory({ endpoint: motoSettings().endpoint, credentials: DUMMY_CREDENTIALS });
    try {
      const roleless: AwsTarget = { account: ACCOUNT_B, region: TEST_REGION, cluster: CLUSTER };
      const reading = discoverByTags(fresh.elbv2(roleless), undefined, { cluster: CLUSTER, gateway: GATEWAY });
      await expect(reading).rejects.toMatchObject({
        kind: "terminal",
        reason: "RoleRequired",
        message: expect.stringContaining(`cluster ${CLUSTER}, account ${ACCOUNT_B}`),
      });
      // Account A, the control plane's own, is reached with its own credentials as before.
      await expect(fresh.elbv2(accountA).send(new DescribeLoadBalancersCommand({}))).resolves.toBeDefined();
      expect(fresh.counter.calls("STS", "GetCallerIdentity")).toBe(1);
    } finally {
      fresh.destroy();
    }
  });

  it("refuses account B's role without an ExternalId, empty or missing", () => {
    const { externalId: _none, ...withoutExternalId } = accountB;
    for (const target of [withoutExternalId, { ...accountB, externalId: "" }]) {
      expect(() => factory.elbv2({ ...target, cluster: CLUSTER })).toThrow(
        /cluster tenant-b, account 222233334444: role .* has no ExternalId/,
      );
    }
  });

  it("refuses to create a load balancer without subnets in a VPC that does not exist, saying why", async () => {
    const creating = executeEach(
      factory.elbv2(accountB),
      [
        {
          op: "CreateLoadBalancer",
          name: "sy-nowhere",
          type: "application",
          scheme: "internal",
          ipAddressType: "ipv4",
          subnets: [],
          securityGroups: [],
          tags: ownershipTags(CLUSTER, GATEWAY, "load-balancer"),
        },
      ],
      startExecution({ clusterId: CLUSTER, gatewayKey: GATEWAY }, emptyObserved(), { name: "no-such-vpc" }),
      { ec2: factory.ec2(accountB) },
    );
    await expect(creating).rejects.toMatchObject({
      kind: "terminal",
      operation: "CreateLoadBalancer",
      message: expect.stringContaining('VPC named "no-such-vpc"'),
    });
  });
});
