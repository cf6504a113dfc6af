// The `switchyard` command as a user runs it: a child process (`node cli/bin/switchyard.ts`) with
// the control plane named by environment variables, against moto and DynamoDB Local. Also the
// fixtures those suites share (a table, queues, the default VPC) and moto's request recorder,
// which logs every request moto receives, so a test can count calls by operation from outside
// the process that made them.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { ensureQueues, type PipelineQueues } from "../../cli/dev/queues.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { type AwsCredentials, dynamoDbSettings, motoSettings, requireEnv } from "../env/clients.ts";
import { ENV } from "../env/variables.ts";

const BIN = fileURLToPath(new URL("../../cli/bin/switchyard.ts", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `env` on top of a clean environment (PATH and HOME only). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Credentials of the CLI's own: moto maps unknown keys to its default account, and the recorder can tell them apart. */
export function cliCredentials(tag: string): AwsCredentials {
  const suffix = tag
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .padEnd(16, "0")
    .slice(0, 16);
  return { accessKeyId: `AKIA${suffix}`, secretAccessKey: "testing" };
}

export interface ControlPlaneFixture {
  table: string;
  prefix: string;
  queues: PipelineQueues;
  vpcId: string;
  /** The environment the CLI runs with: credentials, Region, endpoints, table. */
  env: Record<string, string>;
}

export async function controlPlaneFixture(name: string, credentials: AwsCredentials): Promise<ControlPlaneFixture> {
  const dynamo = new DynamoDBClient(dynamoDbSettings());
  const sqs = new SQSClient(motoSettings());
  const ec2 = new EC2Client(motoSettings());
  try {
    await createTable(dynamo, name);
    const queues = await ensureQueues(sqs, { prefix: name, maxReceiveCount: 5, visibilityTimeoutSeconds: 60 });
    const { Vpcs = [] } = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    const vpcId = Vpcs[0]?.VpcId;
    if (vpcId === undefined) throw new Error("moto has no default VPC");
    return {
      table: name,
      prefix: name,
      queues,
      vpcId,
      env: {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: "us-east-1",
        SWITCHYARD_TABLE: name,
        SWITCHYARD_AWS_ENDPOINT: requireEnv(ENV.motoEndpoint),
        SWITCHYARD_DYNAMODB_ENDPOINT: requireEnv(ENV.dynamoDbEndpoint),
      },
    };
  } finally {
    dynamo.destroy();
    sqs.destroy();
    ec2.destroy();
  }
}

interface RecordedRequest {
  headers: Record<string, string>;
  method: string;
  url: string;
  body?: string | null;
  body_encoded?: boolean;
}

async function recorder(action: string): Promise<string> {
  const response = await fetch(`${requireEnv(ENV.motoEndpoint)}/moto-api/recorder/${action}`, {
    method: action === "download-recording" ? "GET" : "POST",
  });
  if (response.status !== 200) throw new Error(`moto recorder ${action}: HTTP ${response.status}`);
  return response.text();
}

/** The operation of a recorded request: `X-Amz-Target` (JSON protocols) or `Action=` (query). */
function operationOf(request: RecordedRequest): string {
  const header = (name: string) =>
    Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? undefined;
  const target = header("x-amz-target");
  if (target) return target.slice(target.lastIndexOf(".") + 1);
  const query = new URL(request.url).searchParams.get("Action");
  if (query) return query;
  const body = request.body_encoded ? Buffer.from(request.body ?? "", "base64").toString("utf8") : (request.body ?? "");
  const action = new URLSearchParams(body).get("Action");
  if (action) return action;
  return `${request.method} ${new URL(request.url).pathname}`;
}

/**
 * Every request moto receives from `accessKeyId` while `run` runs, as operation → count.
 * moto's recorder is process-wide: requests of other suites are told apart by their access key,
 * but a reset or stop by another suite would cut this one's log, so only one suite (cli-live) uses it.
 * moto writes the log to `moto_recording` in its working directory (ignored by git).
 */
export async function recordMotoCalls<T>(
  accessKeyId: string,
  run: () => Promise<T>,
): Promise<{ result: T; calls: Record<string, number> }> {
  await recorder("reset-recording");
  await recorder("start-recording");
  let result: T;
  try {
    result = await run();
  } finally {
    await recorder("stop-recording");
  }
  const calls: Record<string, number> = {};
  for (const line of (await recorder("download-recording")).split("\n")) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as RecordedRequest;
    const authorization = Object.entries(request.headers).find(([key]) => key.toLowerCase() === "authorization")?.[1];
    if (!authorization?.includes(`Credential=${accessKeyId}/`)) continue;
    const operation = operationOf(request);
    calls[operation] = (calls[operation] ?? 0) + 1;
  }
  return { result, calls };
}

/** Operations that only read: what `plan --live` and `status --live` may call. */
export function isReadOnly(operation: string): boolean {
  return /^(Describe|Get|List)/.test(operation);
}
