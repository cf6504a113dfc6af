/**
 * Deploying a synthesized cloud assembly into moto without the CDK CLI or the CloudFormation SDK
 * client (neither is a dependency): CloudFormation's, IAM's, SSM's and S3's APIs called over HTTP,
 * signed with the SDK's own SigV4 signer, as the CLI would after `cdk bootstrap`.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { type AwsClientSettings, waitFor } from "../env/clients.ts";

export interface SignedResponse {
  status: number;
  body: string;
}

export async function signedRequest(
  settings: AwsClientSettings,
  service: string,
  request: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array;
    query?: Record<string, string>;
  },
): Promise<SignedResponse> {
  const url = new URL(settings.endpoint);
  const http = new HttpRequest({
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    method: request.method,
    path: request.path,
    ...(request.query ? { query: request.query } : {}),
    headers: { host: url.host, ...request.headers },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const signer = new SignatureV4({
    credentials: settings.credentials,
    region: settings.region,
    service,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(http);
  const query = new URLSearchParams(request.query ?? {}).toString();
  const response = await fetch(`${settings.endpoint}${request.path}${query ? `?${query}` : ""}`, {
    method: signed.method,
    headers: signed.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return { status: response.status, body: await response.text() };
}

/** An AWS query-protocol call (CloudFormation, IAM): form-encoded POST, XML answer. */
export async function queryApi(
  settings: AwsClientSettings,
  service: string,
  version: string,
  action: string,
  parameters: Record<string, string> = {},
): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...parameters }).toString();
  const response = await signedRequest(settings, service, {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  if (response.status !== 200) throw new Error(`${service} ${action}: HTTP ${response.status} ${response.body}`);
  return response.body;
}

/** An AWS JSON-protocol call (SSM, EventBridge): `X-Amz-Target`, JSON in and out. */
export async function jsonApi(
  settings: AwsClientSettings,
  service: string,
  target: string,
  payload: object,
): Promise<Record<string, unknown>> {
  const response = await signedRequest(settings, service, {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body: JSON.stringify(payload),
  });
  if (response.status !== 200) throw new Error(`${target}: HTTP ${response.status} ${response.body}`);
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** Every `<tag>value</tag>` in an XML answer (enough for the few fields read here). */
export function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1] ?? "");
}

interface AssetManifest {
  files: Record<
    string,
    {
      source: { path: string; packaging?: string };
      destinations: Record<string, { bucketName: string; objectKey: string }>;
    }
  >;
}

/**
 * What `cdk bootstrap` leaves that a deployment reads: the bootstrap version parameter and the
 * assets bucket. Then the stack's zip assets are zipped (python's zipfile: no zip package here)
 * and uploaded where the template expects them.
 */
export async function bootstrapAndPublish(
  settings: AwsClientSettings,
  assembly: string,
  stackName: string,
  account: string,
) {
  await jsonApi(settings, "ssm", "AmazonSSM.PutParameter", {
    Name: "/cdk-bootstrap/hnb659fds/version",
    Value: "30",
    Type: "String",
    Overwrite: true,
  });
  const manifest = JSON.parse(readFileSync(join(assembly, `${stackName}.assets.json`), "utf8")) as AssetManifest;
  const buckets = new Set<string>();
  for (const asset of Object.values(manifest.files)) {
    if (asset.source.packaging !== "zip") continue;
    const source = join(assembly, asset.source.path);
    const zip = `${source}.zip`;
    execFileSync("python3", ["-m", "zipfile", "-c", zip, ...listDirectory(source)], { cwd: source });
    for (const destination of Object.values(asset.destinations)) {
      const bucket = destination.bucketName.replace(/\$\{AWS::AccountId\}/g, account);
      if (!buckets.has(bucket)) {
        buckets.add(bucket);
        const created = await signedRequest(settings, "s3", { method: "PUT", path: `/${bucket}` });
        if (created.status !== 200 && !created.body.includes("BucketAlreadyOwnedByYou")) {
          throw new Error(`CreateBucket ${bucket}: HTTP ${created.status} ${created.body}`);
        }
      }
      const put = await signedRequest(settings, "s3", {
        method: "PUT",
        path: `/${bucket}/${destination.objectKey}`,
        headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        body: readFileSync(zip),
      });
      if (put.status !== 200) throw new Error(`PutObject ${destination.objectKey}: HTTP ${put.status} ${put.body}`);
    }
  }
}

function listDirectory(directory: string): string[] {
  return execFileSync("ls", ["-A", directory], { encoding: "utf8" }).split("\n").filter(Boolean);
}

export interface DeployedStack {
  status: string;
  reason: string;
  /** Logical id → resource type of what moto created. */
  resources: Map<string, string>;
}

/** CreateStack with the template as synthesized, then DescribeStacks until it settles. */
export async function deployStack(
  settings: AwsClientSettings,
  assembly: string,
  stackName: string,
  timeoutMs = 120_000,
): Promise<DeployedStack> {
  const template = readFileSync(join(assembly, `${stackName}.template.json`), "utf8");
  await queryApi(settings, "cloudformation", "2010-05-15", "CreateStack", {
    StackName: stackName,
    TemplateBody: template,
    "Capabilities.member.1": "CAPABILITY_IAM",
    "Capabilities.member.2": "CAPABILITY_NAMED_IAM",
  });
  let status = "";
  let reason = "";
  await waitFor(
    `stack ${stackName} to settle`,
    async () => {
      const xml = await queryApi(settings, "cloudformation", "2010-05-15", "DescribeStacks", { StackName: stackName });
      status = xmlValues(xml, "StackStatus")[0] ?? "";
      reason = xmlValues(xml, "StackStatusReason")[0] ?? "";
      return status.endsWith("_IN_PROGRESS") ? undefined : status;
    },
    { timeoutMs, intervalMs: 500 },
  ).catch((error: unknown) => {
    if (status.endsWith("_IN_PROGRESS")) return status;
    throw error;
  });
  const xml = await queryApi(settings, "cloudformation", "2010-05-15", "ListStackResources", { StackName: stackName });
  const ids = xmlValues(xml, "LogicalResourceId");
  const types = xmlValues(xml, "ResourceType");
  return { status, reason, resources: new Map(ids.map((id, i) => [id, types[i] ?? ""])) };
}
