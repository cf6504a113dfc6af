// ConflictException in the Lattice emulator: resources in use cannot be deleted, names and rule
// priorities are unique in their scope, a target group serves one service, a VPC joins one service
// network, and BatchUpdateRule judges priorities on the batch's end state (so a swap works).
import {
  BatchUpdateRuleCommand,
  CreateRuleCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteServiceNetworkVpcAssociationCommand,
  DeleteTargetGroupCommand,
  GetRuleCommand,
  GetServiceCommand,
  UpdateRuleCommand,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  Clients,
  createListener,
  createNetwork,
  createService,
  createTargetGroup,
  failure,
  OTHER_VPC,
  resetLattice,
  VPC,
} from "./lattice-fixture.ts";

const forward = (...ids: (string | undefined)[]) => ({
  forward: { targetGroups: ids.map((id) => ({ targetGroupIdentifier: String(id), weight: 1 })) },
});

describe("Lattice emulator conflicts", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open();
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  async function listenerWithRules(priorities: number[]) {
    const service = await createService(client, "api");
    const listener = await createListener(client, String(service.id));
    const ids = { serviceIdentifier: service.id, listenerIdentifier: listener.id };
    const rules = [];
    for (const [index, priority] of priorities.entries()) {
      rules.push(
        await client.send(
          new CreateRuleCommand({
            ...ids,
            name: `rule${index}`,
            priority,
            match: { httpMatch: { pathMatch: { match: { prefix: `/p${index}` } } } },
            action: { fixedResponse: { statusCode: 404 } },
          }),
        ),
      );
    }
    return { service, listener, ids, rules };
  }

  it("a service associated with a service network cannot be deleted until the association is gone", async () => {
    const network = await createNetwork(client, "mesh");
    const service = await createService(client, "web");
    await createListener(client, String(service.id));
    const association = await client.send(
      new CreateServiceNetworkServiceAssociationCommand({
        serviceIdentifier: service.id,
        serviceNetworkIdentifier: network.id,
      }),
    );
    const refused = await failure(client.send(new DeleteServiceCommand({ serviceIdentifier: service.id })));
    expect(refused).toMatchObject({ name: "ConflictException", resourceId: service.id, resourceType: "SERVICE" });
    await client.send(
      new DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: association.id }),
    );
    // Listeners do not block: "all resources related to the service, such as ... listeners" go with it.
    await client.send(new DeleteServiceCommand({ serviceIdentifier: service.id }));
    expect((await failure(client.send(new GetServiceCommand({ serviceIdentifier: service.id })))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("a service network with a service or VPC association cannot be deleted", async () => {
    const network = await createNetwork(client, "mesh");
    const service = await createService(client, "web");
    const serviceAssociation = await client.send(
      new CreateServiceNetworkServiceAssociationCommand({
        serviceIdentifier: service.id,
        serviceNetworkIdentifier: network.id,
      }),
    );
    const vpcAssociation = await client.send(
      new CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: network.id, vpcIdentifier: VPC }),
    );
    const remove = () => client.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: network.id }));
    expect((await failure(remove())).name).toBe("ConflictException");
    await client.send(
      new DeleteServiceNetworkServiceAssociationCommand({
        serviceNetworkServiceAssociationIdentifier: serviceAssociation.id,
      }),
    );
    expect((await failure(remove())).name).toBe("ConflictException");
    await client.send(
      new DeleteServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: vpcAssociation.id }),
    );
    expect((await remove()).$metadata.httpStatusCode).toBe(204);
  });

  it("a target group that a rule forwards to cannot be deleted; once no rule does, it can", async () => {
    const group = await createTargetGroup(client, "pods");
    const { ids, rules } = await listenerWithRules([1]);
    await client.send(new UpdateRuleCommand({ ...ids, ruleIdentifier: rules[0]?.id, action: forward(group.id) }));
    const refused = await failure(client.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: group.id })));
    expect(refused).toMatchObject({ name: "ConflictException", resourceId: group.id });
    await client.send(
      new UpdateRuleCommand({ ...ids, ruleIdentifier: rules[0]?.id, action: { fixedResponse: { statusCode: 404 } } }),
    );
    const deleted = await client.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: group.id }));
    expect(deleted.status).toBe("DELETE_IN_PROGRESS");
  });

  it("a target group serves a single service", async () => {
    const group = await createTargetGroup(client, "pods");
    const first = await createService(client, "first");
    const second = await createService(client, "second");
    await createListener(client, String(first.id), { defaultAction: forward(group.id) });
    const refused = await failure(createListener(client, String(second.id), { defaultAction: forward(group.arn) }));
    expect(refused).toMatchObject({ name: "ConflictException", resourceId: group.id });
  });

  it("names are unique per account for services, networks and target groups, per service for listeners, per listener for rules", async () => {
    await createService(client, "web");
    await createNetwork(client, "mesh");
    await createTargetGroup(client, "pods");
    const { ids, service } = await listenerWithRules([1]);
    const clashes = [
      await failure(createService(client, "web")),
      await failure(createNetwork(client, "mesh")),
      await failure(createTargetGroup(client, "pods")),
      await failure(createListener(client, String(service.id), { port: 8080 })),
      await failure(
        client.send(
          new CreateRuleCommand({
            ...ids,
            name: "rule0",
            priority: 2,
            match: { httpMatch: { method: "GET" } },
            action: { fixedResponse: { statusCode: 404 } },
          }),
        ),
      ),
    ];
    expect(clashes.map((error) => error.name)).toEqual(Array(5).fill("ConflictException"));
  });

  it("rule priorities are unique within a listener (ConflictException) and lie in 1-100 (ValidationException)", async () => {
    const { ids, rules } = await listenerWithRules([1, 2]);
    const create = (priority: number) =>
      client.send(
        new CreateRuleCommand({
          ...ids,
          name: `at${priority}`,
          priority,
          match: { httpMatch: { method: "GET" } },
          action: { fixedResponse: { statusCode: 404 } },
        }),
      );
    const taken = await failure(create(2));
    expect(taken).toMatchObject({ name: "ConflictException", resourceId: rules[1]?.id });
    const moved = await failure(
      client.send(new UpdateRuleCommand({ ...ids, ruleIdentifier: rules[0]?.id, priority: 2 })),
    );
    expect(moved.name).toBe("ConflictException");
    expect((await failure(create(0))).name).toBe("ValidationException");
    expect((await failure(create(101))).name).toBe("ValidationException");
    expect((await create(100)).priority).toBe(100);
  });

  it("BatchUpdateRule swaps two priorities in one call and fails only the entries whose end state clashes", async () => {
    const { ids, rules } = await listenerWithRules([1, 2, 3]);
    const [a, b, c] = rules;
    const swapped = await client.send(
      new BatchUpdateRuleCommand({
        ...ids,
        rules: [
          { ruleIdentifier: a?.id, priority: 2 },
          { ruleIdentifier: b?.arn, priority: 1 },
        ],
      }),
    );
    expect(swapped.unsuccessful).toEqual([]);
    expect(swapped.successful?.map((rule) => [rule.id, rule.priority])).toEqual([
      [a?.id, 2],
      [b?.id, 1],
    ]);

    const clash = await client.send(
      new BatchUpdateRuleCommand({
        ...ids,
        rules: [
          { ruleIdentifier: c?.id, priority: 1 },
          { ruleIdentifier: "rule-0000000000000000a", priority: 50 },
          { ruleIdentifier: a?.id, match: { httpMatch: { method: "PUT" } } },
        ],
      }),
    );
    expect(clash.successful?.map((rule) => rule.id)).toEqual([a?.id]);
    expect(clash.unsuccessful).toEqual([
      expect.objectContaining({ ruleIdentifier: c?.id, failureCode: "ConflictException" }),
      expect.objectContaining({ ruleIdentifier: "rule-0000000000000000a", failureCode: "ResourceNotFoundException" }),
    ]);
    const read = await client.send(new GetRuleCommand({ ...ids, ruleIdentifier: c?.id }));
    expect(read.priority).toBe(3);
  });

  it("a VPC joins at most one service network, and a service joins a network once", async () => {
    const network = await createNetwork(client, "mesh");
    const second = await createNetwork(client, "other");
    await client.send(
      new CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: network.id, vpcIdentifier: VPC }),
    );
    const vpcTwice = await failure(
      client.send(
        new CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: second.id, vpcIdentifier: VPC }),
      ),
    );
    expect(vpcTwice.name).toBe("ConflictException");
    await client.send(
      new CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: second.id, vpcIdentifier: OTHER_VPC }),
    );

    const service = await createService(client, "web");
    const associate = () =>
      client.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceIdentifier: service.id,
          serviceNetworkIdentifier: network.id,
        }),
      );
    await associate();
    expect((await failure(associate())).name).toBe("ConflictException");
  });
});
