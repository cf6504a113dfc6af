/**
 * Entry point: `node forwarder/main.ts`. Reads the configuration from the environment, the
 * Kubernetes credentials from the in-cluster service account (or KUBECONFIG), and runs until
 * SIGTERM/SIGINT. With a status queue configured (via-forwarder status mode) it also pulls status
 * intents from that queue and writes them to /status with the same credentials.
 */
import { ACMClient } from "@aws-sdk/client-acm";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { KubeConfig } from "@kubernetes/client-node";
import { StatusWriter } from "../shared/status/writer/writer.ts";
import { CertificateImporter } from "./acm-importer.ts";
import { systemClock } from "./clock.ts";
import { loadConfig } from "./config.ts";
import { Forwarder } from "./forwarder.ts";
import { boundPort } from "./http-server.ts";
import { KubeApi } from "./kube-api.ts";
import { KubeConfigStatusApi } from "./status-api.ts";
import { StatusPuller } from "./status-puller.ts";

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  log(`invalid configuration:\n  ${loaded.problems.join("\n  ")}`);
  process.exit(2);
}
const { config } = loaded;
const kc = new KubeConfig();
try {
  // In a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config.
  kc.loadFromDefault();
} catch (error) {
  log(`cannot load Kubernetes credentials: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const sqs = new SQSClient({ region: config.region, ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}) });
const forwarder = new Forwarder({
  config,
  api: new KubeApi(kc),
  sqs,
  s3: new S3Client({
    region: config.region,
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {}),
  }),
  clock: systemClock,
  random: Math.random,
  log,
  ...(config.acmImport
    ? {
        certificates: new CertificateImporter({
          acm: new ACMClient({
            region: config.region,
            ...(config.acmEndpoint ? { endpoint: config.acmEndpoint } : {}),
          }),
          clusterId: config.clusterId,
          log,
        }),
      }
    : {}),
});
const statusPuller =
  config.statusQueueUrl === undefined
    ? undefined
    : new StatusPuller({
        sqs,
        queueUrl: config.statusQueueUrl,
        clusterId: config.clusterId,
        writer: new StatusWriter(new KubeConfigStatusApi(kc)),
        metrics: forwarder.metrics,
        clock: systemClock,
        random: Math.random,
        log: (message) => log(`status: ${message}`),
      });
await forwarder.start();
statusPuller?.start();
const server = forwarder.httpServer;
log(
  `forwarder for cluster ${config.clusterId} listening on ${config.listenHost}:${server ? boundPort(server) : "?"}` +
    (config.statusQueueUrl === undefined ? "" : `; writing status from ${config.statusQueueUrl}`),
);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    Promise.all([statusPuller?.stop(), forwarder.stop()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
