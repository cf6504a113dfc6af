// A Lattice Gateway whose configuration is refused is held through the real adapter: the SDK over
// HTTP to the Lattice emulator, records in DynamoDB Local. The hold makes not one Lattice call and
// the services stay; deleting the Gateway then deletes them.
// SWITCHYARD_COMPONENTS=dynamodb,lattice
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListServicesCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsClientFactory } from "../../shared/aws/clients.ts";
import { reconcileDataPlane } from "../../shared/reconcile/engine.ts";
import { LATTICE_DATA_PLANE, latticeObservationOf } from "../../shared/reconcile/lattice-plane.ts";
import { dynamoDbSettings, latticeControl, latticeSettings, TEST_REGION } from "../env/clients.ts";
import { latticeModel } from "../fixtures/lattice-gateway.ts";
import {
  ACCOUNT,
  counted,
  KEY,
  type LatticeHarness,
  latticeFactory,
  latticeHarness,
  total,
} from "./lattice-reconcile-support.ts";

const REASON =
  "InvalidParameters: spec.infrastructure.parametersRef gateway.k8s.aws/LoadBalancerConfiguration is not supported for VPC Lattice";

let dynamo: DynamoDBClient;
let lattice: VPCLatticeClient;
let factory: AwsClientFactory;
let h: LatticeHarness;

beforeAll(() => {
  dynamo = new DynamoDBClient(dynamoDbSettings());
  lattice = new VPCLatticeClient({ ...latticeSettings(), maxAttempts: 1 });
});

afterAll(() => {
  dynamo?.destroy();
  lattice?.destroy();
});

beforeEach(async () => {
  await latticeControl().reset();
  factory = latticeFactory();
  h = await latticeHarness(dynamo, factory);
});

afterEach(() => factory.destroy());

const hold = () =>
  reconcileDataPlane(
    LATTICE_DATA_PLANE,
    h.port,
    { gatewayKey: KEY, dataPlane: "lattice", account: ACCOUNT, region: TEST_REGION, desired: undefined, hold: REASON },
    h.deps,
  );

async function serviceNames(): Promise<string[]> {
  return ((await lattice.send(new ListServicesCommand({}))).items ?? []).map((s) => s.name ?? "").sort();
}

describe("a held Lattice Gateway (emulator, DynamoDB Local)", () => {
  it("keeps its services with zero Lattice calls and says what serves; deleting the Gateway then deletes them", async () => {
    const desired = latticeModel({ routes: [{ paths: ["/a"] }, { paths: ["/b"] }] });
    expect((await h.reconcile(desired)).kind).toBe("applied");
    await h.settle(desired);
    const before = await serviceNames();
    // Two route services and the Gateway service.
    expect(before).toHaveLength(3);

    h.clock.now += 1_000;
    const { result, counts } = await counted(hold);
    expect(result.kind).toBe("held");
    expect(total(counts)).toBe(0);
    expect(await serviceNames()).toEqual(before);
    const observation = latticeObservationOf(result, undefined);
    expect(observation).toMatchObject({ programmed: false, address: expect.stringContaining("vpc-lattice-svcs") });
    expect(observation?.held).toContain("3 service(s) keep serving the last accepted configuration");

    h.clock.now += 1_000;
    expect((await h.reconcile(undefined)).kind).toBe("deleted");
    await latticeControl().settle();
    expect(await serviceNames()).toEqual([]);
  });

  it("a Lattice Gateway never programmed creates nothing", async () => {
    const { result, counts } = await counted(hold);
    expect(result.kind).toBe("held");
    expect(total(counts)).toBe(0);
    expect(await serviceNames()).toEqual([]);
  });
});
