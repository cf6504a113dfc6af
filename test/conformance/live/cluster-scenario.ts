// Run by test/conformance-live/cluster.test.ts inside a private network namespace
// (private-network.ts): starts the test environment's kube-apiserver, kube-controller-manager and
// the pod stand-in there, makes a Deployment (echo-basic, two replicas) and a Service, and prints
// one JSON line of what it observed, which the test asserts on. Observations only: no verdicts.
//
//   node test/conformance/live/cluster-scenario.ts <echo-basic> <kube-controller-manager>

import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { startEnvironment } from "../../env/components.ts";
import type { KubeCredentials } from "../../env/kube.ts";
import { waitFor } from "../../env/process.ts";
import { ENV } from "../../env/variables.ts";
import { startControllerManager } from "./controller-manager.ts";
import { kubeCall } from "./kube-client.ts";
import { PodStandIn } from "./pod-standin.ts";
import { FIRST_POD_ADDRESS } from "./private-network.ts";

interface EndpointSlice {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }[];
}

export interface Endpoint {
  ip: string;
  pod: string;
}

export interface ClusterObservations {
  /** Ready endpoints once there were two. */
  endpoints: Endpoint[];
  /** The address the stand-in says it gave each of those Pods. */
  standInAddresses: Record<string, string | undefined>;
  /** What echo-basic answered on each endpoint's address, port 3000. */
  echoes: { ip: string; status: number; body: unknown }[];
  deleted: Endpoint;
  /** Ready endpoints once the deleted Pod had left and a replacement joined. */
  afterDelete: Endpoint[];
  /** Whether the deleted Pod's address still accepted a request afterwards. */
  deletedStillAnswers: boolean;
}

const [echoBinary, controllerManagerBinary] = process.argv.slice(2);
if (!echoBinary || !controllerManagerBinary) throw new Error("usage: cluster-scenario.ts <echo-basic> <kcm>");

const environment = await startEnvironment(["kube"]);
const v = environment.variables;
const caFile = v[ENV.kubeCaFile] ?? "";
const kubeDir = join(dirname(caFile), "..");
const creds: KubeCredentials = {
  server: v[ENV.kubeServer] ?? "",
  token: v[ENV.kubeToken] ?? "",
  ca: await readFile(caFile, "utf8"),
};
const namespace = "live-cluster";
let exitCode = 1;
const manager = await startControllerManager({
  binary: controllerManagerBinary,
  kubeconfig: v[ENV.kubeconfig] ?? "",
  caFile,
  logFile: join(kubeDir, "kube-controller-manager.log"),
});
const standIn = new PodStandIn({
  creds,
  echoBinary,
  logDir: join(kubeDir, "pods"),
  podAddressPool: FIRST_POD_ADDRESS,
  pollIntervalMs: 250,
});
try {
  await standIn.start();
  await kubeCall(creds, "POST", "/api/v1/namespaces", { metadata: { name: namespace } });
  await kubeCall(creds, "POST", `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    metadata: { name: "echo", namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "echo" } },
      template: {
        metadata: { labels: { app: "echo" } },
        spec: {
          containers: [
            {
              name: "echo",
              image: "registry.k8s.io/gateway-api/echo-basic:v1.5.1",
              env: [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              ],
            },
          ],
        },
      },
    },
  });
  await kubeCall(creds, "POST", `/api/v1/namespaces/${namespace}/services`, {
    metadata: { name: "echo", namespace },
    spec: { selector: { app: "echo" }, ports: [{ port: 8080, targetPort: 3000 }] },
  });

  const ready = async (): Promise<Endpoint[]> => {
    const list = await kubeCall<{ items: EndpointSlice[] }>(
      creds,
      "GET",
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Decho`,
    );
    return list.items
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready === true)
      .flatMap((e) => e.addresses.map((ip) => ({ ip, pod: e.targetRef?.name ?? "" })))
      .sort((a, b) => a.ip.localeCompare(b.ip));
  };
  const endpoints = await waitFor(
    "two ready endpoints",
    async () => {
      const e = await ready();
      return e.length === 2 ? e : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  const standInAddresses = Object.fromEntries(endpoints.map((e) => [e.pod, standIn.podIP(namespace, e.pod)]));
  const echoes = [];
  for (const { ip } of endpoints) {
    const response = await fetch(`http://${ip}:3000/some/path`);
    echoes.push({ ip, status: response.status, body: (await response.json()) as unknown });
  }
  const deleted = endpoints[0] as Endpoint;
  await kubeCall(creds, "DELETE", `/api/v1/namespaces/${namespace}/pods/${deleted.pod}`);
  const afterDelete = await waitFor(
    "the deleted Pod to leave and a replacement to join",
    async () => {
      const e = await ready();
      return e.length === 2 && !e.some((x) => x.pod === deleted.pod) ? e : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  const deletedStillAnswers = await fetch(`http://${deleted.ip}:3000/`).then(
    () => true,
    () => false,
  );
  const observations: ClusterObservations = {
    endpoints,
    standInAddresses,
    echoes,
    deleted,
    afterDelete,
    deletedStillAnswers,
  };
  process.stdout.write(`${JSON.stringify({ namespace, observations })}\n`);
  exitCode = 0;
} finally {
  await standIn.stop();
  await manager.stop();
  await environment.stop();
}
process.exit(exitCode);
