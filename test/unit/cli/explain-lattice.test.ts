/** `switchyard explain` on VPC Lattice Gateways, over the bundled Lattice example. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "..", "examples");
const FILES = ["-f", join(EXAMPLES, "00-platform.yaml"), "-f", join(EXAMPLES, "10-vpc-lattice.yaml")];

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe("switchyard explain on VPC Lattice", () => {
  it("finds the service by custom domain name and the rule the headers select", async () => {
    const result = await run(
      "explain",
      ...FILES,
      "--request",
      "GET http://orders.internal.example/x",
      "-H",
      "x-api-version: 2",
      "-o",
      "json",
    );
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout) as {
      dataPlane?: string;
      service?: string;
      rule: { priority: unknown };
    }[];
    expect(entries.filter((e) => e.dataPlane === "lattice")).toEqual([
      expect.objectContaining({ service: "HTTPRoute/store/orders", rule: expect.objectContaining({ priority: 1 }) }),
    ]);
  });

  it("says which rules were skipped and why in text", async () => {
    const result = await run(
      "explain",
      ...FILES,
      "--request",
      "POST http://inventory-store-svc-0123456789abcdef0.abc.vpc-lattice-svcs.us-east-1.on.aws/stock/1",
    );
    expect(result.stdout).toContain("service inventory-store of HTTPRoute/store/inventory (by generated DNS name)");
    expect(result.stdout).toContain("rule 1 did not match: method GET");
    expect(result.stdout).toContain("→ respond 404");
  });

  it("exits 1 when no ALB listens on the port and no Lattice service answers on it", async () => {
    const result = await run("explain", ...FILES, "--request", "GET http://orders.internal.example:8443/");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no VPC Lattice service answers orders.internal.example:8443");
  });
});
