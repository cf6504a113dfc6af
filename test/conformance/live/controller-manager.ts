/**
 * kube-controller-manager against the test environment's kube-apiserver (test/env/kube.ts), with
 * the controllers the conformance suite's backends need and nothing that expects a kubelet or a
 * cloud: Deployments → ReplicaSets → Pods, Services → EndpointSlices, namespace deletion,
 * service accounts and their tokens, and the garbage collector that removes owned objects.
 *
 * It signs service-account tokens with the key pair test/env/kube.ts wrote for the apiserver
 * (`pki/sa.key` beside the CA file) and acts as the environment's admin through its kubeconfig.
 */

import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ServerProcess, waitFor } from "../../env/process.ts";

/** Canonical controller names (kube-controller-manager --controllers). */
export const CONTROLLERS = [
  "deployment-controller",
  "replicaset-controller",
  "endpointslice-controller",
  "endpointslice-mirroring-controller",
  "namespace-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "garbage-collector-controller",
] as const;

export interface ControllerManagerOptions {
  /** kube-controller-manager binary (kube-controller-manager-build.sh). */
  binary: string;
  /** The environment's admin kubeconfig (SWITCHYARD_KUBECONFIG). */
  kubeconfig: string;
  /** The environment's CA (SWITCHYARD_KUBE_CA_FILE); sa.key is read from beside it. */
  caFile: string;
  logFile: string;
}

export function controllerManagerArgs(options: ControllerManagerOptions): string[] {
  return [
    `--kubeconfig=${options.kubeconfig}`,
    `--controllers=${CONTROLLERS.join(",")}`,
    `--service-account-private-key-file=${join(dirname(options.caFile), "sa.key")}`,
    `--root-ca-file=${options.caFile}`,
    "--use-service-account-credentials=false",
    "--leader-elect=false",
    // No serving endpoint: nothing scrapes it, and it would need its own authn/authz kubeconfigs.
    "--secure-port=0",
    // Endpoints appear within a second of a Pod turning Ready (default batching is 0 too).
    "--endpointslice-updates-batch-period=0s",
    "--concurrent-deployment-syncs=10",
    "--concurrent-replicaset-syncs=10",
    "--concurrent-service-endpoint-syncs=10",
    "--v=1",
  ];
}

/** Starts it and waits until it has written its first lease-free sign of life: the log line. */
export async function startControllerManager(options: ControllerManagerOptions): Promise<ServerProcess> {
  await access(options.binary);
  const server = new ServerProcess("kube-controller-manager", options.binary, controllerManagerArgs(options), {
    logFile: options.logFile,
  });
  // Readiness is the controllers having started, which the manager logs once its informers sync.
  await waitFor(
    "kube-controller-manager to start its controllers",
    async () =>
      /Started controller|"Started controller"|Starting controller/.test(server.logTail(400)) ? true : undefined,
    { timeoutMs: 120_000, intervalMs: 250, server },
  );
  return server;
}
