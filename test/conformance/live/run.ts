// `npm run conformance:live`: the Gateway API conformance suite (v1.6.1, its own Go test binary,
// unmodified) against switchyard's whole pipeline in local mode, for the ALB class.
//
// Builds what is missing, then re-runs itself in a private network namespace (private-network.ts:
// Pods need non-loopback addresses) and there starts: moto, DynamoDB Local, etcd + kube-apiserver (test/env), kube-controller-manager, the pod
// stand-in (scheduler + kubelet for the suite's echo backends), `switchyard dev`'s pipeline
// (cli/dev/pipeline.ts) for GatewayClass `switchyard-alb`, and the ALB data-plane emulator. Then
// runs the suite in a private mount namespace whose /etc/hosts the emulator keeps current, so the
// load balancer DNS names switchyard publishes in Gateway status resolve to the emulator.
//
//   npm run conformance:live                         the GATEWAY-HTTP profile, report under docs/
//   npm run conformance:live -- --run-test=HTTPRouteSimpleSameNamespace   one test (no docs change)
//
// Any argument is passed to the suite as is. Environment: SWITCHYARD_CACHE (binaries),
// SWITCHYARD_KEEP_RUN_DIR=1 (keep every log). See README.md in this folder.

import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ACMClient, ListTagsForCertificateCommand } from "@aws-sdk/client-acm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type RunningPipeline, startPipeline } from "../../../cli/dev/pipeline.ts";
import { CERTIFICATE_TAG } from "../../../forwarder/tls-certificate.ts";
import {
  DUMMY_CREDENTIALS,
  kubeConfig,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  TEST_REGION,
} from "../../env/clients.ts";
import { startEnvironment } from "../../env/components.ts";
import type { KubeCredentials } from "../../env/kube.ts";
import { log, REPO_ROOT, type ServerProcess } from "../../env/process.ts";
import { ENV } from "../../env/variables.ts";
import { publicDefaultVpc } from "../../integration/aws-network-fixture.ts";
import { ALB_CLAIMED_FEATURES } from "../harness/features.ts";
import { AlbDataPlane, type TlsMaterial } from "./alb-dataplane.ts";
import { ensureLiveBinaries } from "./binaries.ts";
import { startControllerManager } from "./controller-manager.ts";
import { kubeCall } from "./kube-client.ts";
import { PodStandIn } from "./pod-standin.ts";
import { FIRST_POD_ADDRESS, INSIDE_VARIABLE, inPrivateNetwork, insidePrivateNetwork } from "./private-network.ts";
import { parseReport, summaryWithLog, withGeneratedBlock } from "./report-summary.ts";
import { ALB_SUITE_SKIPS, skipTestsFlag } from "./suite-skips.ts";

export const GATEWAY_CLASS = "switchyard-alb";
const SEED_NAMESPACE = "switchyard-live-seed";
export const REPORT_FILE = join(REPO_ROOT, "docs", "conformance-live-alb-v1.6.1.yaml");
const SUMMARY_FILE = join(REPO_ROOT, "docs", "conformance-live.md");

const passThrough = process.argv.slice(2);
const singleTest = passThrough.some((a) => a.startsWith("--run-test"));

function suiteArgs(reportOutput: string, version: string): string[] {
  return [
    "-test.run=^TestConformance$",
    "-test.v",
    "-test.timeout=6h",
    `--gateway-class=${GATEWAY_CLASS}`,
    `--supported-features=${[...ALB_CLAIMED_FEATURES.keys()].join(",")}`,
    "--conformance-profiles=GATEWAY-HTTP",
    `--report-output=${reportOutput}`,
    "--organization=switchyard",
    "--project=switchyard",
    `--version=v${version}`,
    "--url=https://github.com/switchyard-dev/switchyard",
    "--contact=switchyard maintainers",
    "--mode=default",
    // Core tests ALB cannot express (suite-skips.ts): the route's status says why.
    skipTestsFlag(ALB_SUITE_SKIPS),
    ...passThrough,
  ];
}

/**
 * The key material behind an ACM certificate switchyard imported: its tags name the Secret it came
 * from (forwarder/tls-certificate.ts), and the Secret holds the key ACM never gives back.
 */
function secretMaterial(acm: ACMClient, creds: KubeCredentials): (arn: string) => Promise<TlsMaterial | undefined> {
  return async (arn) => {
    const tags = (await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags ?? [];
    const tag = (key: string) => tags.find((t) => t.Key === key)?.Value;
    const namespace = tag(CERTIFICATE_TAG.secretNamespace);
    const name = tag(CERTIFICATE_TAG.secretName);
    if (!namespace || !name) return undefined;
    const secret = await kubeCall<{ data?: Record<string, string> }>(
      creds,
      "GET",
      `/api/v1/namespaces/${namespace}/secrets/${name}`,
    );
    const decode = (key: string) => Buffer.from(secret.data?.[key] ?? "", "base64").toString("utf8");
    const material = { cert: decode("tls.crt"), key: decode("tls.key") };
    return material.cert && material.key ? material : undefined;
  };
}

/**
 * The suite, with /etc/hosts replaced (in its own mount namespace only) by the emulator's file. Its
 * output goes to the terminal and to `logFile`, which the summary checks the report against.
 */
function runSuite(
  binary: string,
  hostsFile: string,
  args: string[],
  kubeconfig: string,
  cwd: string,
  logFile: string,
): Promise<number> {
  const child = spawn(
    "unshare",
    ["--mount", "--", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile, binary, ...args],
    { cwd, stdio: ["inherit", "pipe", "inherit"], env: { ...process.env, KUBECONFIG: kubeconfig } },
  );
  const log = createWriteStream(logFile);
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    log.write(chunk);
  });
  return new Promise((resolve) =>
    child.once("close", (code) => {
      log.end(() => resolve(code ?? 1));
    }),
  );
}

const binaries = await ensureLiveBinaries();
if (!insidePrivateNetwork()) {
  // Builds happen out here (they need the Go module proxy); the run itself in a private network.
  const [command, ...args] = inPrivateNetwork([process.execPath, ...process.argv.slice(1)]);
  const child = spawn(command ?? "unshare", args, {
    stdio: "inherit",
    env: { ...process.env, [INSIDE_VARIABLE]: "1" },
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  process.exit(code ?? 1);
}
const environment = await startEnvironment(["moto", "dynamodb", "kube"]);
Object.assign(process.env, environment.variables);
const stops: (() => Promise<void>)[] = [() => environment.stop()];
let exitCode = 1;
try {
  const v = environment.variables;
  const creds: KubeCredentials = {
    server: v[ENV.kubeServer] ?? "",
    token: v[ENV.kubeToken] ?? "",
    ca: await readFile(v[ENV.kubeCaFile] ?? "", "utf8"),
  };
  await publicDefaultVpc(new EC2Client(motoSettings()));

  const manager: ServerProcess = await startControllerManager({
    binary: binaries.controllerManager,
    kubeconfig: v[ENV.kubeconfig] ?? "",
    caFile: v[ENV.kubeCaFile] ?? "",
    logFile: join(environment.runDir, "kube-controller-manager.log"),
  });
  stops.unshift(() => manager.stop());
  log("live", "kube-controller-manager started");

  const standIn = new PodStandIn({
    creds,
    echoBinary: binaries.echoBasic,
    logDir: join(environment.runDir, "pods"),
    podAddressPool: FIRST_POD_ADDRESS,
    log: (line) => log("pods", line),
  });
  await standIn.start();
  stops.unshift(() => standIn.stop());

  await kubeCall(creds, "POST", "/apis/gateway.networking.k8s.io/v1/gatewayclasses", {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: GATEWAY_CLASS },
    spec: { controllerName: "switchyard.dev/alb" },
  });

  // switchyard writes GatewayClass status from Gateway reconciles only (shared/pipeline/
  // gateway-statuses.ts), while the suite waits for its class to be Accepted before it makes any
  // Gateway. A seed Gateway of the class, outside the suite's namespaces, gets the first reconcile.
  await kubeCall(creds, "POST", "/api/v1/namespaces", { metadata: { name: SEED_NAMESPACE } });
  await kubeCall(creds, "POST", `/apis/gateway.networking.k8s.io/v1/namespaces/${SEED_NAMESPACE}/gateways`, {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: "seed", namespace: SEED_NAMESPACE },
    spec: { gatewayClassName: GATEWAY_CLASS, listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
  });

  const pipeline: RunningPipeline = await startPipeline({
    kubeConfig: kubeConfig(),
    clusterId: "conformance-live",
    region: TEST_REGION,
    account: MOTO_DEFAULT_ACCOUNT_ID,
    awsEndpoint: motoSettings().endpoint,
    dynamoDbEndpoint: v[ENV.dynamoDbEndpoint] ?? "",
    credentials: DUMMY_CREDENTIALS,
    retryAfterSeconds: 2,
    logLevel: "WARN",
    progress: (event) => {
      if (event.stage === "reconcile") log("reconcile", `${event.gatewayKey}: ${event.outcome} (${event.reason})`);
      if (event.stage === "status" && event.outcome !== "written") log("status", `${event.object}: ${event.outcome}`);
    },
  });
  stops.unshift(() => pipeline.stop());
  await pipeline.forwarderSynced(120_000);
  log("live", "switchyard pipeline running");

  const hostsFile = join(environment.runDir, "hosts");
  const dataPlane = new AlbDataPlane({
    elbv2: new ElasticLoadBalancingV2Client(motoSettings()),
    hostsFile,
    hostsPreamble: await readFile("/etc/hosts", "utf8"),
    pollIntervalMs: 1000,
    tlsMaterial: secretMaterial(new ACMClient(motoSettings()), creds),
    log: (line) => log("alb", line),
  });
  await dataPlane.start();
  stops.unshift(() => dataPlane.stop());

  const version = (JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
  const report = singleTest ? join(environment.runDir, "report.yaml") : REPORT_FILE;
  const suiteLog = join(environment.runDir, "suite.log");
  const started = Date.now();
  exitCode = await runSuite(
    binaries.conformanceTest,
    hostsFile,
    suiteArgs(report, version),
    v[ENV.kubeconfig] ?? "",
    environment.runDir,
    suiteLog,
  );
  log(
    "live",
    `suite exited ${exitCode} after ${Math.round((Date.now() - started) / 1000)} s; report: ${report}; log: ${suiteLog}`,
  );
  if (!singleTest) {
    const summary = summaryWithLog(parseReport(await readFile(report, "utf8")), await readFile(suiteLog, "utf8"));
    await writeFile(SUMMARY_FILE, withGeneratedBlock(await readFile(SUMMARY_FILE, "utf8"), summary));
    log("live", `summary: ${SUMMARY_FILE}`);
  }
  await writeFile(join(environment.runDir, "alb-served.json"), JSON.stringify(dataPlane.served, null, 1));
} finally {
  for (const stop of stops) await stop().catch((error: unknown) => log("live", `stop failed: ${String(error)}`));
}
process.exit(exitCode);
