// The Lattice emulator next to moto: credentials from moto's STS AssumeRole act in the role's
// account against the emulator too (it asks moto's GetCallerIdentity about keys its own table does
// not map), so a reconciler that assumes a role per target account needs no emulator set-up.
// Needs the moto and lattice components.

import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateServiceCommand, ListServicesCommand } from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsCredentials, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto } from "../env/clients.ts";
import { Clients, control, resetLattice } from "./lattice-fixture.ts";

const TARGET_ACCOUNT = "333344445555";

describe("Lattice emulator accounts from moto's STS", () => {
  const clients = new Clients();
  let sts: STSClient;
  let assumed: AwsCredentials;

  beforeAll(async () => {
    expect(process.env.MOTO_ACCOUNT_ID, "MOTO_ACCOUNT_ID overrides AssumeRole accounts").toBeUndefined();
    await resetMoto();
    await resetLattice({ asyncSteps: 0 });
    sts = new STSClient(motoSettings());
    const role = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/switchyard-reconciler`,
        RoleSessionName: "lattice",
      }),
    );
    assumed = {
      accessKeyId: String(role.Credentials?.AccessKeyId),
      secretAccessKey: String(role.Credentials?.SecretAccessKey),
      sessionToken: String(role.Credentials?.SessionToken),
    };
  });

  afterAll(() => {
    clients.close();
    sts?.destroy();
  });

  it("keys issued by AssumeRole act in the role's account; keys moto did not issue in its default account", async () => {
    const target = clients.open(assumed);
    const service = await target.send(new CreateServiceCommand({ name: "web" }));
    expect(service.arn).toContain(`:${TARGET_ACCOUNT}:service/`);
    const stranger = clients.open({ accessKeyId: "AKIANOTISSUEDBYMOTO0", secretAccessKey: "x" });
    expect((await stranger.send(new ListServicesCommand({}))).items).toEqual([]);
    const calls = await control().calls();
    expect(calls.map((call) => call.account)).toEqual([TARGET_ACCOUNT, MOTO_DEFAULT_ACCOUNT_ID]);
  });

  it("the emulator's own table wins over moto", async () => {
    await control().mapAccounts({ [assumed.accessKeyId]: "666677778888" });
    const target = clients.open(assumed);
    expect((await target.send(new CreateServiceCommand({ name: "api" }))).arn).toContain(":666677778888:service/");
  });
});
