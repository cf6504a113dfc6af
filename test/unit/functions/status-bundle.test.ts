// The status λ writes Kubernetes status with EKS tokens: its deployed bundle (functions/bundle.ts,
// as the CDK app builds it) carries STS, EKS, SQS and DynamoDB, and none of the clients it never
// calls (EC2 alone was 549 KiB of its 1.1 MB: bench/RESULTS.md, cold-start).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { esbuildOptions } from "../../../functions/bundle.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const outdir = mkdtempSync(join(tmpdir(), "switchyard-status-bundle-"));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the status λ bundle", () => {
  it("holds the clients it calls and no other AWS service client", async () => {
    const built = await build({ ...esbuildOptions("status", ROOT, outdir), write: false });
    const packages = new Set(
      Object.keys(built.metafile?.inputs ?? {}).flatMap((path) => {
        const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(path);
        return match?.[1] === undefined ? [] : [match[1]];
      }),
    );
    expect([...packages].sort()).toEqual([
      "@aws-sdk/client-dynamodb",
      "@aws-sdk/client-eks",
      "@aws-sdk/client-sqs",
      "@aws-sdk/client-sts",
    ]);
  }, 60_000);
});
