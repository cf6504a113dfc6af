// How moto's STS treats an EKS token's presigned GetCallerIdentity, which is why the test
// environment's token webhook verifies the SigV4 signature itself and sends the credential as an
// Authorization header (test/env/QUIRKS.md M5, M6). When an upgrade of moto fixes a quirk, its test
// fails, and the entry, the test and the webhook's workaround go.
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { beforeAll, describe, expect, test } from "vitest";
import { buildEksToken, decodeEksToken } from "../../shared/aws/eks-token.ts";
import { motoSettings, resetMoto, TEST_REGION } from "../env/clients.ts";
import { callerArn, signatureMatches } from "../env/token-webhook.ts";

const ROLE = "arn:aws:iam::222233334444:role/switchyard-status";
const ASSUMED = "arn:aws:sts::222233334444:assumed-role/switchyard-status/quirks";

describe("moto STS and presigned GetCallerIdentity", () => {
  let credentials: AwsCredentialIdentity;
  let presigned: URL;

  beforeAll(async () => {
    await resetMoto();
    const sts = new STSClient(motoSettings());
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "quirks" }));
    sts.destroy();
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) throw new Error("no credentials");
    credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const { token } = await buildEksToken({ clusterName: "quirks", region: TEST_REGION, credentials, now: new Date() });
    presigned = new URL(decodeEksToken(token) ?? "");
  });

  function atMoto(url: URL): URL {
    return new URL(url.pathname + url.search, motoSettings().endpoint);
  }

  test("M5: moto answers a request whose SigV4 signature is wrong", async () => {
    const bad = "0".repeat(64);
    expect(signatureMatches(presigned, "quirks", credentials.secretAccessKey)).toBe(true);
    const response = await fetch(new URL("/?Action=GetCallerIdentity&Version=2011-06-15", motoSettings().endpoint), {
      headers: {
        "x-amz-date": presigned.searchParams.get("X-Amz-Date") ?? "",
        "x-amz-security-token": credentials.sessionToken ?? "",
        authorization: `AWS4-HMAC-SHA256 Credential=${presigned.searchParams.get("X-Amz-Credential")}, SignedHeaders=host;x-k8s-aws-id, Signature=${bad}`,
      },
    });
    expect(response.status).toBe(200);
    expect(callerArn(await response.text())).toBe(ASSUMED);
  });

  test("M6: moto does not recognise a presigned STS URL and answers it as S3 ListBuckets", async () => {
    const response = await fetch(atMoto(presigned));
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(callerArn(body)).toBeUndefined();
    expect(body).toContain("<ListAllMyBucketsResult");
  });
});
