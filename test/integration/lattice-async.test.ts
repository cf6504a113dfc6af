// Asynchronous states in the Lattice emulator, deterministic and without sleeps: the emulator's
// clock advances one tick per API request (any operation, any account), and a transition that
// starts on a request completes `asyncSteps` ticks later. While a resource is busy, the calls AWS
// refuses in that state are ConflictException.
import {
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteServiceNetworkVpcAssociationCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  GetServiceCommand,
  GetServiceNetworkServiceAssociationCommand,
  GetServiceNetworkVpcAssociationCommand,
  GetTargetGroupCommand,
  ListListenersCommand,
  ListServicesCommand,
  ListTargetsCommand,
  RegisterTargetsCommand,
  UpdateServiceCommand,
  UpdateServiceNetworkVpcAssociationCommand,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  Clients,
  control,
  createListener,
  createNetwork,
  createService,
  createTargetGroup,
  failure,
  KEYS,
  resetLattice,
  VPC,
} from "./lattice-fixture.ts";

describe("Lattice emulator asynchronous states", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;
  let other: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open(KEYS.a);
    other = clients.open(KEYS.b);
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 2 }));

  const status = async (id?: string) => (await client.send(new GetServiceCommand({ serviceIdentifier: id }))).status;

  it("a new service is CREATE_IN_PROGRESS until asyncSteps requests later, then ACTIVE", async () => {
    const service = await createService(client, "web");
    expect(service.status).toBe("CREATE_IN_PROGRESS");
    expect(await status(service.id)).toBe("CREATE_IN_PROGRESS");
    expect(await status(service.id)).toBe("ACTIVE");
  });

  it("every request counts as a tick, whatever the operation or account", async () => {
    const service = await createService(client, "web");
    await other.send(new ListServicesCommand({}));
    expect(await status(service.id)).toBe("ACTIVE");
  });

  it("asyncSteps comes from the control API: 0 is ACTIVE at once, larger values take longer", async () => {
    await control().configure({ asyncSteps: 0 });
    expect((await createService(client, "now")).status).toBe("ACTIVE");
    await control().configure({ asyncSteps: 4 });
    const slow = await createService(client, "slow");
    const seen = [await status(slow.id), await status(slow.id), await status(slow.id), await status(slow.id)];
    expect(seen).toEqual(["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "ACTIVE"]);
  });

  it("the control API advances the clock or settles every pending transition", async () => {
    await control().configure({ asyncSteps: 50 });
    const first = await createService(client, "first");
    await createService(client, "second");
    await control().advance(48);
    // Created at ticks t and t+1, done at t+50 and t+51; this list is tick t+50.
    const listed = await client.send(new ListServicesCommand({}));
    expect(listed.items?.map((item) => [item.name, item.status])).toEqual([
      ["first", "ACTIVE"],
      ["second", "CREATE_IN_PROGRESS"],
    ]);
    expect(await status(first.id)).toBe("ACTIVE");
    const group = await createTargetGroup(client, "pods");
    await control().settle();
    expect((await client.send(new GetTargetGroupCommand({ targetGroupIdentifier: group.id }))).status).toBe("ACTIVE");
  });

  it("UpdateService and DeleteService are ConflictException while the service is CREATE_IN_PROGRESS", async () => {
    await control().configure({ asyncSteps: 10 });
    const service = await createService(client, "web");
    const update = await failure(
      client.send(new UpdateServiceCommand({ serviceIdentifier: service.id, authType: "AWS_IAM" })),
    );
    expect(update).toMatchObject({
      name: "ConflictException",
      $metadata: { httpStatusCode: 409 },
      resourceId: service.id,
    });
    const remove = await failure(client.send(new DeleteServiceCommand({ serviceIdentifier: service.id })));
    expect(remove.name).toBe("ConflictException");
    await control().settle();
    const updated = await client.send(new UpdateServiceCommand({ serviceIdentifier: service.id, authType: "AWS_IAM" }));
    expect(updated.authType).toBe("AWS_IAM");
  });

  it("DeleteService is DELETE_IN_PROGRESS, repeatable, and then the service and its listeners are gone", async () => {
    await control().configure({ asyncSteps: 3 });
    const service = await createService(client, "web");
    await control().settle();
    await createListener(client, String(service.id));
    const deleted = await client.send(new DeleteServiceCommand({ serviceIdentifier: service.id }));
    expect(deleted.status).toBe("DELETE_IN_PROGRESS");
    expect(await status(service.id)).toBe("DELETE_IN_PROGRESS");
    const repeated = await client.send(new DeleteServiceCommand({ serviceIdentifier: service.id }));
    expect(repeated.status).toBe("DELETE_IN_PROGRESS");
    const gone = await failure(client.send(new GetServiceCommand({ serviceIdentifier: service.id })));
    expect(gone.name).toBe("ResourceNotFoundException");
    const listeners = await failure(client.send(new ListListenersCommand({ serviceIdentifier: service.id })));
    expect(listeners.name).toBe("ResourceNotFoundException");
  });

  it("a listener may be added while the service is CREATE_IN_PROGRESS, not while it is DELETE_IN_PROGRESS", async () => {
    await control().configure({ asyncSteps: 5 });
    const service = await createService(client, "web");
    const listener = await createListener(client, String(service.id));
    expect(await status(service.id)).toBe("CREATE_IN_PROGRESS");
    expect(listener.serviceId).toBe(service.id);
    await control().settle();
    await client.send(new DeleteServiceCommand({ serviceIdentifier: service.id }));
    const refused = await failure(createListener(client, String(service.id), { name: "other", port: 8080 }));
    expect(refused).toMatchObject({ name: "ConflictException", resourceId: service.id });
  });

  it("a target group takes no targets and no delete while CREATE_IN_PROGRESS", async () => {
    await control().configure({ asyncSteps: 3 });
    const group = await createTargetGroup(client, "pods");
    expect(group.status).toBe("CREATE_IN_PROGRESS");
    const register = await failure(
      client.send(new RegisterTargetsCommand({ targetGroupIdentifier: group.id, targets: [{ id: "10.0.0.1" }] })),
    );
    expect(register).toMatchObject({ name: "ConflictException", resourceType: "TARGET_GROUP" });
    const remove = await failure(client.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: group.id })));
    expect(remove.name).toBe("ConflictException");
    // The two refused calls were two of the three ticks: the group is ACTIVE from this call on.
    const registered = await client.send(
      new RegisterTargetsCommand({ targetGroupIdentifier: group.id, targets: [{ id: "10.0.0.1" }] }),
    );
    expect(registered.successful).toEqual([{ id: "10.0.0.1", port: 8080 }]);
    const deleted = await client.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: group.id }));
    expect(deleted.status).toBe("DELETE_IN_PROGRESS");
    await control().settle();
    expect((await failure(client.send(new GetTargetGroupCommand({ targetGroupIdentifier: group.id })))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("targets are INITIAL, then HEALTHY; deregistered ones are DRAINING, then gone", async () => {
    const group = await createTargetGroup(client, "pods");
    const service = await createService(client, "web");
    await control().settle();
    await createListener(client, String(service.id), {
      defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: String(group.id) }] } },
    });
    await client.send(new RegisterTargetsCommand({ targetGroupIdentifier: group.id, targets: [{ id: "10.0.0.1" }] }));
    const list = async () =>
      (await client.send(new ListTargetsCommand({ targetGroupIdentifier: group.id }))).items?.map((t) => t.status);
    expect(await list()).toEqual(["INITIAL"]);
    expect(await list()).toEqual(["HEALTHY"]);
    await client.send(new DeregisterTargetsCommand({ targetGroupIdentifier: group.id, targets: [{ id: "10.0.0.1" }] }));
    expect(await list()).toEqual(["DRAINING"]);
    expect(await list()).toEqual([]);
  });

  it("a service association cannot be deleted while CREATE_IN_PROGRESS, then goes DELETE_IN_PROGRESS", async () => {
    const network = await createNetwork(client, "mesh");
    const service = await createService(client, "web");
    const association = await client.send(
      new CreateServiceNetworkServiceAssociationCommand({
        serviceIdentifier: service.id,
        serviceNetworkIdentifier: network.id,
      }),
    );
    expect(association.status).toBe("CREATE_IN_PROGRESS");
    const id = { serviceNetworkServiceAssociationIdentifier: association.id };
    const early = await failure(client.send(new DeleteServiceNetworkServiceAssociationCommand(id)));
    expect(early.name).toBe("ConflictException");
    expect((await client.send(new GetServiceNetworkServiceAssociationCommand(id))).status).toBe("ACTIVE");
    const deleted = await client.send(new DeleteServiceNetworkServiceAssociationCommand(id));
    expect(deleted.status).toBe("DELETE_IN_PROGRESS");
    expect((await client.send(new GetServiceNetworkServiceAssociationCommand(id))).status).toBe("DELETE_IN_PROGRESS");
    expect((await failure(client.send(new GetServiceNetworkServiceAssociationCommand(id)))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("a VPC association is UPDATE_IN_PROGRESS after an update and takes no other update or delete meanwhile", async () => {
    await control().configure({ asyncSteps: 3 });
    const network = await createNetwork(client, "mesh");
    const association = await client.send(
      new CreateServiceNetworkVpcAssociationCommand({
        serviceNetworkIdentifier: network.id,
        vpcIdentifier: VPC,
        securityGroupIds: ["sg-11111111"],
      }),
    );
    await control().settle();
    const id = { serviceNetworkVpcAssociationIdentifier: association.id };
    const updated = await client.send(
      new UpdateServiceNetworkVpcAssociationCommand({ ...id, securityGroupIds: ["sg-22222222"] }),
    );
    expect(updated.status).toBe("UPDATE_IN_PROGRESS");
    const again = await failure(
      client.send(new UpdateServiceNetworkVpcAssociationCommand({ ...id, securityGroupIds: ["sg-33333333"] })),
    );
    expect(again.name).toBe("ConflictException");
    const remove = await failure(client.send(new DeleteServiceNetworkVpcAssociationCommand(id)));
    expect(remove.name).toBe("ConflictException");
    const read = await client.send(new GetServiceNetworkVpcAssociationCommand(id));
    expect(read).toMatchObject({ status: "ACTIVE", securityGroupIds: ["sg-22222222"] });
  });
});
