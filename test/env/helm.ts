// helm for the forwarder chart tests: built once from the Go module proxy by helm.sh into
// $SWITCHYARD_CACHE/helm-<version>/bin and reused. Called lazily by the tests that need it, so the
// global setup (and every other suite) never pays for it.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./helm.sh", import.meta.url));
let cached: string | undefined;

/** The helm binary's path, building it first if the cache lacks it (cold: a few minutes). */
export function helmBinary(): string {
  if (cached === undefined) {
    cached = execFileSync("bash", [SCRIPT, "install"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  }
  return cached;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args`; never throws on a non-zero exit (tests assert on refusals too). */
export function helm(args: string[]): HelmResult {
  try {
    const stdout = execFileSync(helmBinary(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { status: 0, stdout, stderr: "" };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? 1, stdout: String(failed.stdout ?? ""), stderr: String(failed.stderr ?? "") };
  }
}
