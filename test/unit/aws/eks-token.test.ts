// The EKS IAM bearer token: its format as aws-iam-authenticator parses it, and its SigV4 signature
// recomputed here by hand from the AWS SigV4 specification (not by the library under test).
import { createHash, createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import {
  buildEksToken,
  decodeEksToken,
  EKS_TOKEN_PREFIX,
  encodeEksToken,
  presignGetCallerIdentity,
  TOKEN_LIFETIME_MS,
} from "../../../shared/aws/eks-token.ts";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const NOW = new Date("2026-11-22T10:20:30.789Z");
const REQUEST = { clusterName: "prod-eu", region: "eu-west-1", credentials: CREDENTIALS, now: NOW };

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** SigV4 query-string signature of a presigned GET with only `host` and `x-k8s-aws-id` signed. */
function expectedSignature(url: URL, clusterName: string, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== "X-Amz-Signature");
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = params
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalRequest = [
    "GET",
    "/",
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    "host;x-k8s-aws-id",
    createHash("sha256").update("").digest("hex"),
  ].join("\n");
  const amzDate = url.searchParams.get("X-Amz-Date") ?? "";
  const scope = `${amzDate.slice(0, 8)}/eu-west-1/sts/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const kDate = hmac(`AWS4${secret}`, amzDate.slice(0, 8));
  const kSigning = hmac(hmac(hmac(kDate, "eu-west-1"), "sts"), "aws4_request");
  return createHmac("sha256", kSigning).update(stringToSign).digest("hex");
}

describe("EKS token", () => {
  test("is k8s-aws-v1. followed by unpadded base64url of the presigned URL", async () => {
    const { token } = await buildEksToken(REQUEST);
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeEksToken(token)).toBe(await presignGetCallerIdentity(REQUEST));
  });

  test("wraps a regional STS GetCallerIdentity URL presigned for 60 s with x-k8s-aws-id signed", async () => {
    const url = new URL(decodeEksToken((await buildEksToken(REQUEST)).token) ?? "");
    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("Version")).toBe("2011-06-15");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20261122/eu-west-1/sts/aws4_request");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20261122T102030Z");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
  });

  test("carries a session token when the credentials have one", async () => {
    const url = new URL(
      decodeEksToken(
        (await buildEksToken({ ...REQUEST, credentials: { ...CREDENTIALS, sessionToken: "FwoG/session+token=" } }))
          .token,
      ) ?? "",
    );
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("FwoG/session+token=");
  });

  test("its signature is SigV4 over host and x-k8s-aws-id, recomputed independently", async () => {
    const url = new URL(decodeEksToken((await buildEksToken(REQUEST)).token) ?? "");
    expect(url.searchParams.get("X-Amz-Signature")).toBe(
      expectedSignature(url, "prod-eu", CREDENTIALS.secretAccessKey),
    );
    // The cluster name is part of the signature: the same URL for another cluster does not verify.
    expect(url.searchParams.get("X-Amz-Signature")).not.toBe(
      expectedSignature(url, "prod-us", CREDENTIALS.secretAccessKey),
    );
  });

  test("a fixed clock gives a fixed token (known vector)", async () => {
    const { token } = await buildEksToken(REQUEST);
    expect(token).toBe(KNOWN_TOKEN);
  });

  test("expires 15 minutes after its signing second", async () => {
    const { expiresAt } = await buildEksToken(REQUEST);
    expect(expiresAt.toISOString()).toBe("2026-11-22T10:35:30.000Z");
    expect(expiresAt.getTime() - Date.parse("2026-11-22T10:20:30Z")).toBe(TOKEN_LIFETIME_MS);
  });

  test("a configured endpoint (e.g. an emulator) replaces the regional one", async () => {
    const url = new URL(
      decodeEksToken((await buildEksToken({ ...REQUEST, endpoint: "http://127.0.0.1:5000" })).token) ?? "",
    );
    expect(url.origin).toBe("http://127.0.0.1:5000");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
  });

  test("decode refuses anything that is not a k8s-aws-v1. token", () => {
    expect(decodeEksToken("k8s-aws-v2.aGVsbG8")).toBeUndefined();
    expect(decodeEksToken("k8s-aws-v1.aGVs=bG8")).toBeUndefined();
    expect(decodeEksToken(encodeEksToken("https://x/?a=b"))).toBe("https://x/?a=b");
  });
});

// Computed once with the fixed inputs above; its signature is the one the independent computation in
// "its signature is SigV4 ..." yields for them.
const KNOWN_URL =
  "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15" +
  "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261122%2Feu-west-1%2Fsts%2Faws4_request" +
  "&X-Amz-Date=20261122T102030Z&X-Amz-Expires=60" +
  "&X-Amz-Signature=89c6980401773428c9e9e469c87e20f332453285fa2e5bc68a8d5b8417c928d0" +
  "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id";
const KNOWN_TOKEN = `k8s-aws-v1.${Buffer.from(KNOWN_URL).toString("base64url")}`;
