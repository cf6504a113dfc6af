// Quotas and per-request limits in the Lattice emulator, as AWS reports them: account quotas from
// the User Guide's quota table are ServiceQuotaExceededException (HTTP 402) with their Service
// Quotas code; per-request limits from the API model are ValidationException.
import {
  CreateRuleCommand,
  type CreateRuleCommandInput,
  type CreateTargetGroupCommandOutput,
  RegisterTargetsCommand,
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
  resetLattice,
} from "./lattice-fixture.ts";

describe("Lattice emulator quotas and limits", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open();
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  async function listener() {
    const service = await createService(client, "api");
    const created = await createListener(client, String(service.id));
    return { service, ids: { serviceIdentifier: service.id, listenerIdentifier: created.id } };
  }

  const rule = (ids: object, index: number, extra: Partial<CreateRuleCommandInput> = {}) =>
    client.send(
      new CreateRuleCommand({
        serviceIdentifier: undefined,
        listenerIdentifier: undefined,
        ...ids,
        name: `rule${index}`,
        priority: index + 1,
        match: { httpMatch: { pathMatch: { match: { prefix: `/r${index}` } } } },
        action: { fixedResponse: { statusCode: 404 } },
        ...extra,
      }),
    );

  it("a service has at most 2 listeners (L-D64E952E)", async () => {
    const service = await createService(client, "web");
    await createListener(client, String(service.id), { name: "one", port: 80 });
    await createListener(client, String(service.id), { name: "two", port: 81 });
    const third = await failure(createListener(client, String(service.id), { name: "three", port: 82 }));
    expect(third).toMatchObject({
      name: "ServiceQuotaExceededException",
      $metadata: { httpStatusCode: 402 },
      quotaCode: "L-D64E952E",
      serviceCode: "vpc-lattice",
      resourceType: "LISTENER",
    });
  });

  it("a listener has at most 10 rules besides its default rule (L-CF78395E), more when the quota is raised", async () => {
    const { ids } = await listener();
    for (let index = 0; index < 10; index++) await rule(ids, index);
    const eleventh = await failure(rule(ids, 10));
    expect(eleventh).toMatchObject({ name: "ServiceQuotaExceededException", quotaCode: "L-CF78395E" });
    await control().configure({ quotas: { rulesPerListener: 11 } });
    expect((await rule(ids, 10)).priority).toBe(11);
  });

  it("a forward action names 1 to 10 target groups with weights 0-999, required when there are several", async () => {
    const { ids } = await listener();
    const groups: CreateTargetGroupCommandOutput[] = [];
    for (let index = 0; index < 11; index++) groups.push(await createTargetGroup(client, `group${index}`));
    await control().configure({ quotas: { targetGroupsPerService: 20 } });
    const forward = (count: number, weight: number | "none" = 1) => ({
      forward: {
        targetGroups: groups
          .slice(0, count)
          .map((group) =>
            weight === "none"
              ? { targetGroupIdentifier: String(group.id) }
              : { targetGroupIdentifier: String(group.id), weight },
          ),
      },
    });
    const eleven = await failure(rule(ids, 0, { action: forward(11) }));
    expect(eleven).toMatchObject({ name: "ValidationException" });
    expect(eleven.fieldList).toEqual([expect.objectContaining({ name: "action.forward.targetGroups" })]);
    expect((await failure(rule(ids, 0, { action: forward(0) }))).name).toBe("ValidationException");
    expect((await failure(rule(ids, 0, { action: forward(2, 1000) }))).name).toBe("ValidationException");
    expect((await failure(rule(ids, 0, { action: forward(2, "none") }))).name).toBe("ValidationException");
    const ten = await rule(ids, 0, { action: forward(10) });
    expect(ten.action?.forward?.targetGroups).toHaveLength(10);
  });

  it("a service forwards to at most targetGroupsPerService target groups (L-3DEC3B9F)", async () => {
    await control().configure({ quotas: { targetGroupsPerService: 2 } });
    const { ids } = await listener();
    const groups: CreateTargetGroupCommandOutput[] = [];
    for (let index = 0; index < 3; index++) groups.push(await createTargetGroup(client, `group${index}`));
    const to = (index: number) => ({
      forward: { targetGroups: [{ targetGroupIdentifier: String(groups[index]?.id) }] },
    });
    await rule(ids, 0, { action: to(0) });
    await rule(ids, 1, { action: to(1) });
    await rule(ids, 2, { action: to(1) });
    const third = await failure(rule(ids, 3, { action: to(2) }));
    expect(third).toMatchObject({ name: "ServiceQuotaExceededException", quotaCode: "L-3DEC3B9F" });
  });

  it("a rule matches at most 5 headers", async () => {
    const { ids } = await listener();
    const headers = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ name: `x-h${index}`, match: { exact: "v" } }));
    const six = await failure(rule(ids, 0, { match: { httpMatch: { headerMatches: headers(6) } } }));
    expect(six).toMatchObject({ name: "ValidationException" });
    expect(six.fieldList).toEqual([expect.objectContaining({ name: "match.httpMatch.headerMatches" })]);
    const five = await rule(ids, 0, { match: { httpMatch: { headerMatches: headers(5) } } });
    expect(five.match?.httpMatch?.headerMatches).toHaveLength(5);
  });

  it("RegisterTargets takes 1 to 100 targets per call; a target group holds targetsPerTargetGroup (L-D71303F3)", async () => {
    const group = await createTargetGroup(client, "pods");
    const targets = (count: number, from = 0) =>
      Array.from({ length: count }, (_, index) => ({
        id: `10.0.${Math.floor((from + index) / 250)}.${((from + index) % 250) + 1}`,
      }));
    const register = (list: { id: string }[]) =>
      client.send(new RegisterTargetsCommand({ targetGroupIdentifier: group.id, targets: list }));
    const tooMany = await failure(register(targets(101)));
    expect(tooMany.fieldList).toEqual([expect.objectContaining({ name: "targets" })]);
    expect((await failure(register([]))).name).toBe("ValidationException");
    expect((await register(targets(100))).successful).toHaveLength(100);

    await control().configure({ quotas: { targetsPerTargetGroup: 102 } });
    const over = await failure(register(targets(3, 100)));
    expect(over).toMatchObject({ name: "ServiceQuotaExceededException", quotaCode: "L-D71303F3" });
    // Registering known targets again does not count twice.
    expect((await register(targets(2, 99))).successful).toHaveLength(2);
  });

  it("service networks, services and target groups per region follow their quotas", async () => {
    await control().configure({
      quotas: { serviceNetworksPerRegion: 1, servicesPerRegion: 1, targetGroupsPerRegion: 1 },
    });
    await createNetwork(client, "one");
    await createService(client, "one");
    await createTargetGroup(client, "one");
    const refused = [
      await failure(createNetwork(client, "two")),
      await failure(createService(client, "two")),
      await failure(createTargetGroup(client, "two")),
    ];
    expect(refused.map((error) => [error.name, error.quotaCode])).toEqual([
      ["ServiceQuotaExceededException", "L-9CAD07FB"],
      ["ServiceQuotaExceededException", "L-620C821E"],
      ["ServiceQuotaExceededException", "L-BB11C6B9"],
    ]);
  });
});
