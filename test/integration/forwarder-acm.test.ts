// ACM import of listener certificate Secrets, against a real kube-apiserver and moto's ACM, SQS and
// S3: the import and its tags, the forwarded Secret (ARN, no data), rotation into the same ARN, a
// restarted forwarder that re-imports nothing unchanged, a certificate switchyard did not import
// left alone, and a garbage key reported as acmImportError. Key material is looked for in every
// message body and every log line.

import { createServer } from "node:net";
import {
  ACMClient,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
} from "@aws-sdk/client-acm";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CertificateImporter } from "../../forwarder/acm-importer.ts";
import { systemClock } from "../../forwarder/clock.ts";
import type { ForwarderConfig } from "../../forwarder/config.ts";
import { Forwarder } from "../../forwarder/forwarder.ts";
import { KubeApi } from "../../forwarder/kube-api.ts";
import { CERTIFICATE_TAG, certificateTags } from "../../forwarder/tls-certificate.ts";
import { decodeEventJson } from "../../shared/events/codec.ts";
import type { ChangeEvent } from "../../shared/events/event.ts";
import { kubeConfig, motoSettings, resetMoto, uniqueName, waitFor } from "../env/clients.ts";
import { type KeyPair, pemBodies, selfSigned } from "../unit/forwarder/tls-fixtures.ts";

const CLUSTER_ID = "acm-cluster";
const GATEWAY = { group: "gateway.networking.k8s.io", version: "v1", plural: "gateways" } as const;
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

interface ForwardedSecret {
  body: string;
  resourceVersion: string;
  object: Record<string, unknown>;
}

/** Drains the queue as the ingest Lambda would and keeps every body. */
class QueueReader {
  readonly bodies: string[] = [];
  readonly events: ChangeEvent[] = [];
  readonly undecodable: string[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const batch = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = batch.Messages ?? [];
      for (const message of messages) {
        const body = String(message.Body);
        this.bodies.push(body);
        const decoded = decodeEventJson(body);
        if (decoded.ok) this.events.push(decoded.event);
        else this.undecodable.push(`${decoded.field}: ${decoded.reason}`);
      }
      if (messages.length > 0) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  }

  secretUpserts(namespace: string, name: string): ForwardedSecret[] {
    const found: ForwardedSecret[] = [];
    for (const [index, event] of this.events.entries()) {
      if (event.op !== "upsert" || event.kind.kind !== "Secret") continue;
      if (event.namespace !== namespace || event.name !== name || !("object" in event)) continue;
      found.push({ body: this.bodies[index] ?? "", resourceVersion: event.resourceVersion, object: event.object });
    }
    return found;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

describe("forwarder ACM import of TLS Secrets (kube-apiserver, moto ACM/SQS/S3)", () => {
  const namespace = uniqueName("acm");
  const logs: string[] = [];
  const keyPairs: KeyPair[] = [];
  let core: CoreV1Api;
  let objects: CustomObjectsApi;
  let acm: ACMClient;
  let sqs: SQSClient;
  let s3: S3Client;
  let reader: QueueReader;
  let config: ForwarderConfig;
  let forwarder: Forwarder | undefined;

  const newKeyPair = (commonName: string): KeyPair => {
    const pair = selfSigned(commonName);
    keyPairs.push(pair);
    return pair;
  };
  const tlsData = (pair: KeyPair) => ({
    "tls.crt": Buffer.from(pair.certificate).toString("base64"),
    "tls.key": Buffer.from(pair.privateKey).toString("base64"),
  });

  async function startForwarder(): Promise<Forwarder> {
    const kc = kubeConfig();
    const started = new Forwarder({
      config,
      api: new KubeApi(kc),
      sqs,
      s3,
      clock: systemClock,
      random: Math.random,
      backoff: { initialMs: 50, maxMs: 1000 },
      log: (message) => logs.push(message),
      certificates: new CertificateImporter({ acm, clusterId: CLUSTER_ID, log: (message) => logs.push(message) }),
    });
    await started.start();
    await waitFor("the forwarder to be ready", async () => (started.readiness().ready ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    return started;
  }

  const gatewayFor = (name: string, secretName: string) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name, namespace },
    spec: {
      gatewayClassName: "switchyard-alb",
      listeners: [
        {
          name: "https",
          port: 443,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ name: secretName }] },
        },
      ],
    },
  });

  /** The forwarded Secret whose resourceVersion is `resourceVersion`, once it is on the queue. */
  const forwardedAt = (name: string, resourceVersion: string): Promise<ForwardedSecret> =>
    waitFor(
      `Secret ${name} at resourceVersion ${resourceVersion} on the queue`,
      async () => reader.secretUpserts(namespace, name).find((s) => s.resourceVersion === resourceVersion),
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  async function ownedArns(secretName: string): Promise<string[]> {
    const list = await acm.send(new ListCertificatesCommand({}));
    const arns: string[] = [];
    for (const summary of list.CertificateSummaryList ?? []) {
      const arn = summary.CertificateArn;
      if (arn === undefined) continue;
      const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
      const byKey = Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value]));
      if (byKey[CERTIFICATE_TAG.cluster] === CLUSTER_ID && byKey[CERTIFICATE_TAG.secretName] === secretName)
        arns.push(arn);
    }
    return arns;
  }

  const importLines = (): string[] => logs.filter((line) => / (re-)?imported into ACM as /.test(line));

  beforeAll(async () => {
    await resetMoto();
    const kc = kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    objects = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const settings = motoSettings();
    acm = new ACMClient(settings);
    sqs = new SQSClient(settings);
    s3 = new S3Client({ ...settings, forcePathStyle: true });
    const queue = await sqs.send(
      new CreateQueueCommand({ QueueName: `${uniqueName("acm-events")}.fifo`, Attributes: { FifoQueue: "true" } }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: "acm-claim-checks" }));
    reader = new QueueReader(sqs, String(queue.QueueUrl));
    config = {
      clusterId: CLUSTER_ID,
      queueUrl: String(queue.QueueUrl),
      region: settings.region,
      claimCheckBucket: "acm-claim-checks",
      namespaces: [namespace],
      listenHost: "127.0.0.1",
      listenPort: 0,
      snapshotIntervalMs: 600_000,
      endpointSliceWindowMs: 1000,
      kindRecheckIntervalMs: 60_000,
      bufferCapacity: 100,
      sqsEndpoint: undefined,
      s3Endpoint: undefined,
      acmImport: true,
      acmEndpoint: undefined,
    };
    forwarder = await startForwarder();
  });

  afterAll(async () => {
    await forwarder?.stop();
    await reader?.stop();
    acm?.destroy();
    sqs?.destroy();
    s3?.destroy();
  });

  it("imports a referenced TLS Secret with ownership tags and forwards its ARN instead of its data", async () => {
    const pair = newKeyPair("site.example.com");
    const secret = await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "site" }, type: "kubernetes.io/tls", data: tlsData(pair) },
    });
    await objects.createNamespacedCustomObject({ ...GATEWAY, namespace, body: gatewayFor("site", "site") });

    const forwarded = await forwardedAt("site", String(secret.metadata?.resourceVersion));
    expect(Object.keys(forwarded.object).sort()).toEqual([
      "acmCertificateArn",
      "apiVersion",
      "kind",
      "metadata",
      "type",
    ]);
    const arn = String(forwarded.object.acmCertificateArn);
    expect(arn).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\//);

    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(described.Certificate?.DomainName).toBe("site.example.com");
    expect(described.Certificate?.Type).toBe("IMPORTED");
    const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    expect(Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      [CERTIFICATE_TAG.managedBy]: "switchyard",
      [CERTIFICATE_TAG.cluster]: CLUSTER_ID,
      [CERTIFICATE_TAG.secretNamespace]: namespace,
      [CERTIFICATE_TAG.secretName]: "site",
      [CERTIFICATE_TAG.fingerprint]: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await ownedArns("site")).toEqual([arn]);
  });

  it("re-imports a rotated Secret into the same ARN and re-tags its fingerprint", async () => {
    const [before] = await ownedArns("site");
    const fingerprintOf = async (arn: string) =>
      (await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags?.find(
        (t) => t.Key === CERTIFICATE_TAG.fingerprint,
      )?.Value;
    if (before === undefined) throw new Error("the previous test imported nothing");
    const oldFingerprint = await fingerprintOf(before);

    const rotated = newKeyPair("site.example.com");
    const replaced = await core.patchNamespacedSecret(
      { name: "site", namespace, body: { data: tlsData(rotated) } },
      mergePatch,
    );
    const forwarded = await forwardedAt("site", String(replaced.metadata?.resourceVersion));
    expect(forwarded.object.acmCertificateArn).toBe(before);
    expect(await ownedArns("site")).toEqual([before]);
    const stored = await acm.send(new GetCertificateCommand({ CertificateArn: before }));
    expect(stored.Certificate?.trim()).toBe(rotated.certificate.trim());
    const newFingerprint = await fingerprintOf(before);
    expect(newFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(newFingerprint).not.toBe(oldFingerprint);
  });

  it("does not re-import a Secret whose data did not change, even after a restart", async () => {
    const [arn] = await ownedArns("site");
    const importsBefore = importLines().length;
    const relabelled = await core.patchNamespacedSecret(
      { name: "site", namespace, body: { metadata: { labels: { step: "1" } } } },
      mergePatch,
    );
    expect((await forwardedAt("site", String(relabelled.metadata?.resourceVersion))).object.acmCertificateArn).toBe(
      arn,
    );

    // A new process: nothing in memory, so the certificate is found by its tags.
    await forwarder?.stop();
    forwarder = await startForwarder();
    const relabelledAgain = await core.patchNamespacedSecret(
      { name: "site", namespace, body: { metadata: { labels: { step: "2" } } } },
      mergePatch,
    );
    expect(
      (await forwardedAt("site", String(relabelledAgain.metadata?.resourceVersion))).object.acmCertificateArn,
    ).toBe(arn);
    expect(importLines().length).toBe(importsBefore);
    expect(await ownedArns("site")).toEqual([arn]);
  });

  it("never takes over a certificate that another cluster's forwarder imported", async () => {
    const pair = newKeyPair("shared.example.com");
    const foreign = await acm.send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(pair.certificate),
        PrivateKey: Buffer.from(pair.privateKey),
        Tags: Object.entries(certificateTags("another-cluster", { namespace, name: "shared" }, "0".repeat(64))).map(
          ([Key, Value]) => ({ Key, Value }),
        ),
      }),
    );
    // Restarted so the scan of ACM's tags sees the foreign certificate.
    await forwarder?.stop();
    forwarder = await startForwarder();
    const secret = await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "shared" }, type: "kubernetes.io/tls", data: tlsData(pair) },
    });
    await objects.createNamespacedCustomObject({ ...GATEWAY, namespace, body: gatewayFor("shared", "shared") });
    const forwarded = await forwardedAt("shared", String(secret.metadata?.resourceVersion));
    expect(forwarded.object.acmCertificateArn).not.toBe(foreign.CertificateArn);
    const foreignTags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: foreign.CertificateArn }));
    expect(foreignTags.Tags?.find((t) => t.Key === CERTIFICATE_TAG.cluster)?.Value).toBe("another-cluster");
  });

  it("forwards acmImportError for a garbage key, and imports nothing", async () => {
    const pair = newKeyPair("broken.example.com");
    const garbageKey =
      "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZS1rZXktbWF0ZXJpYWwtZm9yLXRoZS10ZXN0\n-----END PRIVATE KEY-----\n";
    keyPairs.push({ certificate: pair.certificate, privateKey: garbageKey });
    const secret = await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "broken" },
        type: "kubernetes.io/tls",
        data: tlsData({ certificate: pair.certificate, privateKey: garbageKey }),
      },
    });
    await objects.createNamespacedCustomObject({ ...GATEWAY, namespace, body: gatewayFor("broken", "broken") });
    const forwarded = await forwardedAt("broken", String(secret.metadata?.resourceVersion));
    expect(Object.keys(forwarded.object).sort()).toEqual(["acmImportError", "apiVersion", "kind", "metadata", "type"]);
    expect(String(forwarded.object.acmImportError)).toMatch(/^tls\.key is not a valid private key: /);
    expect(await ownedArns("broken")).toEqual([]);
  });

  it("forwards acmImportError for a key that does not belong to the certificate, before calling ACM", async () => {
    // moto does not check that the key matches; the forwarder does, so ACM never sees the pair.
    const pair = newKeyPair("mismatch.example.com");
    const other = newKeyPair("other.example.com");
    const secret = await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: "mismatch" },
        type: "kubernetes.io/tls",
        data: tlsData({ certificate: pair.certificate, privateKey: other.privateKey }),
      },
    });
    await objects.createNamespacedCustomObject({ ...GATEWAY, namespace, body: gatewayFor("mismatch", "mismatch") });
    const forwarded = await forwardedAt("mismatch", String(secret.metadata?.resourceVersion));
    expect(forwarded.object.acmImportError).toBe(
      "tls.key does not match the certificate in tls.crt (subject CN=mismatch.example.com)",
    );
    expect(await ownedArns("mismatch")).toEqual([]);
  });

  it("forwards acmImportError naming the ACM call when ACM cannot be reached", async () => {
    // A real SDK client against a closed port: the failure a cluster sees when its ACM endpoint
    // (or its IAM permissions) are missing. moto itself accepts every well-formed certificate.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1));
      });
    });
    const unreachable = new ACMClient({ ...motoSettings(), endpoint: `http://127.0.0.1:${closed}`, maxAttempts: 1 });
    const importer = new CertificateImporter({ acm: unreachable, clusterId: CLUSTER_ID, log: (m) => logs.push(m) });
    const pair = newKeyPair("unreachable.example.com");
    const outcome = await importer.importSecret(
      { namespace, name: "unreachable" },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "unreachable", namespace },
        type: "kubernetes.io/tls",
        data: tlsData(pair),
      },
    );
    unreachable.destroy();
    expect(outcome).toEqual({
      acmImportError: expect.stringMatching(/^ACM ListCertificates\/ListTagsForCertificate failed: \w+: /),
    });
  });

  it("lets no key material into any message body or log line, and sends only decodable events", () => {
    expect(reader.bodies.length).toBeGreaterThan(0);
    expect(logs.length).toBeGreaterThan(0);
    const secrets = keyPairs.flatMap((pair) => [
      ...pemBodies(pair.privateKey),
      Buffer.from(pair.privateKey).toString("base64").slice(0, 60),
    ]);
    for (const text of [...reader.bodies, ...logs]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    expect(reader.undecodable).toEqual([]);
  });
});
