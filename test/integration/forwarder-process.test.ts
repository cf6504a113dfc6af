// `node forwarder/main.ts` as it runs in a pod: configuration from the environment, credentials
// from a kubeconfig, probes on the configured address, events on the queue, a clean SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEventJson } from "../../shared/events/codec.ts";
import {
  DUMMY_CREDENTIALS,
  kubeConfig,
  motoSettings,
  requireEnv,
  resetMoto,
  uniqueName,
  waitFor,
} from "../env/clients.ts";
import { REPO_ROOT } from "../env/process.ts";

const MAIN = join(REPO_ROOT, "forwarder", "main.ts");

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startMain(env: Record<string, string>): Started {
  // Only what the forwarder is given in a pod: no inherited SWITCHYARD_* or AWS_* variables.
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe("forwarder/main.ts as a process", () => {
  const namespace = uniqueName("fwd-proc");
  let sqs: SQSClient;
  let queueUrl: string;
  let running: Started | undefined;

  beforeAll(async () => {
    await resetMoto();
    const settings = motoSettings();
    sqs = new SQSClient(settings);
    const s3 = new S3Client({ ...settings, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "process-claims" }));
    s3.destroy();
    queueUrl = String(
      (
        await sqs.send(
          new CreateQueueCommand({ QueueName: `${uniqueName("events")}.fifo`, Attributes: { FifoQueue: "true" } }),
        )
      ).QueueUrl,
    );
    await kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill("SIGKILL");
      await running.exited;
    }
    sqs?.destroy();
  });

  it("refuses to start with an invalid configuration, naming every problem", async () => {
    const started = startMain({ SWITCHYARD_EVENTS_QUEUE_URL: "https://sqs.example/queue", AWS_REGION: "nowhere" });
    expect(await started.exited).toBe(2);
    const output = started.output();
    expect(output).toContain("SWITCHYARD_CLUSTER_ID is required");
    expect(output).toContain("must be a FIFO queue");
    expect(output).toContain("AWS_REGION");
    expect(output).toContain("SWITCHYARD_CLAIM_CHECK_BUCKET is required");
  });

  it("gets ready, forwards a Gateway to the queue, and stops cleanly on SIGTERM", async () => {
    const moto = requireEnv("SWITCHYARD_MOTO_ENDPOINT");
    running = startMain({
      SWITCHYARD_CLUSTER_ID: "process-cluster",
      SWITCHYARD_EVENTS_QUEUE_URL: queueUrl,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
      SWITCHYARD_CLAIM_CHECK_BUCKET: "process-claims",
      SWITCHYARD_NAMESPACES: namespace,
      SWITCHYARD_LISTEN: "127.0.0.1:0",
      SWITCHYARD_SQS_ENDPOINT: moto,
      SWITCHYARD_S3_ENDPOINT: moto,
      SWITCHYARD_ACM_ENDPOINT: moto,
      KUBECONFIG: requireEnv("SWITCHYARD_KUBECONFIG"),
    });
    const process = running;
    const port = await waitFor(
      "the forwarder to log its listening address",
      async () => /listening on 127\.0\.0\.1:(\d+)/.exec(process.output())?.[1],
      { timeoutMs: 20_000, intervalMs: 50 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- forwarder output ---\n${process.output()}`);
    });
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor("/readyz 200", async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    await kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .createNamespacedCustomObject({
        group: "gateway.networking.k8s.io",
        version: "v1",
        plural: "gateways",
        namespace,
        body: {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "Gateway",
          metadata: { name: "from-process" },
          spec: { gatewayClassName: "switchyard-alb", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
        },
      });
    const seen: string[] = [];
    await waitFor(
      "the Gateway's upsert on the queue",
      async () => {
        const batch = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        // Deleted as a consumer would: FIFO hides the rest of a group while a message is in flight.
        const entries = (batch.Messages ?? []).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
        if (entries.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        for (const message of batch.Messages ?? []) {
          const decoded = decodeEventJson(String(message.Body));
          if (decoded.ok && decoded.event.op === "upsert")
            seen.push(`${decoded.event.kind.kind}/${decoded.event.name}`);
        }
        return seen.includes("Gateway/from-process") ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; seen ${[...new Set(seen)].join(", ")}\n--- forwarder output ---\n${process.output()}`,
      );
    });

    process.child.kill("SIGTERM");
    expect(await process.exited).toBe(0);
  });
});
