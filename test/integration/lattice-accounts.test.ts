// Accounts in the Lattice emulator: the access key that signs a request decides its account (a
// table set through the control API; unknown keys act in 123456789012). A service network
// RAM-shared with another account (control API) is listed and readable there by ARN, and that
// account may associate its own services and VPCs with it, but may not change or delete it.
import {
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateServiceNetworkVpcAssociationCommand,
  DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetServiceNetworkServiceAssociationCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServiceNetworkVpcAssociationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PutAuthPolicyCommand,
  TagResourceCommand,
  UpdateServiceNetworkCommand,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  Clients,
  control,
  createListener,
  createNetwork,
  createService,
  createTargetGroup,
  failure,
  KEYS,
  OTHER_VPC,
  resetLattice,
} from "./lattice-fixture.ts";

describe("Lattice emulator accounts and RAM-shared service networks", () => {
  const clients = new Clients();
  let a: VPCLatticeClient;
  let b: VPCLatticeClient;

  beforeAll(() => {
    a = clients.open(KEYS.a);
    b = clients.open(KEYS.b);
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  async function sharedNetwork() {
    const network = await createNetwork(a, "shared");
    await control().share(String(network.arn), [ACCOUNT_B]);
    return network;
  }

  it("the signing access key decides the account, and one account's resources are invisible to another", async () => {
    const mine = await createService(a, "web");
    const theirs = await createService(b, "web");
    expect(mine.arn).toContain(`:${ACCOUNT_A}:service/`);
    expect(theirs.arn).toContain(`:${ACCOUNT_B}:service/`);
    expect((await b.send(new ListServicesCommand({}))).items?.map((item) => item.id)).toEqual([theirs.id]);
    const byArn = await failure(b.send(new GetServiceCommand({ serviceIdentifier: mine.arn })));
    expect(byArn).toMatchObject({ name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } });
    const byId = await failure(b.send(new GetServiceCommand({ serviceIdentifier: mine.id })));
    expect(byId.name).toBe("ResourceNotFoundException");

    const unmapped = clients.open({ accessKeyId: "AKIAUNMAPPEDKEY00000", secretAccessKey: "x" });
    expect((await createService(unmapped, "web")).arn).toContain(":123456789012:service/");
  });

  it("a shared service network is listed in the other account and readable there by ARN, not by id", async () => {
    const network = await createNetwork(a, "shared");
    expect((await b.send(new ListServiceNetworksCommand({}))).items).toEqual([]);
    await control().share(String(network.arn), [ACCOUNT_B]);
    const listed = await b.send(new ListServiceNetworksCommand({}));
    expect(listed.items?.map((item) => item.arn)).toEqual([network.arn]);
    const read = await b.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network.arn }));
    expect(read).toMatchObject({ id: network.id, name: "shared" });
    const byId = await failure(b.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network.id })));
    expect(byId.name).toBe("ResourceNotFoundException");
  });

  it("the other account associates its own service and VPC with the shared network; both sides see them", async () => {
    const network = await sharedNetwork();
    const service = await createService(b, "web");
    const byId = await failure(
      b.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceIdentifier: service.id,
          serviceNetworkIdentifier: network.id,
        }),
      ),
    );
    expect(byId.name).toBe("ResourceNotFoundException");
    const association = await b.send(
      new CreateServiceNetworkServiceAssociationCommand({
        serviceIdentifier: service.id,
        serviceNetworkIdentifier: network.arn,
      }),
    );
    expect(association).toMatchObject({ createdBy: ACCOUNT_B });
    expect(association.arn).toContain(`:${ACCOUNT_B}:servicenetworkserviceassociation/`);
    const vpc = await b.send(
      new CreateServiceNetworkVpcAssociationCommand({
        serviceNetworkIdentifier: network.arn,
        vpcIdentifier: OTHER_VPC,
      }),
    );

    const seenByOwner = await a.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: network.id }),
    );
    expect(seenByOwner.items).toEqual([
      expect.objectContaining({ id: association.id, createdBy: ACCOUNT_B, serviceArn: service.arn }),
    ]);
    const vpcs = await a.send(new ListServiceNetworkVpcAssociationsCommand({ serviceNetworkIdentifier: network.id }));
    expect(vpcs.items?.map((item) => item.id)).toEqual([vpc.id]);
    const read = await a.send(
      new GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: association.arn }),
    );
    expect(read.serviceName).toBe("web");
    expect(
      (await a.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: network.id }))).numberOfAssociatedServices,
    ).toBe(1);
    // Tags belong to the association's own account only.
    const tags = await failure(a.send(new ListTagsForResourceCommand({ resourceArn: association.arn })));
    expect(tags.name).toBe("AccessDeniedException");
    // The network owner may remove another account's service from its network.
    const removed = await a.send(
      new DeleteServiceNetworkServiceAssociationCommand({
        serviceNetworkServiceAssociationIdentifier: association.arn,
      }),
    );
    expect(removed.status).toBe("DELETE_IN_PROGRESS");
  });

  it("the other account may read the shared network but not update, tag, delete it or set its auth policy", async () => {
    const network = await sharedNetwork();
    const arn = String(network.arn);
    const refused = [
      await failure(b.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: arn }))),
      await failure(b.send(new UpdateServiceNetworkCommand({ serviceNetworkIdentifier: arn, authType: "AWS_IAM" }))),
      await failure(b.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: "b" } }))),
      await failure(b.send(new ListTagsForResourceCommand({ resourceArn: arn }))),
      await failure(b.send(new PutAuthPolicyCommand({ resourceIdentifier: arn, policy: "{}" }))),
    ];
    expect(refused.map((error) => error.name)).toEqual(Array(5).fill("AccessDeniedException"));
    expect(
      (await a.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: arn }))).$metadata.httpStatusCode,
    ).toBe(204);
  });

  it("without a share the other account can neither list nor associate, and unsharing hides the network again", async () => {
    const network = await createNetwork(a, "private");
    const service = await createService(b, "web");
    const associate = () =>
      b.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceIdentifier: service.id,
          serviceNetworkIdentifier: network.arn,
        }),
      );
    expect((await failure(associate())).name).toBe("AccessDeniedException");
    await control().share(String(network.arn), [ACCOUNT_B]);
    expect((await b.send(new ListServiceNetworksCommand({}))).items).toHaveLength(1);
    await control().unshare(String(network.arn));
    expect((await b.send(new ListServiceNetworksCommand({}))).items).toEqual([]);
  });

  it("the caller must own the service or the network: associating two resources shared with it is AccessDenied", async () => {
    const network = await sharedNetwork();
    const service = await createService(a, "web");
    await control().share(String(service.arn), [ACCOUNT_B]);
    expect((await b.send(new GetServiceCommand({ serviceIdentifier: service.arn }))).name).toBe("web");
    const refused = await failure(
      b.send(
        new CreateServiceNetworkServiceAssociationCommand({
          serviceIdentifier: service.arn,
          serviceNetworkIdentifier: network.arn,
        }),
      ),
    );
    expect(refused.name).toBe("AccessDeniedException");
  });

  it("a network created with sharing disabled cannot be shared", async () => {
    const network = await a.send(
      new CreateServiceNetworkCommand({ name: "closed", sharingConfig: { enabled: false } }),
    );
    await expect(control().share(String(network.arn), [ACCOUNT_B])).rejects.toThrow(/HTTP 409/);
  });

  it("a listener cannot forward to another account's target group", async () => {
    const group = await createTargetGroup(b, "pods");
    const service = await createService(a, "web");
    const refused = await failure(
      createListener(a, String(service.id), {
        defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: String(group.arn) }] } },
      }),
    );
    expect(refused.name).toBe("AccessDeniedException");
  });
});
