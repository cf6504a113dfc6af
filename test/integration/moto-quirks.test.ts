// Where moto differs from AWS's documented behaviour (test/env/QUIRKS.md). Each test pins moto's
// current behaviour, so a moto upgrade that fixes one fails here and the note can be dropped.
// Code under test must not rely on any of these; its own validation or tests must cover them.
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { motoSettings, resetMoto, TEST_REGION, uniqueName } from "../env/clients.ts";

describe("moto quirks", () => {
  let ec2: EC2Client;
  let elbv2: ElasticLoadBalancingV2Client;
  let sqs: SQSClient;
  let subnets: string[];

  beforeAll(async () => {
    await resetMoto();
    ec2 = new EC2Client(motoSettings());
    elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
    sqs = new SQSClient(motoSettings());
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.30.0.0/16" }))).Vpc?.VpcId;
    subnets = [];
    for (const [zone, cidr] of [
      ["a", "10.30.1.0/24"],
      ["b", "10.30.2.0/24"],
    ] as const) {
      const subnet = await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: `${TEST_REGION}${zone}` }),
      );
      subnets.push(String(subnet.Subnet?.SubnetId));
    }
  });

  afterAll(() => {
    ec2?.destroy();
    elbv2?.destroy();
    sqs?.destroy();
  });

  it("SQS FIFO forgets a deduplication id once its message is deleted (AWS keeps it for 5 minutes)", async () => {
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: `${uniqueName("dedup")}.fifo`, Attributes: { FifoQueue: "true" } }),
      )
    ).QueueUrl;
    const send = (body: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageGroupId: "g",
          MessageDeduplicationId: "same-id",
        }),
      );
    await send("first");
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(first.Messages?.map((m) => m.Body)).toEqual(["first"]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }));

    await send("resent within the deduplication interval");
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    // AWS: accepted but not delivered, whatever happened to the first message.
    expect(second.Messages?.map((m) => m.Body)).toEqual(["resent within the deduplication interval"]);
  });

  it("ELBv2 CreateLoadBalancer with a name in use creates another load balancer (AWS: returns it or fails)", async () => {
    // AWS: the same settings return the existing load balancer (idempotent); other settings fail
    // with DuplicateLoadBalancerName. moto creates a new one each time, under a new ARN.
    const name = uniqueName("dup");
    const create = (scheme: "internet-facing" | "internal") =>
      elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, Scheme: scheme }));
    const first = (await create("internet-facing")).LoadBalancers?.[0]?.LoadBalancerArn;
    const sameSettings = (await create("internet-facing")).LoadBalancers?.[0]?.LoadBalancerArn;
    const otherSettings = (await create("internal")).LoadBalancers?.[0]?.LoadBalancerArn;
    expect(new Set([first, sameSettings, otherSettings]).size).toBe(3);
    // ...and DescribeLoadBalancers by name shows only one of them.
    const described = await elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] }));
    expect(described.LoadBalancers).toHaveLength(1);
  });

  it("ELBv2 gives a network load balancer an app/ ARN (AWS: loadbalancer/net/)", async () => {
    const name = uniqueName("nlb");
    const created = await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, Type: "network" }));
    expect(created.LoadBalancers?.[0]?.Type).toBe("network");
    expect(created.LoadBalancers?.[0]?.LoadBalancerArn).toContain(`:loadbalancer/app/${name}/`);
  });

  it("ELBv2 reports a new load balancer active at its first describe (AWS: provisioning for minutes)", async () => {
    const name = uniqueName("state");
    const created = await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets }));
    expect(created.LoadBalancers?.[0]?.State?.Code).toBe("provisioning");
    const described = await elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] }));
    expect(described.LoadBalancers?.[0]?.State?.Code).toBe("active");
  });
});
