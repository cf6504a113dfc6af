// The Lattice emulator's Resource Groups Tagging API (GetResources) through the SDK's own client:
// its VPC Lattice resources of the caller's account and Region, filtered by tags (AND across
// filters, OR across one filter's values) and by the resource type embedded in the ARN, in pages of
// ResourcesPerPage with an empty PaginationToken on the last; the API reference's refusals as
// InvalidParameterException.
import {
  GetResourcesCommand,
  type GetResourcesCommandInput,
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { CreateServiceNetworkCommand, TagResourceCommand, type VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AwsCredentials, latticeSettings } from "../env/clients.ts";
import {
  Clients,
  control,
  createListener,
  createService,
  createTargetGroup,
  failure,
  KEYS,
  resetLattice,
} from "./lattice-fixture.ts";

const OWNED = { "switchyard.dev/managed-by": "switchyard", "switchyard.dev/gateway": "apps/net" };

describe("Lattice emulator: the tagging API's GetResources", () => {
  const clients = new Clients();
  const taggings: ResourceGroupsTaggingAPIClient[] = [];
  let a: VPCLatticeClient;
  let b: VPCLatticeClient;
  const tagging = (credentials: AwsCredentials = KEYS.a) => {
    const client = new ResourceGroupsTaggingAPIClient({ ...latticeSettings(credentials), maxAttempts: 1 });
    taggings.push(client);
    return client;
  };
  const arnsOf = async (input: GetResourcesCommandInput, credentials: AwsCredentials = KEYS.a) =>
    ((await tagging(credentials).send(new GetResourcesCommand(input))).ResourceTagMappingList ?? []).map(
      (m) => m.ResourceARN,
    );

  beforeAll(() => {
    a = clients.open(KEYS.a);
    b = clients.open(KEYS.b);
  });
  afterAll(() => {
    clients.close();
    for (const client of taggings) client.destroy();
  });
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  it("returns the caller's tagged services, networks and target groups with their tags, by tag and by type", async () => {
    const network = await a.send(new CreateServiceNetworkCommand({ name: "net", tags: OWNED }));
    const service = await createService(a, "web", { tags: { ...OWNED, team: "blue" } });
    const group = await createTargetGroup(a, "sy-web");
    await a.send(new TagResourceCommand({ resourceArn: group.arn, tags: { ...OWNED, team: "red" } }));
    // Untagged, another Gateway's, another account's: never among the answers below.
    const untagged = await createService(a, "plain");
    const other = await createService(a, "other", {
      tags: { "switchyard.dev/managed-by": "switchyard", "switchyard.dev/gateway": "apps/other" },
    });
    await createService(b, "web", { tags: OWNED });
    // A listener carries tags too, but no documented resource type names it.
    await createListener(a, String(service.arn), { tags: OWNED });

    const managed = [{ Key: "switchyard.dev/managed-by", Values: ["switchyard"] }];
    expect(await arnsOf({ TagFilters: managed })).toEqual([network.arn, service.arn, group.arn, other.arn]);
    // AND across filters.
    expect(await arnsOf({ TagFilters: [...managed, { Key: "switchyard.dev/gateway", Values: ["apps/net"] }] })).toEqual(
      [network.arn, service.arn, group.arn],
    );
    // OR across one filter's values; a filter without values matches the key alone.
    expect(await arnsOf({ TagFilters: [{ Key: "team", Values: ["red", "blue", "green"] }] })).toEqual([
      service.arn,
      group.arn,
    ]);
    expect(await arnsOf({ TagFilters: [{ Key: "team" }] })).toEqual([service.arn, group.arn]);
    // Resource types as the ARN embeds them; the service alone takes every type; other services none.
    expect(
      await arnsOf({ TagFilters: managed, ResourceTypeFilters: ["vpc-lattice:service", "vpc-lattice:targetgroup"] }),
    ).toEqual([service.arn, group.arn, other.arn]);
    expect(await arnsOf({ TagFilters: managed, ResourceTypeFilters: ["vpc-lattice:servicenetwork"] })).toEqual([
      network.arn,
    ]);
    expect(await arnsOf({ ResourceTypeFilters: ["vpc-lattice"] })).toHaveLength(4);
    expect(await arnsOf({ ResourceTypeFilters: ["elasticloadbalancing:loadbalancer"] })).toEqual([]);
    // Without filters: every tagged resource of the caller, none untagged.
    expect(await arnsOf({})).not.toContain(untagged.arn);
    // Account B sees its own service only.
    expect(await arnsOf({ TagFilters: managed }, KEYS.b)).toHaveLength(1);

    const [mapping] =
      (await tagging().send(new GetResourcesCommand({ ResourceARNList: [String(group.arn)] })))
        .ResourceTagMappingList ?? [];
    expect(mapping?.Tags).toEqual([
      { Key: "switchyard.dev/managed-by", Value: "switchyard" },
      { Key: "switchyard.dev/gateway", Value: "apps/net" },
      { Key: "team", Value: "red" },
    ]);
  });

  it("pages by ResourcesPerPage (1-100) with an empty PaginationToken on the last page, through the SDK's paginator", async () => {
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) arns.push(String((await createService(a, `web-${i}`, { tags: OWNED })).arn));
    const first = await tagging().send(new GetResourcesCommand({ ResourcesPerPage: 2 }));
    expect(first.ResourceTagMappingList?.map((m) => m.ResourceARN)).toEqual(arns.slice(0, 2));
    expect(first.PaginationToken).not.toBe("");
    const pages: string[][] = [];
    for await (const page of paginateGetResources({ client: tagging(), pageSize: 2 }, {})) {
      pages.push((page.ResourceTagMappingList ?? []).map((m) => String(m.ResourceARN)));
    }
    expect(pages).toEqual([arns.slice(0, 2), arns.slice(2, 4), arns.slice(4)]);
    const last = await tagging().send(new GetResourcesCommand({ ResourcesPerPage: 100 }));
    expect(last.ResourceTagMappingList).toHaveLength(5);
    expect(last.PaginationToken).toBe("");
    expect((await control().calls()).filter((c) => c.operation === "GetResources").length).toBeGreaterThanOrEqual(5);
  });

  it("refuses what the API reference refuses with InvalidParameterException", async () => {
    const service = await createService(a, "web", { tags: OWNED });
    for (const input of [
      { ResourcesPerPage: 0 },
      { ResourcesPerPage: 101 },
      { TagsPerPage: 99 },
      // ResourceARNList with any pagination parameter.
      { ResourceARNList: [String(service.arn)], ResourcesPerPage: 10 },
      { PaginationToken: "not-a-token" },
      { TagFilters: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` })) },
      { TagFilters: [{ Key: "k", Values: Array.from({ length: 21 }, (_, i) => `v${i}`) }] },
    ] satisfies GetResourcesCommandInput[]) {
      const error = await failure(tagging().send(new GetResourcesCommand(input)));
      expect([JSON.stringify(input), error.name]).toEqual([JSON.stringify(input), "InvalidParameterException"]);
    }
    // A token continues only the request that issued it.
    await createService(a, "api", { tags: OWNED });
    const token = (await tagging().send(new GetResourcesCommand({ ResourcesPerPage: 1 }))).PaginationToken;
    const other = await failure(
      tagging().send(
        new GetResourcesCommand({ ResourcesPerPage: 1, PaginationToken: token, TagFilters: [{ Key: "team" }] }),
      ),
    );
    expect(other.name).toBe("InvalidParameterException");
  });
});
