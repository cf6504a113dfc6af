// ClientToken idempotency in the Lattice emulator: "If you retry a request that completed
// successfully using the same client token and parameters, the retry succeeds without performing
// any actions. If the parameters aren't identical, the retry fails." The SDK fills in a token and
// keeps it across its own retries, so an answer lost after AWS acted does not create twice.
import {
  CreateRuleCommand,
  CreateServiceCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateTargetGroupCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServicesCommand,
  ListTargetGroupsCommand,
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
  failure,
  KEYS,
  resetLattice,
  VPC,
} from "./lattice-fixture.ts";

describe("Lattice emulator client-token idempotency", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open();
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  it("the same token and request return the same resource, created once", async () => {
    const service = () => client.send(new CreateServiceCommand({ name: "web", clientToken: "token-service" }));
    const first = await service();
    const second = await service();
    expect(second.id).toBe(first.id);
    expect((await client.send(new ListServicesCommand({}))).items).toHaveLength(1);

    const group = () =>
      client.send(
        new CreateTargetGroupCommand({
          name: "pods",
          type: "IP",
          config: { port: 80, protocol: "HTTP", vpcIdentifier: VPC },
          clientToken: "token-group",
        }),
      );
    expect((await group()).arn).toBe((await group()).arn);
    expect((await client.send(new ListTargetGroupsCommand({}))).items).toHaveLength(1);

    const listener = await createListener(client, String(first.id));
    const ids = { serviceIdentifier: first.id, listenerIdentifier: listener.id };
    const rule = () =>
      client.send(
        new CreateRuleCommand({
          ...ids,
          name: "api",
          priority: 1,
          match: { httpMatch: { method: "GET" } },
          action: { fixedResponse: { statusCode: 404 } },
          clientToken: "token-rule",
        }),
      );
    expect((await rule()).id).toBe((await rule()).id);
    expect((await client.send(new ListRulesCommand(ids))).items).toHaveLength(2);

    const network = await createNetwork(client, "mesh");
    const association = () =>
      client.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceIdentifier: first.id,
          serviceNetworkIdentifier: network.id,
          clientToken: "token-association",
        }),
      );
    expect((await association()).id).toBe((await association()).id);
    const associations = await client.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceIdentifier: first.id }),
    );
    expect(associations.items).toHaveLength(1);
  });

  it("the same token with different parameters is a ConflictException", async () => {
    await client.send(new CreateServiceCommand({ name: "web", clientToken: "token-1" }));
    // Another name: without the token this create would succeed.
    const changed = await failure(client.send(new CreateServiceCommand({ name: "api", clientToken: "token-1" })));
    expect(changed).toMatchObject({ name: "ConflictException", $metadata: { httpStatusCode: 409 } });
    expect((await client.send(new ListServicesCommand({}))).items?.map((item) => item.name)).toEqual(["web"]);
  });

  it("a retry answers with the resource as it is now", async () => {
    await control().configure({ asyncSteps: 2 });
    const create = () => client.send(new CreateServiceCommand({ name: "web", clientToken: "token-now" }));
    expect((await create()).status).toBe("CREATE_IN_PROGRESS");
    await control().settle();
    expect((await create()).status).toBe("ACTIVE");
  });

  it("a token is the caller's own: another account's identical request creates its own resource", async () => {
    const other = clients.open(KEYS.b);
    const mine = await client.send(new CreateServiceCommand({ name: "web", clientToken: "shared-token" }));
    const theirs = await other.send(new CreateServiceCommand({ name: "web", clientToken: "shared-token" }));
    expect(theirs.id).not.toBe(mine.id);
    expect(mine.arn).toContain(`:${ACCOUNT_A}:`);
  });

  it("without the same token, a second create of the same name is a ConflictException", async () => {
    await createService(client, "web");
    expect((await failure(createService(client, "web"))).name).toBe("ConflictException");
  });

  it("the SDK's own token survives its retry: an answer lost after the create does not create twice", async () => {
    const retrying = clients.open(KEYS.a, { maxAttempts: 2 });
    await control().injectFault({ operation: "CreateService", error: "InternalServerException", when: "after" });
    const created = await retrying.send(new CreateServiceCommand({ name: "web" }));
    expect(created.$metadata.attempts).toBe(2);
    expect((await client.send(new ListServicesCommand({}))).items?.map((item) => item.id)).toEqual([created.id]);
    const calls = (await control().calls()).filter((call) => call.operation === "CreateService");
    expect(calls.map((call) => [call.status, call.fault ?? false])).toEqual([
      [500, true],
      [201, false],
    ]);
  });
});
