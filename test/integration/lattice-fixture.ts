// Shared set-up of the Lattice emulator suites: SDK clients per account (the access key decides
// the account), a reset with the account table and settings, and builders for the usual resources.
import {
  CreateListenerCommand,
  type CreateListenerCommandInput,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  CreateServiceNetworkCommand,
  CreateTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { type AwsCredentials, latticeControl, latticeSettings } from "../env/clients.ts";
import type { ConfigPatch } from "../env/lattice/control-api.ts";

export const ACCOUNT_A = "111111111111";
export const ACCOUNT_B = "222222222222";
export const KEYS = {
  a: { accessKeyId: "AKIALATTICEACCOUNTA0", secretAccessKey: "secret-a" },
  b: { accessKeyId: "AKIALATTICEACCOUNTB0", secretAccessKey: "secret-b" },
} satisfies Record<string, AwsCredentials>;
export const VPC = "vpc-0a1b2c3d4e5f60718";
export const OTHER_VPC = "vpc-0a1b2c3d4e5f60719";

export const control = latticeControl;

/** A fresh emulator: no resources, accounts A and B mapped, then `config` (asyncSteps, quotas, ...). */
export async function resetLattice(config: ConfigPatch = {}): Promise<void> {
  const emulator = latticeControl();
  await emulator.reset();
  await emulator.mapAccounts({ [KEYS.a.accessKeyId]: ACCOUNT_A, [KEYS.b.accessKeyId]: ACCOUNT_B });
  if (Object.keys(config).length > 0) await emulator.configure(config);
}

/** Clients created through `clients.open` are destroyed by `clients.close()` (afterAll). */
export class Clients {
  readonly #open: VPCLatticeClient[] = [];

  open(credentials: AwsCredentials = KEYS.a, options: { maxAttempts?: number } = {}): VPCLatticeClient {
    const client = new VPCLatticeClient({
      ...latticeSettings(credentials),
      // One attempt unless a test is about the SDK's retries: errors surface as they are.
      maxAttempts: options.maxAttempts ?? 1,
    });
    this.#open.push(client);
    return client;
  }

  close(): void {
    for (const client of this.#open) client.destroy();
  }
}

export async function createNetwork(client: VPCLatticeClient, name: string) {
  return client.send(new CreateServiceNetworkCommand({ name }));
}

export async function createService(
  client: VPCLatticeClient,
  name: string,
  extra: Omit<CreateServiceCommandInput, "name"> = {},
) {
  return client.send(new CreateServiceCommand({ name, ...extra }));
}

export async function createTargetGroup(
  client: VPCLatticeClient,
  name: string,
  config: CreateTargetGroupCommandInput["config"] = { port: 8080, protocol: "HTTP", vpcIdentifier: VPC },
  type: CreateTargetGroupCommandInput["type"] = "IP",
) {
  return client.send(new CreateTargetGroupCommand({ name, type, config }));
}

export async function createListener(
  client: VPCLatticeClient,
  serviceIdentifier: string,
  input: Partial<Omit<CreateListenerCommandInput, "serviceIdentifier">> = {},
) {
  return client.send(
    new CreateListenerCommand({
      serviceIdentifier,
      name: "http",
      protocol: "HTTP",
      defaultAction: { fixedResponse: { statusCode: 404 } },
      ...input,
    }),
  );
}

/** The rejection of `promise`, to assert on the SDK's exception (name, status, members). */
export async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error as Error & Record<string, unknown>;
    throw error;
  }
  throw new Error("expected the call to fail");
}
