// Cross-account access against moto: credentials from AssumeRole act in the role's account.
// MOTO_ACCOUNT_ID must stay unset: it would override the account of every request.
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsCredentials, MOTO_DEFAULT_ACCOUNT_ID, motoSettings, resetMoto, uniqueName } from "../env/clients.ts";

const OTHER_ACCOUNT_ID = "210987654321";

describe("STS AssumeRole on moto", () => {
  const clients: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    expect(process.env.MOTO_ACCOUNT_ID, "MOTO_ACCOUNT_ID overrides AssumeRole accounts").toBeUndefined();
    await resetMoto();
  });

  afterAll(() => {
    for (const client of clients) client.destroy();
  });

  it("yields credentials whose calls land in the role's account and not in the caller's", async () => {
    const sts = track(new STSClient(motoSettings()));
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    expect(caller.Account).toBe(MOTO_DEFAULT_ACCOUNT_ID);

    const roleName = "switchyard-reconciler";
    const session = uniqueName("session");
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/${roleName}`, RoleSessionName: session }),
    );
    const credentials: AwsCredentials = {
      accessKeyId: String(assumed.Credentials?.AccessKeyId),
      secretAccessKey: String(assumed.Credentials?.SecretAccessKey),
      sessionToken: String(assumed.Credentials?.SessionToken),
    };
    expect(credentials.accessKeyId).toMatch(/^ASIA/);

    const identity = await track(new STSClient(motoSettings(credentials))).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(OTHER_ACCOUNT_ID);
    expect(identity.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT_ID}:assumed-role/${roleName}/${session}`);

    const queueName = uniqueName("cross-account");
    const sqsOther = track(new SQSClient(motoSettings(credentials)));
    const created = await sqsOther.send(new CreateQueueCommand({ QueueName: queueName }));
    expect(created.QueueUrl).toContain(`/${OTHER_ACCOUNT_ID}/${queueName}`);

    const listedThere = await sqsOther.send(new ListQueuesCommand({ QueueNamePrefix: queueName }));
    expect(listedThere.QueueUrls).toEqual([created.QueueUrl]);
    const listedHere = await track(new SQSClient(motoSettings())).send(
      new ListQueuesCommand({ QueueNamePrefix: queueName }),
    );
    expect(listedHere.QueueUrls ?? []).toEqual([]);
  });

  it("assumes a role no one created, with or without an ExternalId (QUIRKS.md XA1: no trust policy is evaluated)", async () => {
    const sts = track(new STSClient(motoSettings()));
    const roleArn = `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/${uniqueName("never-created")}`;
    for (const externalId of [undefined, "one", "another"]) {
      const assumed = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: "quirk",
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
      );
      expect(assumed.AssumedRoleUser?.Arn).toContain(`:${OTHER_ACCOUNT_ID}:assumed-role/`);
    }
  });
});
