/**
 * The binaries the live conformance run needs beyond the test environment's own, built once from
 * the Go module proxy into the switchyard cache (never into the repository) and reused:
 * kube-controller-manager (kube-controller-manager-build.sh, same k8s.io/kubernetes version as the
 * test apiserver) and the suite's conformance test binary and echo backend (suite-build.sh).
 */

import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KUBE_VERSION } from "../../env/kube.ts";
import { runCommand } from "../../env/process.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface LiveBinaries {
  controllerManager: string;
  echoBasic: string;
  conformanceTest: string;
}

export function cacheRoot(): string {
  return process.env.SWITCHYARD_CACHE ?? join(homedir(), ".cache", "switchyard");
}

/** Builds what is missing (many minutes on a cold Go cache) and returns every path. */
export async function ensureLiveBinaries(): Promise<LiveBinaries> {
  const env = { ...process.env, SWITCHYARD_CACHE: cacheRoot() };
  await runCommand("conformance-live", "bash", [join(HERE, "kube-controller-manager-build.sh")], { echo: true, env });
  const suiteBin = (
    await runCommand("conformance-live", "bash", [join(HERE, "suite-build.sh")], { echo: true, env })
  ).trim();
  return {
    controllerManager: join(cacheRoot(), `kube-${KUBE_VERSION}`, "bin", "kube-controller-manager"),
    echoBasic: join(suiteBin, "echo-basic"),
    conformanceTest: join(suiteBin, "conformance.test"),
  };
}
