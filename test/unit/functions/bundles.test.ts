// What each deployed bundle (functions/bundle.ts, as the CDK app builds it) carries: the AWS
// service clients its handler calls and no other. EC2 alone is 549 KiB; the status λ (EKS tokens)
// and the resync (tags) each carried it through the client factory (bench/RESULTS.md, cold-start).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { esbuildOptions } from "../../../functions/bundle.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const outdir = mkdtempSync(join(tmpdir(), "switchyard-bundles-"));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

async function clientPackages(handler: "status" | "resync"): Promise<string[]> {
  const built = await build({ ...esbuildOptions(handler, ROOT, outdir), write: false });
  const packages = new Set(
    Object.keys(built.metafile?.inputs ?? {}).flatMap((path) => {
      const match = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(path);
      return match?.[1] === undefined ? [] : [match[1]];
    }),
  );
  return [...packages].sort();
}

describe("the deployed bundles hold the clients their handlers call and no other AWS service client", () => {
  it("status: DynamoDB (registry), EKS (tokens), SQS (via-forwarder statuses), STS (target roles)", async () => {
    expect(await clientPackages("status")).toEqual([
      "@aws-sdk/client-dynamodb",
      "@aws-sdk/client-eks",
      "@aws-sdk/client-sqs",
      "@aws-sdk/client-sts",
    ]);
  }, 60_000);

  it("resync: DynamoDB (records, registry), the tagging API (owners, orphans), SQS (queues), STS (target roles)", async () => {
    expect(await clientPackages("resync")).toEqual([
      "@aws-sdk/client-dynamodb",
      "@aws-sdk/client-resource-groups-tagging-api",
      "@aws-sdk/client-sqs",
      "@aws-sdk/client-sts",
    ]);
  }, 60_000);
});
