// The network AWS gives every account, which moto leaves out: its default VPC has no internet
// gateway (test/env/QUIRKS.md, SG1), so an internet-facing load balancer finds no public subnet
// there. Not a test file itself: imported by test/integration/*.test.ts.

import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";

/**
 * Makes the default VPC's subnets public as in AWS: an internet gateway attached, and the main
 * route table sending 0.0.0.0/0 to it. Returns the VPC id.
 */
export async function publicDefaultVpc(ec2: EC2Client): Promise<string> {
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] })))
    .Vpcs?.[0]?.VpcId;
  if (!vpc) throw new Error("moto has no default VPC");
  const tables =
    (
      await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpc] },
            { Name: "association.main", Values: ["true"] },
          ],
        }),
      )
    ).RouteTables ?? [];
  const main = tables[0];
  if (!main?.RouteTableId) throw new Error(`no main route table in ${vpc}`);
  if (main.Routes?.some((r) => r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId?.startsWith("igw-"))) return vpc;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId;
  if (!igw) throw new Error("CreateInternetGateway answered without an id");
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  await ec2.send(
    new CreateRouteCommand({ RouteTableId: main.RouteTableId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
  );
  return vpc;
}
