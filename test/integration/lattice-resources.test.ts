// The Lattice emulator's resources through the real @aws-sdk/client-vpc-lattice: each family's
// create, read, list, update and delete, with the shapes, formats and constraints of the API
// reference. Asynchronous states are off here (asyncSteps 0); lattice-async.test.ts covers them.
import {
  CreateAccessLogSubscriptionCommand,
  CreateRuleCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  CreateTargetGroupCommand,
  DeleteAccessLogSubscriptionCommand,
  DeleteAuthPolicyCommand,
  DeleteListenerCommand,
  DeleteResourcePolicyCommand,
  DeleteRuleCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteServiceNetworkVpcAssociationCommand,
  DeregisterTargetsCommand,
  GetAccessLogSubscriptionCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetResourcePolicyCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetServiceNetworkServiceAssociationCommand,
  GetServiceNetworkVpcAssociationCommand,
  GetTargetGroupCommand,
  ListAccessLogSubscriptionsCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ListTargetsCommand,
  PutAuthPolicyCommand,
  PutResourcePolicyCommand,
  RegisterTargetsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccessLogSubscriptionCommand,
  UpdateListenerCommand,
  UpdateRuleCommand,
  UpdateServiceCommand,
  UpdateServiceNetworkCommand,
  UpdateServiceNetworkVpcAssociationCommand,
  UpdateTargetGroupCommand,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ACCOUNT_A,
  Clients,
  control,
  createListener,
  createNetwork,
  createService,
  createTargetGroup,
  failure,
  OTHER_VPC,
  resetLattice,
  VPC,
} from "./lattice-fixture.ts";

const ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-z]{17}$`);
const ARN_HEAD = `arn:aws:vpc-lattice:us-east-1:${ACCOUNT_A}:`;
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*" }],
});

describe("Lattice emulator resources through the SDK", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open();
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  describe("service networks", () => {
    it("round-trip Create, Get, List, Update and Delete with AWS's id and ARN formats", async () => {
      const created = await createNetwork(client, "mesh");
      expect(created.$metadata.httpStatusCode).toBe(201);
      expect(created.id).toMatch(ID("sn"));
      expect(created.arn).toBe(`${ARN_HEAD}servicenetwork/${created.id}`);
      expect(created).toMatchObject({ name: "mesh", authType: "NONE", sharingConfig: { enabled: true } });

      const updated = await client.send(
        new UpdateServiceNetworkCommand({ serviceNetworkIdentifier: created.arn, authType: "AWS_IAM" }),
      );
      expect(updated.authType).toBe("AWS_IAM");
      const read = await client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: created.id }));
      expect(read).toMatchObject({ id: created.id, authType: "AWS_IAM", numberOfAssociatedServices: 0 });
      expect(read.createdAt).toBeInstanceOf(Date);
      const listed = await client.send(new ListServiceNetworksCommand({}));
      expect(listed.items?.map((item) => item.id)).toEqual([created.id]);

      const deleted = await client.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: created.id }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      const gone = await failure(client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: created.id })));
      expect(gone).toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } });
      expect(gone.resourceId).toBe(created.id);
    });

    it("rejects names outside the API's pattern with a ValidationException naming the field", async () => {
      const error = await failure(createNetwork(client, "Bad--Name"));
      expect(error).toMatchObject({ name: "ValidationException", reason: "fieldValidationFailed" });
      expect(error.fieldList).toEqual([expect.objectContaining({ name: "name" })]);
    });
  });

  describe("services", () => {
    it("keep custom domain name, certificate and auth type, with a DNS name derived from the service id", async () => {
      const certificateArn = "arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";
      const created = await createService(client, "shop", {
        customDomainName: "shop.example.com",
        certificateArn,
        authType: "AWS_IAM",
      });
      expect(created.id).toMatch(ID("svc"));
      expect(created.arn).toBe(`${ARN_HEAD}service/${created.id}`);
      expect(created.dnsEntry?.domainName).toMatch(
        /^shop-[0-9a-f]{17}\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws$/,
      );
      expect(created.dnsEntry?.hostedZoneId).toMatch(/^Z[0-9A-F]{13}$/);
      const other = await createService(client, "cart");
      expect(other.dnsEntry?.domainName).not.toBe(created.dnsEntry?.domainName);

      const read = await client.send(new GetServiceCommand({ serviceIdentifier: created.arn }));
      expect(read).toMatchObject({
        name: "shop",
        customDomainName: "shop.example.com",
        certificateArn,
        authType: "AWS_IAM",
        status: "ACTIVE",
        dnsEntry: created.dnsEntry,
      });

      const updated = await client.send(
        new UpdateServiceCommand({ serviceIdentifier: created.id, authType: "NONE", idleTimeoutSeconds: 120 }),
      );
      expect(updated).toMatchObject({
        authType: "NONE",
        idleTimeoutSeconds: 120,
        customDomainName: "shop.example.com",
      });
    });
  });

  describe("listeners", () => {
    it("default HTTP to port 80 and HTTPS to 443, and reject a third listener name or port clash", async () => {
      const service = await createService(client, "web");
      const http = await createListener(client, String(service.id));
      const https = await createListener(client, String(service.arn), { name: "https", protocol: "HTTPS" });
      expect(http).toMatchObject({ port: 80, protocol: "HTTP", serviceId: service.id, serviceArn: service.arn });
      expect(https.port).toBe(443);
      expect(http.id).toMatch(ID("listener"));
      expect(http.arn).toBe(`${service.arn}/listener/${http.id}`);
      const listed = await client.send(new ListListenersCommand({ serviceIdentifier: service.id }));
      expect(listed.items?.map((item) => [item.name, item.port])).toEqual([
        ["http", 80],
        ["https", 443],
      ]);
      const read = await client.send(
        new GetListenerCommand({ serviceIdentifier: service.id, listenerIdentifier: http.arn }),
      );
      expect(read.defaultAction).toEqual({ fixedResponse: { statusCode: 404 } });
    });

    it("allow TLS passthrough only with a port, a service custom domain name and TCP target groups", async () => {
      const plain = await createService(client, "plain");
      const tcp = await createTargetGroup(client, "tcp-backend", { port: 8443, protocol: "TCP", vpcIdentifier: VPC });
      const http = await createTargetGroup(client, "http-backend");
      const forwardTo = (id?: string) => ({ forward: { targetGroups: [{ targetGroupIdentifier: String(id) }] } });
      const noDomain = await failure(
        createListener(client, String(plain.id), {
          name: "tls",
          protocol: "TLS_PASSTHROUGH",
          port: 443,
          defaultAction: forwardTo(tcp.id),
        }),
      );
      expect(noDomain.name).toBe("ValidationException");

      const named = await createService(client, "secure", { customDomainName: "secure.example.com" });
      const noPort = await failure(
        createListener(client, String(named.id), {
          name: "tls",
          protocol: "TLS_PASSTHROUGH",
          defaultAction: forwardTo(tcp.id),
        }),
      );
      expect(noPort.fieldList).toEqual([expect.objectContaining({ name: "port" })]);
      const toHttp = await failure(
        createListener(client, String(named.id), {
          name: "tls",
          protocol: "TLS_PASSTHROUGH",
          port: 443,
          defaultAction: forwardTo(http.id),
        }),
      );
      expect(toHttp.name).toBe("ValidationException");
      const tls = await createListener(client, String(named.id), {
        name: "tls",
        protocol: "TLS_PASSTHROUGH",
        port: 443,
        defaultAction: forwardTo(tcp.id),
      });
      expect(tls).toMatchObject({ protocol: "TLS_PASSTHROUGH", port: 443 });
      const rule = await failure(
        client.send(
          new CreateRuleCommand({
            serviceIdentifier: named.id,
            listenerIdentifier: tls.id,
            name: "extra",
            priority: 1,
            match: { httpMatch: { method: "GET" } },
            action: forwardTo(tcp.id),
          }),
        ),
      );
      expect(rule.name).toBe("ValidationException");
    });

    it("UpdateListener replaces the default action, which the listed default rule carries", async () => {
      const service = await createService(client, "web");
      const group = await createTargetGroup(client, "web-backend");
      const listener = await createListener(client, String(service.id));
      const action = { forward: { targetGroups: [{ targetGroupIdentifier: String(group.arn) }] } };
      const updated = await client.send(
        new UpdateListenerCommand({
          serviceIdentifier: service.id,
          listenerIdentifier: listener.id,
          defaultAction: action,
        }),
      );
      // Target groups are echoed by id, whichever identifier was sent (QUIRKS.md VL).
      expect(updated.defaultAction).toEqual({
        forward: { targetGroups: [{ targetGroupIdentifier: group.id, weight: 1 }] },
      });
      const rules = await client.send(
        new ListRulesCommand({ serviceIdentifier: service.id, listenerIdentifier: listener.id }),
      );
      const defaultRule = rules.items?.find((rule) => rule.isDefault);
      expect(defaultRule?.id).toMatch(ID("rule"));
      const read = await client.send(
        new GetRuleCommand({
          serviceIdentifier: service.id,
          listenerIdentifier: listener.id,
          ruleIdentifier: defaultRule?.arn,
        }),
      );
      expect(read).toMatchObject({ isDefault: true, action: updated.defaultAction });
    });

    it("DeleteListener takes the listener's rules with it", async () => {
      const service = await createService(client, "web");
      const listener = await createListener(client, String(service.id));
      const rule = await client.send(
        new CreateRuleCommand({
          serviceIdentifier: service.id,
          listenerIdentifier: listener.id,
          name: "api",
          priority: 1,
          match: { httpMatch: { pathMatch: { match: { prefix: "/api" } } } },
          action: { fixedResponse: { statusCode: 500 } },
        }),
      );
      await client.send(new DeleteListenerCommand({ serviceIdentifier: service.id, listenerIdentifier: listener.id }));
      expect((await client.send(new ListListenersCommand({ serviceIdentifier: service.id }))).items).toEqual([]);
      const error = await failure(client.send(new TagResourceCommand({ resourceArn: rule.arn, tags: { a: "b" } })));
      expect(error.name).toBe("ResourceNotFoundException");
    });
  });

  describe("rules", () => {
    it("keep method, path and header matches with their case sensitivity, and a weighted forward action", async () => {
      const service = await createService(client, "api");
      const listener = await createListener(client, String(service.id));
      const blue = await createTargetGroup(client, "blue");
      const green = await createTargetGroup(client, "green");
      const match = {
        httpMatch: {
          method: "POST",
          pathMatch: { match: { prefix: "/Orders" }, caseSensitive: false },
          headerMatches: [
            { name: "x-tenant", match: { exact: "acme" }, caseSensitive: true },
            { name: "x-trace", match: { prefix: "abc" } },
            { name: "user-agent", match: { contains: "curl" } },
          ],
        },
      };
      const action = {
        forward: {
          targetGroups: [
            { targetGroupIdentifier: String(blue.id), weight: 80 },
            { targetGroupIdentifier: String(green.arn), weight: 20 },
          ],
        },
      };
      const created = await client.send(
        new CreateRuleCommand({
          serviceIdentifier: service.id,
          listenerIdentifier: listener.id,
          name: "orders",
          priority: 10,
          match,
          action,
          tags: { route: "orders" },
        }),
      );
      expect(created.id).toMatch(ID("rule"));
      expect(created.arn).toBe(`${listener.arn}/rule/${created.id}`);
      const read = await client.send(
        new GetRuleCommand({
          serviceIdentifier: service.arn,
          listenerIdentifier: listener.arn,
          ruleIdentifier: created.arn,
        }),
      );
      expect(read).toMatchObject({ name: "orders", priority: 10, isDefault: false, match });
      expect(read.action).toEqual({
        forward: {
          targetGroups: [
            { targetGroupIdentifier: blue.id, weight: 80 },
            { targetGroupIdentifier: green.id, weight: 20 },
          ],
        },
      });
      const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: created.arn }));
      expect(tags.tags).toEqual({ route: "orders" });
    });

    it("UpdateRule changes match, priority and action; the default rule cannot be updated or deleted", async () => {
      const service = await createService(client, "api");
      const listener = await createListener(client, String(service.id));
      const ids = { serviceIdentifier: service.id, listenerIdentifier: listener.id };
      const rule = await client.send(
        new CreateRuleCommand({
          ...ids,
          name: "first",
          priority: 1,
          match: { httpMatch: { method: "GET" } },
          action: { fixedResponse: { statusCode: 404 } },
        }),
      );
      const updated = await client.send(
        new UpdateRuleCommand({
          ...ids,
          ruleIdentifier: rule.id,
          priority: 7,
          match: { httpMatch: { pathMatch: { match: { exact: "/health" } } } },
          action: { fixedResponse: { statusCode: 500 } },
        }),
      );
      expect(updated).toMatchObject({
        priority: 7,
        match: { httpMatch: { pathMatch: { match: { exact: "/health" } } } },
        action: { fixedResponse: { statusCode: 500 } },
      });

      const listed = await client.send(new ListRulesCommand(ids));
      expect(listed.items?.map((item) => [item.name, item.isDefault, item.priority])).toEqual([
        ["default", true, undefined],
        ["first", false, 7],
      ]);
      const defaultId = listed.items?.find((item) => item.isDefault)?.id;
      const update = await failure(
        client.send(new UpdateRuleCommand({ ...ids, ruleIdentifier: defaultId, priority: 3 })),
      );
      expect(update.name).toBe("ValidationException");
      const remove = await failure(client.send(new DeleteRuleCommand({ ...ids, ruleIdentifier: defaultId })));
      expect(remove.name).toBe("ValidationException");

      await client.send(new DeleteRuleCommand({ ...ids, ruleIdentifier: rule.arn }));
      const gone = await failure(client.send(new GetRuleCommand({ ...ids, ruleIdentifier: rule.id })));
      expect(gone.name).toBe("ResourceNotFoundException");
    });

    it("need at least one match criterion and answer fixed responses with 404 or 500 only", async () => {
      const service = await createService(client, "api");
      const listener = await createListener(client, String(service.id));
      const create = (match: object, statusCode: number) =>
        client.send(
          new CreateRuleCommand({
            serviceIdentifier: service.id,
            listenerIdentifier: listener.id,
            name: "probe",
            priority: 1,
            match: match as { httpMatch: object },
            action: { fixedResponse: { statusCode } },
          }),
        );
      expect((await failure(create({ httpMatch: {} }, 404))).name).toBe("ValidationException");
      expect((await failure(create({ httpMatch: { method: "GET" } }, 403))).name).toBe("ValidationException");
      const path = await failure(create({ httpMatch: { pathMatch: { match: { prefix: "no-slash" } } } }, 404));
      expect(path.fieldList).toEqual([expect.objectContaining({ name: "match.httpMatch.pathMatch.match.prefix" })]);
      expect((await create({ httpMatch: { method: "GET" } }, 500)).priority).toBe(1);
    });
  });

  describe("target groups", () => {
    it("fill in the documented defaults for IP groups and take only each type's configuration", async () => {
      const ip = await createTargetGroup(client, "pods");
      expect(ip.id).toMatch(ID("tg"));
      expect(ip.arn).toBe(`${ARN_HEAD}targetgroup/${ip.id}`);
      expect(ip.config).toMatchObject({
        port: 8080,
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        ipAddressType: "IPV4",
        vpcIdentifier: VPC,
        healthCheck: { enabled: true, path: "/", healthCheckIntervalSeconds: 30, matcher: { httpCode: "200" } },
      });
      const lambda = await client.send(new CreateTargetGroupCommand({ name: "handler", type: "LAMBDA" }));
      expect(lambda.config).toEqual({ lambdaEventStructureVersion: "V1" });
      const tcp = await createTargetGroup(client, "tcp", { port: 443, protocol: "TCP", vpcIdentifier: VPC });
      expect(tcp.config?.healthCheck).toEqual({ enabled: false });

      const rejected = await Promise.all([
        failure(
          client.send(new CreateTargetGroupCommand({ name: "handler-two", type: "LAMBDA", config: { port: 80 } })),
        ),
        failure(client.send(new CreateTargetGroupCommand({ name: "vms", type: "INSTANCE" }))),
        failure(
          createTargetGroup(
            client,
            "alb",
            { port: 80, protocol: "HTTP", vpcIdentifier: VPC, healthCheck: { enabled: true } },
            "ALB",
          ),
        ),
        failure(createTargetGroup(client, "tcp2", { protocol: "TCP", vpcIdentifier: VPC })),
        failure(createTargetGroup(client, "bad-vpc", { port: 80, protocol: "HTTP", vpcIdentifier: "vpc-1" })),
      ]);
      expect(rejected.map((error) => error.name)).toEqual(Array(5).fill("ValidationException"));
    });

    it("UpdateTargetGroup merges health check settings; ListTargetGroups filters by VPC and type", async () => {
      const group = await createTargetGroup(client, "pods");
      await createTargetGroup(client, "elsewhere", { port: 80, protocol: "HTTP", vpcIdentifier: OTHER_VPC });
      await client.send(new CreateTargetGroupCommand({ name: "handler", type: "LAMBDA" }));
      const updated = await client.send(
        new UpdateTargetGroupCommand({
          targetGroupIdentifier: group.arn,
          healthCheck: { path: "/healthz", healthyThresholdCount: 3 },
        }),
      );
      expect(updated.config?.healthCheck).toMatchObject({ path: "/healthz", healthyThresholdCount: 3, enabled: true });
      const inVpc = await client.send(new ListTargetGroupsCommand({ vpcIdentifier: VPC }));
      expect(inVpc.items?.map((item) => item.name)).toEqual(["pods"]);
      const lambdas = await client.send(new ListTargetGroupsCommand({ targetGroupType: "LAMBDA" }));
      expect(lambdas.items?.map((item) => item.name)).toEqual(["handler"]);
    });

    it("name the services that forward to them in serviceArns", async () => {
      const group = await createTargetGroup(client, "pods");
      const service = await createService(client, "web");
      expect((await client.send(new GetTargetGroupCommand({ targetGroupIdentifier: group.id }))).serviceArns).toEqual(
        [],
      );
      await createListener(client, String(service.id), {
        defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: String(group.id) }] } },
      });
      const read = await client.send(new GetTargetGroupCommand({ targetGroupIdentifier: group.id }));
      expect(read.serviceArns).toEqual([service.arn]);
    });
  });

  describe("targets", () => {
    it("RegisterTargets takes each target on its own: wrong address families fail, the rest register", async () => {
      const group = await createTargetGroup(client, "pods");
      const result = await client.send(
        new RegisterTargetsCommand({
          targetGroupIdentifier: group.id,
          targets: [{ id: "10.0.0.1" }, { id: "10.0.0.2", port: 9090 }, { id: "fd00::1" }],
        }),
      );
      expect(result.successful).toEqual([
        { id: "10.0.0.1", port: 8080 },
        { id: "10.0.0.2", port: 9090 },
      ]);
      expect(result.unsuccessful).toEqual([
        expect.objectContaining({ id: "fd00::1", failureCode: "ValidationException" }),
      ]);
      const filtered = await client.send(
        new ListTargetsCommand({ targetGroupIdentifier: group.id, targets: [{ id: "10.0.0.2" }] }),
      );
      // Unused by any service: UNUSED, as the API reference defines it.
      expect(filtered.items).toEqual([{ id: "10.0.0.2", port: 9090, status: "UNUSED" }]);
    });

    it("report HEALTHY once a service forwards to the group, or the status the control API pins", async () => {
      const group = await createTargetGroup(client, "pods");
      const service = await createService(client, "web");
      await createListener(client, String(service.id), {
        defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: String(group.id) }] } },
      });
      await client.send(
        new RegisterTargetsCommand({
          targetGroupIdentifier: group.id,
          targets: [{ id: "10.0.0.1" }, { id: "10.0.0.2" }],
        }),
      );
      await control().setTargetHealth({ targetGroupArn: String(group.arn), id: "10.0.0.2", status: "UNHEALTHY" });
      const listed = await client.send(new ListTargetsCommand({ targetGroupIdentifier: group.id }));
      expect(listed.items?.map((item) => [item.id, item.status])).toEqual([
        ["10.0.0.1", "HEALTHY"],
        ["10.0.0.2", "UNHEALTHY"],
      ]);
      await client.send(
        new DeregisterTargetsCommand({ targetGroupIdentifier: group.id, targets: [{ id: "10.0.0.1" }] }),
      );
      const after = await client.send(new ListTargetsCommand({ targetGroupIdentifier: group.id }));
      expect(after.items?.map((item) => item.id)).toEqual(["10.0.0.2"]);
    });
  });

  describe("associations", () => {
    it("a service network ↔ service association is read, listed by either side, and counted", async () => {
      const network = await createNetwork(client, "mesh");
      const service = await createService(client, "web", { customDomainName: "web.example.com" });
      const created = await client.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceIdentifier: service.id,
          serviceNetworkIdentifier: network.id,
        }),
      );
      expect(created.$metadata.httpStatusCode).toBe(200);
      expect(created.id).toMatch(ID("snsa"));
      expect(created.arn).toBe(`${ARN_HEAD}servicenetworkserviceassociation/${created.id}`);
      expect(created).toMatchObject({
        createdBy: ACCOUNT_A,
        customDomainName: "web.example.com",
        dnsEntry: service.dnsEntry,
      });
      const read = await client.send(
        new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: created.arn }),
      );
      expect(read).toMatchObject({
        status: "ACTIVE",
        serviceName: "web",
        serviceArn: service.arn,
        serviceNetworkName: "mesh",
        serviceNetworkArn: network.arn,
      });
      const byNetwork = await client.send(
        new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: network.arn }),
      );
      const byService = await client.send(
        new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service.id }),
      );
      expect(byNetwork.items?.map((item) => item.id)).toEqual([created.id]);
      expect(byService.items?.map((item) => item.id)).toEqual([created.id]);
      expect(
        (await client.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network.id })))
          .numberOfAssociatedServices,
      ).toBe(1);
      const neither = await failure(client.send(new ListServiceNetworkServiceAssociationsCommand({})));
      expect(neither.name).toBe("ValidationException");

      await client.send(
        new DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: created.id }),
      );
      expect(
        (await client.send(new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: service.id }))).items,
      ).toEqual([]);
    });

    it("a service network ↔ VPC association keeps its security groups, and an update cannot remove them all", async () => {
      const network = await createNetwork(client, "mesh");
      const created = await client.send(
        new CreateServiceNetworkVpcAssociationCommand({
          serviceNetworkIdentifier: network.id,
          vpcIdentifier: VPC,
          securityGroupIds: ["sg-0123456789abcdef0"],
        }),
      );
      expect(created.id).toMatch(ID("snva"));
      expect(created.securityGroupIds).toEqual(["sg-0123456789abcdef0"]);
      const id = { serviceNetworkVpcAssociationIdentifier: created.id };
      const empty = await failure(
        client.send(new UpdateServiceNetworkVpcAssociationCommand({ ...id, securityGroupIds: [] })),
      );
      expect(empty.fieldList).toEqual([expect.objectContaining({ name: "securityGroupIds" })]);
      const six = await failure(
        client.send(
          new CreateServiceNetworkVpcAssociationCommand({
            serviceNetworkIdentifier: network.id,
            vpcIdentifier: OTHER_VPC,
            securityGroupIds: Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`),
          }),
        ),
      );
      expect(six.name).toBe("ValidationException");
      await client.send(
        new UpdateServiceNetworkVpcAssociationCommand({ ...id, securityGroupIds: ["sg-11111111", "sg-22222222"] }),
      );
      const read = await client.send(new GetServiceNetworkVpcAssociationCommand(id));
      expect(read).toMatchObject({
        vpcId: VPC,
        serviceNetworkId: network.id,
        securityGroupIds: ["sg-11111111", "sg-22222222"],
        createdBy: ACCOUNT_A,
      });
      const byVpc = await client.send(new ListServiceNetworkVpcAssociationsCommand({ vpcIdentifier: VPC }));
      expect(byVpc.items?.map((item) => item.id)).toEqual([created.id]);
      await client.send(new DeleteServiceNetworkVpcAssociationCommand(id));
      expect((await failure(client.send(new GetServiceNetworkVpcAssociationCommand(id)))).name).toBe(
        "ResourceNotFoundException",
      );
    });
  });

  describe("tags", () => {
    it("tags given at creation are listed; TagResource adds, UntagResource removes, aws: keys are refused", async () => {
      const service = await createService(client, "web", { tags: { owner: "team-a", env: "test" } });
      const arn = String(service.arn);
      await client.send(new TagResourceCommand({ resourceArn: arn, tags: { env: "prod", tier: "edge" } }));
      await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["owner", "absent"] }));
      const listed = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      expect(listed.tags).toEqual({ env: "prod", tier: "edge" });
      const reserved = await failure(client.send(new TagResourceCommand({ resourceArn: arn, tags: { "aws:x": "y" } })));
      expect(reserved.name).toBe("ValidationException");
    });
  });

  describe("policies", () => {
    it("an auth policy is Active only while the resource's auth type is AWS_IAM, and goes with DeleteAuthPolicy", async () => {
      const service = await createService(client, "web");
      const put = await client.send(new PutAuthPolicyCommand({ resourceIdentifier: service.id, policy: POLICY }));
      expect(put).toMatchObject({ policy: POLICY, state: "Inactive" });
      await client.send(new UpdateServiceCommand({ serviceIdentifier: service.id, authType: "AWS_IAM" }));
      const read = await client.send(new GetAuthPolicyCommand({ resourceIdentifier: service.arn }));
      expect(read).toMatchObject({ policy: POLICY, state: "Active" });
      expect(read.createdAt).toBeInstanceOf(Date);
      await client.send(new DeleteAuthPolicyCommand({ resourceIdentifier: service.id }));
      expect((await failure(client.send(new GetAuthPolicyCommand({ resourceIdentifier: service.id })))).name).toBe(
        "ResourceNotFoundException",
      );
    });

    it("PutAuthPolicy refuses newlines and documents over 10 KB; a network's policy is Active once its auth type is AWS_IAM", async () => {
      const network = await createNetwork(client, "mesh");
      const multiline = await failure(
        client.send(
          new PutAuthPolicyCommand({
            resourceIdentifier: network.id,
            policy: JSON.stringify(JSON.parse(POLICY), null, 2),
          }),
        ),
      );
      expect(multiline).toMatchObject({ name: "ValidationException", fieldList: [{ name: "policy" }] });
      const huge = JSON.stringify({ ...JSON.parse(POLICY), Id: "x".repeat(10 * 1024) });
      expect(
        (await failure(client.send(new PutAuthPolicyCommand({ resourceIdentifier: network.id, policy: huge })))).name,
      ).toBe("ValidationException");
      const put = await client.send(new PutAuthPolicyCommand({ resourceIdentifier: network.arn, policy: POLICY }));
      expect(put.state).toBe("Inactive");
      await client.send(new UpdateServiceNetworkCommand({ serviceNetworkIdentifier: network.id, authType: "AWS_IAM" }));
      expect((await client.send(new GetAuthPolicyCommand({ resourceIdentifier: network.id }))).state).toBe("Active");
      await client.send(new DeleteAuthPolicyCommand({ resourceIdentifier: network.arn }));
      expect((await failure(client.send(new GetAuthPolicyCommand({ resourceIdentifier: network.id })))).name).toBe(
        "ResourceNotFoundException",
      );
    });

    it("a service's auth policy and access log subscriptions go with DeleteService", async () => {
      const service = await createService(client, "web");
      await client.send(new PutAuthPolicyCommand({ resourceIdentifier: service.id, policy: POLICY }));
      const subscription = await client.send(
        new CreateAccessLogSubscriptionCommand({
          resourceIdentifier: service.arn,
          destinationArn: "arn:aws:s3:::lattice-logs",
        }),
      );
      await client.send(new DeleteServiceCommand({ serviceIdentifier: service.id }));
      await control().settle();
      const gone = await failure(
        client.send(new GetAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: subscription.id })),
      );
      expect(gone.name).toBe("ResourceNotFoundException");
    });

    it("a resource policy is stored per ARN and must be JSON on one line", async () => {
      const network = await createNetwork(client, "mesh");
      const arn = String(network.arn);
      const multiline = await failure(
        client.send(
          new PutResourcePolicyCommand({ resourceArn: arn, policy: JSON.stringify(JSON.parse(POLICY), null, 2) }),
        ),
      );
      expect(multiline.name).toBe("ValidationException");
      await client.send(new PutResourcePolicyCommand({ resourceArn: arn, policy: POLICY }));
      expect((await client.send(new GetResourcePolicyCommand({ resourceArn: arn }))).policy).toBe(POLICY);
      await client.send(new DeleteResourcePolicyCommand({ resourceArn: arn }));
      expect((await failure(client.send(new GetResourcePolicyCommand({ resourceArn: arn })))).name).toBe(
        "ResourceNotFoundException",
      );
    });
  });

  describe("access log subscriptions", () => {
    it("one per destination type and resource: Create, Get, List, Update, Delete", async () => {
      const network = await createNetwork(client, "mesh");
      const logs = "arn:aws:logs:us-east-1:111111111111:log-group:lattice";
      const bucket = "arn:aws:s3:::lattice-logs";
      const created = await client.send(
        new CreateAccessLogSubscriptionCommand({ resourceIdentifier: network.id, destinationArn: logs }),
      );
      expect(created.id).toMatch(ID("als"));
      expect(created).toMatchObject({
        resourceArn: network.arn,
        resourceId: network.id,
        serviceNetworkLogType: "SERVICE",
      });
      const again = await failure(
        client.send(
          new CreateAccessLogSubscriptionCommand({
            resourceIdentifier: network.arn,
            destinationArn: `${logs}-2`,
          }),
        ),
      );
      expect(again.name).toBe("ConflictException");
      await client.send(
        new CreateAccessLogSubscriptionCommand({ resourceIdentifier: network.arn, destinationArn: bucket }),
      );
      const listed = await client.send(new ListAccessLogSubscriptionsCommand({ resourceIdentifier: network.id }));
      expect(listed.items?.map((item) => item.destinationArn)).toEqual([logs, bucket]);
      const id = { accessLogSubscriptionIdentifier: created.id };
      await client.send(new UpdateAccessLogSubscriptionCommand({ ...id, destinationArn: `${logs}-new` }));
      expect((await client.send(new GetAccessLogSubscriptionCommand(id))).destinationArn).toBe(`${logs}-new`);
      await client.send(new DeleteAccessLogSubscriptionCommand(id));
      expect((await failure(client.send(new GetAccessLogSubscriptionCommand(id)))).name).toBe(
        "ResourceNotFoundException",
      );
      expect((await failure(client.send(new DeleteAccessLogSubscriptionCommand(id)))).name).toBe(
        "ResourceNotFoundException",
      );
    });

    it("keep the tags given at creation; a retry with the same client token returns the same subscription", async () => {
      const service = await createService(client, "web");
      const request = {
        resourceIdentifier: String(service.arn),
        destinationArn: "arn:aws:logs:us-east-1:111111111111:log-group:web",
        clientToken: "retry-1",
        tags: { "switchyard.dev/role": "access-log:web" },
      };
      const first = await client.send(new CreateAccessLogSubscriptionCommand(request));
      const again = await client.send(new CreateAccessLogSubscriptionCommand(request));
      expect(again.arn).toBe(first.arn);
      expect(
        (await client.send(new ListAccessLogSubscriptionsCommand({ resourceIdentifier: service.id }))).items,
      ).toHaveLength(1);
      expect((await client.send(new ListTagsForResourceCommand({ resourceArn: first.arn }))).tags).toEqual(
        request.tags,
      );
      // A service has no serviceNetworkLogType, and a destination of another kind is refused.
      expect(first.serviceNetworkLogType).toBeUndefined();
      const sqs = await failure(
        client.send(
          new CreateAccessLogSubscriptionCommand({
            resourceIdentifier: String(service.arn),
            destinationArn: "arn:aws:sqs:us-east-1:111111111111:queue",
          }),
        ),
      );
      expect(sqs).toMatchObject({ name: "ValidationException", fieldList: [{ name: "destinationArn" }] });
    });
  });
});
