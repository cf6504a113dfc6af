// The live-conformance cluster pieces: kube-controller-manager (built from the same
// k8s.io/kubernetes version as the test apiserver) turns a Deployment into Pods, the pod stand-in
// (test/conformance/live/pod-standin.ts) binds them to its Node and runs the suite's echo backend
// on each Pod's own address with the Pod's environment, reports them Ready, and the EndpointSlice
// controller fills the Service's slice with those addresses.
//
// EndpointSlices refuse loopback addresses, so the scenario runs in a private network namespace
// (test/conformance/live/private-network.ts) with its own kube-apiserver; this file starts it as a
// child process and asserts on the observations it prints (cluster-scenario.ts).

import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureLiveBinaries } from "../conformance/live/binaries.ts";
import type { ClusterObservations } from "../conformance/live/cluster-scenario.ts";
import { INSIDE_VARIABLE, inPrivateNetwork } from "../conformance/live/private-network.ts";
import { REPO_ROOT } from "../env/process.ts";

let observed: ClusterObservations;
let namespace: string;

async function runScenario(echoBasic: string, controllerManager: string): Promise<string> {
  const [command, ...args] = inPrivateNetwork([
    process.execPath,
    join(REPO_ROOT, "test", "conformance", "live", "cluster-scenario.ts"),
    echoBasic,
    controllerManager,
  ]);
  const child = spawn(command ?? "unshare", args, {
    cwd: REPO_ROOT,
    env: { ...process.env, [INSIDE_VARIABLE]: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8_000);
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`cluster scenario exited ${code}:\n${stderr}`);
  return stdout;
}

describe("live conformance cluster: controller-manager and the pod stand-in on a kube-apiserver", () => {
  beforeAll(async () => {
    const binaries = await ensureLiveBinaries();
    const out = await runScenario(binaries.echoBasic, binaries.controllerManager);
    const line = out.trim().split("\n").at(-1) ?? "";
    ({ namespace, observations: observed } = JSON.parse(line) as {
      namespace: string;
      observations: ClusterObservations;
    });
  }, 600_000);

  it("fills the Service's EndpointSlice with both Pods, each on its own non-loopback Pod address", () => {
    expect(observed.endpoints).toHaveLength(2);
    const ips = observed.endpoints.map((e) => e.ip);
    expect(new Set(ips).size).toBe(2);
    for (const { ip, pod } of observed.endpoints) {
      expect(ip.startsWith("10.244.")).toBe(true);
      expect(observed.standInAddresses[pod]).toBe(ip);
    }
  });

  it("runs echo-basic on each Pod address and port with the Pod's own name and namespace", () => {
    expect(observed.echoes.map((e) => e.ip)).toEqual(observed.endpoints.map((e) => e.ip));
    for (const [i, echo] of observed.echoes.entries()) {
      expect(echo.status).toBe(200);
      expect(echo.body).toMatchObject({ path: "/some/path", namespace, pod: observed.endpoints[i]?.pod });
    }
  });

  it("replaces a deleted Pod: its address leaves the slice and stops answering, a new Pod joins", () => {
    expect(observed.afterDelete).toHaveLength(2);
    expect(observed.afterDelete.some((e) => e.pod === observed.deleted.pod)).toBe(false);
    expect(observed.afterDelete.some((e) => e.ip === observed.deleted.ip)).toBe(false);
    expect(observed.deletedStillAnswers).toBe(false);
  });
});
