import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AwsClientFactory } from "../../../shared/aws/clients.ts";
import {
  AssumedRoleCache,
  AwsConfigurationError,
  assumedRoleAccount,
  roleAccount,
  sessionNameFor,
} from "../../../shared/aws/credentials.ts";

const ROLE = "arn:aws:iam::222233334444:role/switchyard";
const HOUR = 3_600_000;

function stsAnswering(expiries: number[], assumedRoleArn?: string) {
  const sts = new STSClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
  let n = 0;
  const send = vi.spyOn(sts, "send").mockImplementation(async (command: unknown) => {
    if (!(command instanceof AssumeRoleCommand)) throw new Error("unexpected command");
    const expiration = new Date(expiries[Math.min(n, expiries.length - 1)] ?? 0);
    n++;
    return {
      $metadata: {},
      ...(assumedRoleArn ? { AssumedRoleUser: { Arn: assumedRoleArn, AssumedRoleId: "AROA:switchyard" } } : {}),
      Credentials: {
        AccessKeyId: `ASIA${n}`,
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: expiration,
      },
    };
  });
  return { sts, send };
}

describe("assumed-role credentials", () => {
  afterEach(() => vi.restoreAllMocks());

  it("assumes the role with the ExternalId and session name", async () => {
    const { sts, send } = stsAnswering([HOUR]);
    const cache = new AssumedRoleCache({ sts, sessionName: "switchyard reconcile", now: () => 0 });
    const credentials = await cache.get({ roleArn: ROLE, externalId: "ext-1" });
    expect(credentials).toMatchObject({ accessKeyId: "ASIA1", sessionToken: "token", accountId: "222233334444" });
    const input = (send.mock.calls[0]?.[0] as AssumeRoleCommand | undefined)?.input;
    expect(input).toMatchObject({ RoleArn: ROLE, ExternalId: "ext-1", RoleSessionName: "switchyard-reconcile" });
  });

  it("reuses credentials until five minutes before they expire", async () => {
    let now = 0;
    const { sts, send } = stsAnswering([HOUR, 2 * HOUR]);
    const cache = new AssumedRoleCache({ sts, now: () => now });
    await cache.get({ roleArn: ROLE });
    now = HOUR - 5 * 60_000 - 1;
    expect((await cache.get({ roleArn: ROLE })).accessKeyId).toBe("ASIA1");
    expect(send).toHaveBeenCalledTimes(1);
    now = HOUR - 5 * 60_000;
    expect((await cache.get({ roleArn: ROLE })).accessKeyId).toBe("ASIA2");
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("makes one AssumeRole call for concurrent requests of the same role", async () => {
    const { sts, send } = stsAnswering([HOUR]);
    const cache = new AssumedRoleCache({ sts, now: () => 0 });
    const provider = cache.provider({ roleArn: ROLE, externalId: "x" });
    const all = await Promise.all([provider(), provider(), provider()]);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(["ASIA1"]));
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("keeps roles with different ExternalIds apart", async () => {
    const { sts, send } = stsAnswering([HOUR]);
    const cache = new AssumedRoleCache({ sts, now: () => 0 });
    await cache.get({ roleArn: ROLE, externalId: "a" });
    await cache.get({ roleArn: ROLE, externalId: "b" });
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("reads the account of a role ARN and cleans session names", () => {
    expect(roleAccount(ROLE)).toBe("222233334444");
    expect(roleAccount("arn:aws-cn:iam::123456789012:role/path/x")).toBe("123456789012");
    expect(roleAccount("arn:aws:iam::123:user/x")).toBeUndefined();
    expect(sessionNameFor("a")).toBe("a-");
    expect(sessionNameFor("x".repeat(80))).toHaveLength(64);
  });

  it("refuses a session that lands in another account than the role ARN names", async () => {
    const { sts } = stsAnswering([HOUR], "arn:aws:sts::999988887777:assumed-role/switchyard/switchyard");
    const cache = new AssumedRoleCache({ sts, now: () => 0 });
    const assuming = cache.get({ roleArn: ROLE, externalId: "x" });
    await expect(assuming).rejects.toBeInstanceOf(AwsConfigurationError);
    await expect(assuming).rejects.toMatchObject({ reason: "AccountMismatch", account: "222233334444" });
  });

  it("accepts a session in the role's own account", async () => {
    const { sts } = stsAnswering([HOUR], "arn:aws:sts::222233334444:assumed-role/switchyard/switchyard");
    const cache = new AssumedRoleCache({ sts, now: () => 0 });
    expect((await cache.get({ roleArn: ROLE, externalId: "x" })).accountId).toBe("222233334444");
    expect(assumedRoleAccount("arn:aws:sts::222233334444:assumed-role/r/s")).toBe("222233334444");
    expect(assumedRoleAccount(ROLE)).toBeUndefined();
  });
});

describe("which credentials a target account may be reached with", () => {
  const CONTROL_PLANE = "111122223333";
  const OTHER = "222233334444";
  const own = { accessKeyId: "AKIA", secretAccessKey: "s" };
  const factory = () => new AwsClientFactory({ credentials: own, account: CONTROL_PLANE });
  const other = { account: OTHER, region: "eu-west-1", cluster: "prod-eu" };

  it("refuses a target in another account without a role, naming the cluster and account", () => {
    expect(() => factory().credentials(other)).toThrow(AwsConfigurationError);
    expect(() => factory().credentials(other)).toThrow(/cluster prod-eu, account 222233334444: no role/);
  });

  it("refuses a role in another account without an ExternalId, and counts an empty one as none", () => {
    const role = { ...other, roleArn: `arn:aws:iam::${OTHER}:role/switchyard` };
    for (const target of [role, { ...role, externalId: "" }]) {
      let caught: unknown;
      try {
        factory().credentials(target);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ reason: "ExternalIdRequired", account: OTHER, cluster: "prod-eu" });
    }
  });

  it("refuses a role whose ARN names another account than the target", () => {
    const target = { ...other, roleArn: "arn:aws:iam::999988887777:role/switchyard", externalId: "x" };
    expect(() => factory().credentials(target)).toThrow(/is not in account 222233334444/);
  });

  it("reaches another account through its role with an ExternalId, and its own with its own credentials", () => {
    const role = { ...other, roleArn: `arn:aws:iam::${OTHER}:role/switchyard`, externalId: "ext" };
    expect(typeof factory().credentials(role)).toBe("function");
    expect(factory().credentials({ account: CONTROL_PLANE, region: "eu-west-1" })).toBe(own);
  });

  it("takes the control plane's account from static credentials that carry it", () => {
    const withAccount = new AwsClientFactory({ credentials: { ...own, accountId: CONTROL_PLANE } });
    expect(() => withAccount.credentials(other)).toThrow(/no role/);
  });
});
