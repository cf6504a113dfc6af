/**
 * Negative control: every example the Gateway API ships is valid. Each must load with no problem
 * and nothing rejected — the standard examples under both CRD channels, the experimental ones
 * under the experimental channel. Kinds switchyard does not read are reported as ignored.
 */
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { formatProblem } from "../../../shared/manifest/problem.ts";
import type { Channel } from "../../../shared/manifest/validate.ts";
import { gatewayApiDir, readModuleFile, yamlFilesUnder } from "./gateway-api-module.ts";

const base = gatewayApiDir();
const files = yamlFilesUnder(base, "examples");

describe("Gateway API examples", () => {
  it("covers both example directories", () => {
    expect(files.some((f) => f.startsWith("examples/standard/"))).toBe(true);
    expect(files.some((f) => f.startsWith("examples/experimental/"))).toBe(true);
    expect(files.every((f) => f.startsWith("examples/standard/") || f.startsWith("examples/experimental/"))).toBe(true);
  });

  for (const file of files) {
    const channels: Channel[] = file.startsWith("examples/standard/") ? ["standard", "experimental"] : ["experimental"];
    for (const channel of channels) {
      it(`${file} loads without problems (${channel} channel)`, () => {
        const loaded = loadManifests(readModuleFile(base, file), file, { channel });
        const problems = [...loaded.problems, ...loaded.rejected.flatMap((r) => r.problems)].map(formatProblem);
        expect(problems).toEqual([]);
        expect(loaded.objects.length + loaded.ignored.length).toBeGreaterThan(0);
      });
    }
  }
});
