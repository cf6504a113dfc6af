// TargetGroupConfiguration fields beyond IP targets, end to end through the ELB port (AwsElb) the
// reconcile engine drives, from translated manifests: instance targets on moto (EC2 instances as
// the nodes, registered on the node port, the nodes' security groups admitting the backend group),
// multi-cluster target groups on moto (only this cluster's targets are ever deregistered), a
// LoadBalancerConfiguration's default TargetGroupConfiguration on moto, and the
// target control port, which moto does not implement: the exact CreateTargetGroup request and
// what the drift check reads back from a canned DescribeTargetGroups answer ("Where moto differs"
// pins QUIRKS.md TG1).

import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { ElbOperationError } from "../../shared/reconcile/ports.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { queryResponse, RequestRecorder } from "../../shared/testing/index.ts";
import { translate } from "../../shared/translate.ts";
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { serviceManifests } from "../fixtures/services.ts";

const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
const NODE_PORT = 30080;

let factory: AwsClientFactory;
let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;
let vpcId: string;
let subnet: string;
/** EC2 instances standing for the cluster's nodes, each behind its own security group. */
const instances: { id: string; group: string }[] = [];

interface NodeShape {
  name: string;
  instance: string;
  pool: string;
  ready?: boolean;
}

function nodeManifest(n: NodeShape): string {
  return `---
apiVersion: v1
kind: Node
metadata: {name: ${n.name}, labels: {pool: ${n.pool}}}
spec: {providerID: "aws:///${TEST_REGION}a/${n.instance}"}
status: {conditions: [{type: Ready, status: "${n.ready === false ? "False" : "True"}"}]}
`;
}

/** One ALB Gateway apps/<name> with an HTTPRoute to Service <name>, translated for `cluster`. */
function model(options: {
  cluster: string;
  name: string;
  /** TargetGroupProps of the Service's TargetGroupConfiguration, as a YAML flow mapping. */
  props: string;
  addresses?: readonly string[];
  nodes?: readonly NodeShape[];
}): LoadBalancerModel {
  const { name } = options;
  const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: apps}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps}
spec:
  parentRefs: [{name: ${name}}]
  rules: [{backendRefs: [{name: ${name}, port: 80}]}]
---
apiVersion: gateway.k8s.aws/v1beta1
kind: TargetGroupConfiguration
metadata: {name: ${name}, namespace: apps}
spec:
  targetReference: {name: ${name}}
  defaultConfiguration: ${options.props}
${serviceManifests({ name, addresses: options.addresses ?? [] })}${(options.nodes ?? []).map(nodeManifest).join("")}`;
  const loaded = loadManifests(yaml, `${name}.yaml`);
  expect(loaded.rejected).toEqual([]);
  const objects = loaded.objects.map((o) =>
    // The fixture's Service has no node port; instance targets need one.
    o.kind === "Service"
      ? { ...o, spec: { type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: NODE_PORT }] } }
      : o,
  );
  const built = translate(snapshotOf(objects), controllerConfig(), { clusterId: options.cluster });
  const lb = built.loadBalancers[0]?.model;
  if (!lb) {
    throw new Error(`no load balancer built for ${name}: ${JSON.stringify(built.statuses)}`);
  }
  return lb;
}

function port(cluster: string, gatewayKey: string, on = factory): AwsElb {
  return new AwsElb(on, target, { clusterId: cluster, gatewayKey }, { vpc: { id: vpcId } });
}

async function apply(elb: AwsElb, desired: LoadBalancerModel | undefined, observed: ObservedElb) {
  const operations = planElb(desired, observed).operations;
  let state = observed;
  const created = new Map<string, string>();
  for (const op of operations) state = await elb.execute(op, state, created);
  return { state, operations: operations.map((o) => o.op) };
}

async function rulesOf(groupId: string): Promise<SecurityGroupRule[]> {
  const out = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  return (out.SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
}

function summary(rules: readonly SecurityGroupRule[]): string[] {
  return rules
    .map((r) => `${r.IpProtocol} ${r.FromPort}-${r.ToPort} from ${r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId}`)
    .sort();
}

async function registered(arn: string): Promise<string[]> {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (out.TargetHealthDescriptions ?? [])
    .filter((d) => d.TargetHealth?.State !== "draining")
    .map((d) => `${d.Target?.Id}:${d.Target?.Port}`)
    .sort();
}

async function instance(name: string, image: string): Promise<{ id: string; group: string }> {
  const group =
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `node-${name}`, Description: "a node's group", VpcId: vpcId }),
      )
    ).GroupId ?? "";
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: image,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: "t3.medium",
      SubnetId: subnet,
      SecurityGroupIds: [group],
    }),
  );
  return { id: run.Instances?.[0]?.InstanceId ?? "", group };
}

beforeAll(async () => {
  await resetMoto();
  const { endpoint } = motoSettings();
  factory = new AwsClientFactory({ endpoint, credentials: DUMMY_CREDENTIALS });
  ec2 = new EC2Client(motoSettings());
  elbv2 = new ElasticLoadBalancingV2Client(motoSettings());
  vpcId =
    (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs?.[0]
      ?.VpcId ?? "";
  const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  subnet = subnets.Subnets?.find((s) => s.CidrBlock === "172.31.0.0/20")?.SubnetId ?? "";
  const image = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId ?? "";
  instances.push(await instance("a", image), await instance("b", image), await instance("c", image));
});

afterAll(() => {
  factory?.destroy();
  ec2?.destroy();
  elbv2?.destroy();
});

describe("instance targets on moto", () => {
  const cluster = "nodes";
  const elb = () => port(cluster, "apps/web");
  let state: ObservedElb = emptyObserved();
  const nodes = (): NodeShape[] => {
    const [a, b, c] = instances;
    return [
      { name: "node-a", instance: a?.id ?? "", pool: "web" },
      { name: "node-b", instance: b?.id ?? "", pool: "web" },
      { name: "node-c", instance: c?.id ?? "", pool: "batch" },
    ];
  };
  const props = "{targetType: instance, nodeSelector: {matchLabels: {pool: web}}}";

  it("creates an instance target group on the node port with the selected nodes' instances, each node's group admitting the backend group", async () => {
    const [a, b, c] = instances;
    if (!a || !b || !c) throw new Error("no instances");
    const desired = model({ cluster, name: "web", props, nodes: nodes() });
    ({ state } = await apply(elb(), desired, emptyObserved()));
    const arn = state.targetGroups[0]?.arn ?? "";
    const described = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).TargetGroups?.[0];
    expect(described).toMatchObject({ TargetType: "instance", Port: NODE_PORT });
    expect(await registered(arn)).toEqual([`${a.id}:${NODE_PORT}`, `${b.id}:${NODE_PORT}`].sort());
    const backend = state.securityGroups?.backend?.id ?? "";
    expect(summary(await rulesOf(a.group))).toEqual([`tcp ${NODE_PORT}-${NODE_PORT} from ${backend}`]);
    expect(summary(await rulesOf(b.group))).toEqual([`tcp ${NODE_PORT}-${NODE_PORT} from ${backend}`]);
    // node-c is not in the pool: not a target, its group untouched.
    expect(await rulesOf(c.group)).toEqual([]);
  });

  it("plans nothing once applied, from the record, after a drift check and after discovery", async () => {
    const desired = model({ cluster, name: "web", props, nodes: nodes() });
    expect(planElb(desired, state).operations).toEqual([]);
    const drifted = await elb().observe(state);
    expect(drifted.targetGroups[0]?.targetType).toBe("instance");
    expect(planElb(desired, drifted).operations).toEqual([]);
    expect(planElb(desired, await elb().discover()).operations).toEqual([]);
  });

  it("a node that stops being Ready leaves the group, and its group's rule goes", async () => {
    const [a, b] = instances;
    if (!a || !b) throw new Error("no instances");
    const notReady = nodes().map((n) => (n.name === "node-b" ? { ...n, ready: false } : n));
    const desired = model({ cluster, name: "web", props, nodes: notReady });
    const { state: after, operations } = await apply(elb(), desired, state);
    expect(operations).toEqual(["DeregisterTargets", "RevokeTargetIngress"]);
    state = after;
    expect(await registered(state.targetGroups[0]?.arn ?? "")).toEqual([`${a.id}:${NODE_PORT}`]);
    expect(await rulesOf(b.group)).toEqual([]);
    expect(summary(await rulesOf(a.group))).toHaveLength(1);
  });

  it("switching to IP targets replaces the group: a target type is fixed at creation", async () => {
    const desired = model({ cluster, name: "web", props: "{targetType: ip}", addresses: ["172.31.1.10"] });
    const plan = planElb(desired, state).operations.map((o) => o.op);
    expect(plan).toContain("CreateTargetGroup");
    expect(plan).toContain("DeleteTargetGroup");
  });
});

describe("a multi-cluster target group on moto", () => {
  const a = "cluster-a";
  const gateway = "apps/shop";
  const props = "{enableMultiCluster: true, targetGroupName: shop-web}";
  let state: ObservedElb = emptyObserved();
  let arn = "";

  it("cluster A creates the group and registers its own targets", async () => {
    const desired = model({ cluster: a, name: "shop", props, addresses: ["172.31.1.11", "172.31.1.12"] });
    ({ state } = await apply(port(a, gateway), desired, emptyObserved()));
    arn = state.targetGroups[0]?.arn ?? "";
    expect(state.targetGroups[0]?.multiCluster).toBe(true);
    expect(await registered(arn)).toEqual(["172.31.1.11:8080", "172.31.1.12:8080"]);
  });

  it("a second cluster's reconcile naming the same group is refused, and touches nothing", async () => {
    // A target group serves one load balancer (an AWS quota of 1), so cluster B's Gateway cannot
    // forward to cluster A's group: its create meets A's group by name and is a collision.
    const desired = model({ cluster: "cluster-b", name: "shop", props, addresses: ["172.31.2.21"] });
    const failure = await apply(port("cluster-b", gateway), desired, emptyObserved()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ElbOperationError);
    // On AWS the identical create answers A's group and the ownership check refuses it
    // (ForeignNameCollision); moto refuses the name itself (QUIRKS.md E6). Either way: a conflict.
    expect((failure as ElbOperationError).kind).toBe("conflict");
    expect(["ForeignNameCollision", "DuplicateTargetGroupName"]).toContain((failure as ElbOperationError).code);
    expect(await registered(arn)).toEqual(["172.31.1.11:8080", "172.31.1.12:8080"]);
  });

  it("cluster A's reconciles, drift checks and discovery never remove targets another cluster registered", async () => {
    // Cluster B contributes its pod through the group's ARN (as the AWS Load Balancer
    // Controller's multi-cluster TargetGroupBinding does).
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.2.21", Port: 8080 }] }));
    // Cluster A's endpoints change: one pod leaves, one joins.
    const desired = model({ cluster: a, name: "shop", props, addresses: ["172.31.1.12", "172.31.1.13"] });
    const { state: after, operations } = await apply(port(a, gateway), desired, state);
    expect(operations.filter((op) => op.endsWith("Targets"))).toEqual(["RegisterTargets", "DeregisterTargets"]);
    state = after;
    expect(await registered(arn)).toEqual(["172.31.1.12:8080", "172.31.1.13:8080", "172.31.2.21:8080"]);
    // A drift check reading the registered targets sees only A's own.
    const { observeFromArns } = await import("../../shared/aws/elbv2/observe.ts");
    const read = await observeFromArns(factory.elbv2(target), state, {
      owner: { cluster: a, gateway },
      targets: true,
    });
    expect(read.targetGroups[0]?.targets.map((t) => t.id).sort()).toEqual(["172.31.1.12", "172.31.1.13"]);
    expect(planElb(desired, { ...read, securityGroups: state.securityGroups }).operations).toEqual([]);
    // After a crash (no record), discovery takes no registered target as A's: nothing deregistered.
    const found = await port(a, gateway).discover();
    expect(found.targetGroups[0]?.multiCluster).toBe(true);
    const recovery = planElb(desired, found).operations;
    expect(recovery.filter((o) => o.op === "DeregisterTargets")).toEqual([]);
    await apply(port(a, gateway), desired, found);
    expect(await registered(arn)).toContain("172.31.2.21:8080");
  });

  it("without enableMultiCluster the same drift check would remove the other cluster's target", async () => {
    // The control: the record without the flag (a group switchyard fully owns) → the stranger goes.
    const owned = {
      ...state,
      targetGroups: state.targetGroups.map(({ multiCluster: _m, ...tg }) => tg),
    };
    const { observeFromArns } = await import("../../shared/aws/elbv2/observe.ts");
    const read = await observeFromArns(factory.elbv2(target), owned, { owner: { cluster: a, gateway }, targets: true });
    const desired = model({ cluster: a, name: "shop", props: "{targetGroupName: shop-web}", addresses: [] });
    const deregister = planElb(
      { ...desired, targetGroups: desired.targetGroups.map((tg) => ({ ...tg, id: read.targetGroups[0]?.id ?? "" })) },
      read,
    ).operations.find((o) => o.op === "DeregisterTargets");
    expect(deregister && "targets" in deregister ? deregister.targets.map((t) => t.id) : []).toContain("172.31.2.21");
  });
});

describe("the target control port (not in moto: the exact requests)", () => {
  const cluster = "control";
  const gateway = "apps/optim";
  let recorder: RequestRecorder;
  let recorded: AwsClientFactory;

  beforeAll(() => {
    recorder = new RequestRecorder();
    recorded = new AwsClientFactory({
      endpoint: motoSettings().endpoint,
      credentials: DUMMY_CREDENTIALS,
      requestHandler: recorder,
    });
  });

  afterAll(() => recorded?.destroy());

  it("CreateTargetGroup sends TargetControlPort, and the backend group is admitted on it", async () => {
    // A pod's network interface, so its group gets the backend group's rules.
    const group =
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: "pod-optim", Description: "a pod's group", VpcId: vpcId }),
        )
      ).GroupId ?? "";
    await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnet, PrivateIpAddress: "172.31.1.30", Groups: [group] }),
    );
    const desired = model({ cluster, name: "optim", props: "{targetControlPort: 3000}", addresses: ["172.31.1.30"] });
    const { state, operations } = await apply(port(cluster, gateway, recorded), desired, emptyObserved());
    expect(operations).toContain("AuthorizeTargetIngress");
    const create = recorder.of("CreateTargetGroup").at(-1);
    expect(create?.params).toMatchObject({ TargetControlPort: "3000", TargetType: "ip", Port: "8080" });
    expect(state.targetGroups[0]?.targetControlPort).toBe(3000);
    const backend = state.securityGroups?.backend?.id ?? "";
    expect(summary(await rulesOf(group))).toEqual([`tcp 3000-3000 from ${backend}`, `tcp 8080-8080 from ${backend}`]);
  });

  it("the drift check reads it from DescribeTargetGroups; another port there means a new group", async () => {
    const desired = model({ cluster, name: "optim", props: "{targetControlPort: 3000}", addresses: ["172.31.1.30"] });
    const tg = desired.targetGroups[0];
    if (!tg) throw new Error("no target group");
    const answer = (controlPort: number) =>
      queryResponse(
        "DescribeTargetGroups",
        `<TargetGroups><member><TargetGroupArn>arn:aws:elasticloadbalancing:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:targetgroup/${tg.name}/0123456789abcdef</TargetGroupArn>` +
          `<TargetGroupName>${tg.name}</TargetGroupName><Protocol>HTTP</Protocol><ProtocolVersion>HTTP1</ProtocolVersion><Port>8080</Port>` +
          "<TargetType>ip</TargetType><IpAddressType>ipv4</IpAddressType>" +
          `<TargetControlPort>${controlPort}</TargetControlPort>` +
          "<HealthCheckEnabled>true</HealthCheckEnabled><HealthCheckProtocol>HTTP</HealthCheckProtocol><HealthCheckPort>traffic-port</HealthCheckPort>" +
          "<HealthCheckPath>/</HealthCheckPath><HealthCheckIntervalSeconds>15</HealthCheckIntervalSeconds><HealthCheckTimeoutSeconds>5</HealthCheckTimeoutSeconds>" +
          "<HealthyThresholdCount>3</HealthyThresholdCount><UnhealthyThresholdCount>3</UnhealthyThresholdCount><Matcher><HttpCode>200-399</HttpCode></Matcher>" +
          "</member></TargetGroups>",
      );
    const record: ObservedElb = {
      ...emptyObserved(),
      targetGroups: [
        {
          id: tg.id,
          arn: `arn:aws:elasticloadbalancing:${TEST_REGION}:${MOTO_DEFAULT_ACCOUNT_ID}:targetgroup/${tg.name}/0123456789abcdef`,
          name: tg.name,
          protocol: "HTTP",
          port: 8080,
          targetType: "ip",
          targetControlPort: 3000,
          healthCheck: tg.healthCheck,
          attributes: {},
          targets: tg.targets,
        },
      ],
    };
    const { observeFromArns } = await import("../../shared/aws/elbv2/observe.ts");
    const read = async (controlPort: number) => {
      const replayed = new RequestRecorder().answer("DescribeTargetGroups", answer(controlPort));
      const client = new AwsClientFactory({
        endpoint: motoSettings().endpoint,
        credentials: DUMMY_CREDENTIALS,
        requestHandler: replayed,
      });
      try {
        return await observeFromArns(client.elbv2(target), record, { owner: { cluster, gateway } });
      } finally {
        client.destroy();
      }
    };
    const same = await read(3000);
    expect(same.targetGroups[0]?.targetControlPort).toBe(3000);
    expect(planElb({ ...desired, listeners: [] }, same).operations.map((o) => o.op)).not.toContain("CreateTargetGroup");
    const changed = await read(4000);
    expect(changed.targetGroups[0]?.targetControlPort).toBe(4000);
    expect(planElb({ ...desired, listeners: [] }, changed).operations.map((o) => o.op)).toContain("CreateTargetGroup");
  });

  it("where moto differs: it accepts TargetControlPort and never reports it", async () => {
    const created = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: "quirk-control-port",
        Protocol: "HTTP",
        Port: 8080,
        VpcId: vpcId,
        TargetType: "ip",
        TargetControlPort: 3000,
      }),
    );
    expect(created.TargetGroups?.[0]?.TargetControlPort).toBeUndefined();
    const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? "";
    const described = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    expect(described.TargetGroups?.[0]?.TargetControlPort).toBeUndefined();
  });
});

describe("a LoadBalancerConfiguration's default TargetGroupConfiguration on moto", () => {
  const cluster = "defaults";
  const elb = () => port(cluster, "apps/shop");
  let state: ObservedElb = emptyObserved();

  /** Gateway apps/shop (configuration `lbc` naming TGC `defaults`) routing to Services a and b; `a` has a TGC of its own. */
  function shop(defaults: string): LoadBalancerModel {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: lbc, namespace: apps}
spec: {defaultTargetGroupConfiguration: {name: defaults}}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: TargetGroupConfiguration
metadata: {name: defaults, namespace: apps}
spec: {defaultConfiguration: ${defaults}}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: TargetGroupConfiguration
metadata: {name: a, namespace: apps}
spec: {targetReference: {name: a}, defaultConfiguration: {healthCheckConfig: {healthCheckPath: /own}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: apps}
spec:
  gatewayClassName: alb
  infrastructure: {parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: lbc}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: apps}
spec:
  parentRefs: [{name: shop}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /b}}]
    backendRefs: [{name: b, port: 80}]
${serviceManifests({ name: "a", addresses: [] })}${serviceManifests({ name: "b", addresses: [] })}`;
    const loaded = loadManifests(yaml, "shop.yaml");
    expect(loaded.rejected).toEqual([]);
    const lb = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: cluster }).loadBalancers[0]
      ?.model;
    if (!lb) throw new Error("no load balancer built for shop");
    return lb;
  }

  async function described(): Promise<Record<string, { path?: string; delay?: string }>> {
    const out: Record<string, { path?: string; delay?: string }> = {};
    for (const tg of state.targetGroups) {
      const group = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.arn] })))
        .TargetGroups?.[0];
      const attributes = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.arn }));
      out[tg.id.split(":")[0] ?? ""] = {
        ...(group?.HealthCheckPath ? { path: group.HealthCheckPath } : {}),
        ...Object.fromEntries(
          (attributes.Attributes ?? [])
            .filter((x) => x.Key === "deregistration_delay.timeout_seconds")
            .map((x) => ["delay", x.Value]),
        ),
      };
    }
    return out;
  }

  it("every target group takes the defaults, a Service's own configuration wins field by field", async () => {
    const desired = shop(
      "{healthCheckConfig: {healthCheckPath: /healthz}, targetGroupAttributes: [{key: deregistration_delay.timeout_seconds, value: '15'}]}",
    );
    ({ state } = await apply(elb(), desired, emptyObserved()));
    expect(await described()).toEqual({
      "apps/a": { path: "/own", delay: "15" },
      "apps/b": { path: "/healthz", delay: "15" },
    });
    expect(planElb(desired, await elb().observe(state)).operations).toEqual([]);
  });

  it("a changed default reaches the groups that take it", async () => {
    const desired = shop(
      "{healthCheckConfig: {healthCheckPath: /ready}, targetGroupAttributes: [{key: deregistration_delay.timeout_seconds, value: '15'}]}",
    );
    const { state: after, operations } = await apply(elb(), desired, await elb().observe(state));
    state = after;
    expect(operations.filter((op) => op.includes("TargetGroup"))).toEqual([
      "CreateTargetGroup",
      "ModifyTargetGroupAttributes",
      "DeleteTargetGroup",
    ]);
    expect(await described()).toEqual({
      "apps/a": { path: "/own", delay: "15" },
      "apps/b": { path: "/ready", delay: "15" },
    });
  });
});
