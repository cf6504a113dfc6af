// The live-conformance cluster pieces on the test kube-apiserver: kube-controller-manager (built
// from the same k8s.io/kubernetes version) turns a Deployment into a ReplicaSet and Pods, the pod
// stand-in (test/conformance/live/pod-standin.ts) binds them to its Node and runs the suite's echo
// backend on each Pod's own loopback address with the Pod's environment, reports them Ready, and
// the EndpointSlice controller fills the Service's slices with those addresses.

import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLiveBinaries } from "../conformance/live/binaries.ts";
import { startControllerManager } from "../conformance/live/controller-manager.ts";
import { kubeCall } from "../conformance/live/kube-client.ts";
import { PodStandIn } from "../conformance/live/pod-standin.ts";
import { requireEnv, uniqueName, waitFor } from "../env/clients.ts";
import type { KubeCredentials } from "../env/kube.ts";
import type { ServerProcess } from "../env/process.ts";
import { ENV } from "../env/variables.ts";

const NET = 150 + Math.floor(Math.random() * 50);
const POD_POOL = `127.${NET}.0.1`;

interface EndpointSlice {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }[];
  ports?: { port?: number }[];
}

let creds: KubeCredentials;
let manager: ServerProcess;
let standIn: PodStandIn;
const namespace = uniqueName("live");

function echoDeployment(replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "echo", namespace },
    spec: {
      replicas,
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
  };
}

async function readySlices(): Promise<{ ip: string; pod: string }[]> {
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
}

describe("live conformance cluster: controller-manager and the pod stand-in on the test apiserver", () => {
  beforeAll(async () => {
    const binaries = await ensureLiveBinaries();
    creds = {
      server: requireEnv(ENV.kubeServer),
      token: requireEnv(ENV.kubeToken),
      ca: await readFile(requireEnv(ENV.kubeCaFile), "utf8"),
    };
    // The kube component's run directory (its CA is at <dir>/pki/ca.crt): logs go beside its own.
    const kubeDir = join(dirname(requireEnv(ENV.kubeCaFile)), "..");
    manager = await startControllerManager({
      binary: binaries.controllerManager,
      kubeconfig: requireEnv(ENV.kubeconfig),
      caFile: requireEnv(ENV.kubeCaFile),
      logFile: join(kubeDir, "kube-controller-manager.log"),
    });
    standIn = new PodStandIn({
      creds,
      echoBinary: binaries.echoBasic,
      logDir: join(kubeDir, "pods"),
      podAddressPool: POD_POOL,
      pollIntervalMs: 250,
    });
    await standIn.start();
    await kubeCall(creds, "POST", "/api/v1/namespaces", { metadata: { name: namespace } });
  });

  afterAll(async () => {
    await standIn?.stop();
    await manager?.stop();
  });

  it("fills a Service's EndpointSlice with the Deployment's Pods on their own loopback addresses", async () => {
    await kubeCall(creds, "POST", `/apis/apps/v1/namespaces/${namespace}/deployments`, echoDeployment(2));
    await kubeCall(creds, "POST", `/api/v1/namespaces/${namespace}/services`, {
      metadata: { name: "echo", namespace },
      spec: { selector: { app: "echo" }, ports: [{ port: 8080, targetPort: 3000 }] },
    });
    const ready = await waitFor(
      "two ready endpoints",
      async () => {
        const endpoints = await readySlices();
        return endpoints.length === 2 ? endpoints : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    for (const { ip, pod } of ready) {
      expect(ip.startsWith(`127.${NET}.`)).toBe(true);
      expect(standIn.podIP(namespace, pod)).toBe(ip);
    }
    expect(new Set(ready.map((e) => e.ip)).size).toBe(2);
  });

  it("answers on each Pod's address and port with the Pod's own name and namespace", async () => {
    for (const { ip, pod } of await readySlices()) {
      const response = await fetch(`http://${ip}:3000/some/path`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { path?: string; namespace?: string; pod?: string };
      expect(body).toMatchObject({ path: "/some/path", namespace, pod });
    }
  });

  it("replaces a deleted Pod: the old address leaves the slice, a new one joins", async () => {
    const before = await readySlices();
    const victim = before[0];
    if (!victim) throw new Error("no endpoint to delete");
    await kubeCall(creds, "DELETE", `/api/v1/namespaces/${namespace}/pods/${victim.pod}`);
    const after = await waitFor(
      "the slice to drop the deleted Pod and gain its replacement",
      async () => {
        const endpoints = await readySlices();
        return endpoints.length === 2 && !endpoints.some((e) => e.pod === victim.pod) ? endpoints : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(after.some((e) => e.ip === victim.ip)).toBe(false);
    await expect(fetch(`http://${victim.ip}:3000/`)).rejects.toThrow();
  });
});
