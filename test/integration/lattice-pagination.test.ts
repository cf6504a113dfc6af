// Pagination of every List operation the Lattice emulator serves, through the SDK's own
// paginators: pages of at most maxResults (1-100), a nextToken while more remain, every item once
// in creation order, and a ValidationException for tokens the operation did not issue.
import {
  CreateAccessLogSubscriptionCommand,
  CreateRuleCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  DeleteServiceCommand,
  ListServicesCommand,
  ListTargetGroupsCommand,
  paginateListAccessLogSubscriptions,
  paginateListListeners,
  paginateListRules,
  paginateListServiceNetworkServiceAssociations,
  paginateListServiceNetworks,
  paginateListServiceNetworkVpcAssociations,
  paginateListServices,
  paginateListTargetGroups,
  paginateListTargets,
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

interface Page {
  items?: { id?: string }[];
  nextToken?: string;
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

async function pagesOf(paginator: AsyncIterable<Page>): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of paginator) pages.push((page.items ?? []).map((item) => String(item.id)));
  return pages;
}

describe("Lattice emulator pagination", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open();
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0, quotas: { listenersPerService: 5 } }));

  const config = () => ({ client, pageSize: 2 });

  /** Each case creates its items and returns their ids in creation order and the SDK paginator over them. */
  const cases: [string, () => Promise<{ ids: string[]; pages: AsyncIterable<Page> }>][] = [
    [
      "ListServiceNetworks",
      async () => {
        const ids: string[] = [];
        for (const index of range(5)) ids.push(String((await createNetwork(client, `net${index}`)).id));
        return { ids, pages: paginateListServiceNetworks(config(), {}) };
      },
    ],
    [
      "ListServices",
      async () => {
        const ids: string[] = [];
        for (const index of range(5)) ids.push(String((await createService(client, `svc${index}`)).id));
        return { ids, pages: paginateListServices(config(), {}) };
      },
    ],
    [
      "ListTargetGroups",
      async () => {
        const ids: string[] = [];
        for (const index of range(5)) ids.push(String((await createTargetGroup(client, `group${index}`)).id));
        return { ids, pages: paginateListTargetGroups(config(), {}) };
      },
    ],
    [
      "ListListeners",
      async () => {
        const service = await createService(client, "web");
        const ids: string[] = [];
        for (const index of range(5)) {
          ids.push(
            String((await createListener(client, String(service.id), { name: `port${index}`, port: 8000 + index })).id),
          );
        }
        return { ids, pages: paginateListListeners(config(), { serviceIdentifier: service.id }) };
      },
    ],
    [
      "ListRules",
      async () => {
        const service = await createService(client, "web");
        const listener = await createListener(client, String(service.id));
        const scope = { serviceIdentifier: service.id, listenerIdentifier: listener.id };
        const ids: string[] = [];
        for (const index of range(4)) {
          const rule = await client.send(
            new CreateRuleCommand({
              ...scope,
              name: `rule${index}`,
              priority: index + 1,
              match: { httpMatch: { method: `M${index}` } },
              action: { fixedResponse: { statusCode: 404 } },
            }),
          );
          ids.push(String(rule.id));
        }
        // The paginator writes maxResults and nextToken into its input: each gets its own copy.
        const pages = await pagesOf(paginateListRules({ client, pageSize: 100 }, { ...scope }));
        // The default rule comes first (QUIRKS.md VL).
        return { ids: [String(pages[0]?.[0]), ...ids], pages: paginateListRules(config(), { ...scope }) };
      },
    ],
    [
      "ListTargets",
      async () => {
        const group = await createTargetGroup(client, "pods");
        const targets = range(5).map((index) => ({ id: `10.0.0.${index + 1}` }));
        await client.send(new RegisterTargetsCommand({ targetGroupIdentifier: group.id, targets }));
        return {
          ids: targets.map((target) => target.id),
          pages: paginateListTargets(config(), { targetGroupIdentifier: group.id }),
        };
      },
    ],
    [
      "ListServiceNetworkServiceAssociations",
      async () => {
        const network = await createNetwork(client, "mesh");
        const ids: string[] = [];
        for (const index of range(5)) {
          const service = await createService(client, `svc${index}`);
          const association = await client.send(
            new CreateServiceNetworkServiceAssociationCommand({
              serviceIdentifier: service.id,
              serviceNetworkIdentifier: network.id,
            }),
          );
          ids.push(String(association.id));
        }
        return {
          ids,
          pages: paginateListServiceNetworkServiceAssociations(config(), { serviceNetworkIdentifier: network.id }),
        };
      },
    ],
    [
      "ListServiceNetworkVpcAssociations",
      async () => {
        const network = await createNetwork(client, "mesh");
        const ids: string[] = [];
        for (const index of range(5)) {
          const association = await client.send(
            new CreateServiceNetworkVpcAssociationCommand({
              serviceNetworkIdentifier: network.id,
              vpcIdentifier: `vpc-0000000${index}`,
            }),
          );
          ids.push(String(association.id));
        }
        return {
          ids,
          pages: paginateListServiceNetworkVpcAssociations(config(), { serviceNetworkIdentifier: network.id }),
        };
      },
    ],
    [
      "ListAccessLogSubscriptions",
      async () => {
        const network = await createNetwork(client, "mesh");
        const ids: string[] = [];
        for (const destinationArn of [
          "arn:aws:logs:us-east-1:111111111111:log-group:lattice",
          "arn:aws:s3:::lattice-logs",
          "arn:aws:firehose:us-east-1:111111111111:deliverystream/lattice",
        ]) {
          const subscription = await client.send(
            new CreateAccessLogSubscriptionCommand({ resourceIdentifier: network.id, destinationArn }),
          );
          ids.push(String(subscription.id));
        }
        return { ids, pages: paginateListAccessLogSubscriptions(config(), { resourceIdentifier: network.id }) };
      },
    ],
  ];

  it.each(cases)("%s pages at maxResults and lists every item once, in creation order", async (_name, setup) => {
    const { ids, pages } = await setup();
    const seen = await pagesOf(pages);
    expect(seen.flat()).toEqual(ids);
    expect(seen.every((page) => page.length <= 2)).toBe(true);
    expect(seen).toHaveLength(Math.ceil(ids.length / 2));
  });

  it("a page without maxResults holds the configured default page size", async () => {
    for (const index of range(3)) await createService(client, `svc${index}`);
    await control().configure({ defaultPageSize: 2 });
    const first = await client.send(new ListServicesCommand({}));
    expect(first.items).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const last = await client.send(new ListServicesCommand({ nextToken: first.nextToken }));
    expect(last.items).toHaveLength(1);
    expect(last.nextToken).toBeUndefined();
  });

  it("an item deleted between pages does not shift the next page", async () => {
    const ids: string[] = [];
    for (const index of range(4)) ids.push(String((await createService(client, `svc${index}`)).id));
    const first = await client.send(new ListServicesCommand({ maxResults: 2 }));
    await client.send(new DeleteServiceCommand({ serviceIdentifier: ids[0] }));
    const second = await client.send(new ListServicesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.items?.map((item) => item.id)).toEqual(ids.slice(2));
  });

  it("maxResults outside 1-100, a foreign token or another operation's token are ValidationException", async () => {
    for (const index of range(3)) await createService(client, `svc${index}`);
    const page = await client.send(new ListServicesCommand({ maxResults: 1 }));
    const refused = [
      await failure(client.send(new ListServicesCommand({ maxResults: 0 }))),
      await failure(client.send(new ListServicesCommand({ maxResults: 101 }))),
      await failure(client.send(new ListServicesCommand({ nextToken: "not-a-token" }))),
      await failure(client.send(new ListTargetGroupsCommand({ nextToken: page.nextToken }))),
    ];
    expect(refused.map((error) => error.name)).toEqual(Array(4).fill("ValidationException"));
  });
});
