// The README's "Register a cluster" quick start: the `cluster register` command it shows is one the
// CLI accepts (every flag known, the registration valid), so the documented command does not rot.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { registrationFromFlags } from "../../../cli/cluster/registration.ts";
import { REGISTER_USAGE } from "../../../cli/commands/cluster.ts";

const README = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");

/** The shell command that starts with `... switchyard.ts cluster register`, continuation lines joined. */
function documentedRegister(): string[] {
  const joined = README.replace(/\\\n\s*/g, " ");
  const line = joined.split("\n").find((l) => l.includes("switchyard.ts cluster register"));
  if (line === undefined) throw new Error("README.md shows no `cluster register` command");
  const words = line.slice(line.indexOf("cluster register")).split(">")[0]?.trim().split(/\s+/) ?? [];
  return words.slice(2);
}

describe("README: register a cluster", () => {
  it("shows a cluster register command whose flags the CLI knows and whose registration is valid", async () => {
    const args = documentedRegister();
    expect(args).toContain("--cluster-id");
    // Every flag the README uses is one the command documents (and so parses: the usage lists its options).
    for (const flag of args.filter((a) => a.startsWith("--"))) expect(REGISTER_USAGE).toContain(`${flag} `);
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(
        [...new Set(args.filter((a) => a.startsWith("--")).map((a) => a.slice(2)))].map((name) => [
          name,
          { type: "string" as const },
        ]),
      ),
      strict: true,
    });
    const cluster = registrationFromFlags(values, { controlPlaneAccount: String(values.account) });
    expect(cluster.clusterId).toBe("prod-eu");
    expect(cluster.senderId).toBeDefined();
  });
});
