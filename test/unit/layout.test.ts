/**
 * Layout rules the compiler cannot enforce: production code (everything but test/ and bench/)
 * never imports the test doubles in shared/testing, and shared/ never imports the edges.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const PRODUCTION = ["shared", "cli", "functions", "forwarder", "infra"];
const TESTING = join(ROOT, "shared/testing");

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return [];
  }
  return entries
    .filter((f) => f.endsWith(".ts") && !f.includes("node_modules"))
    .map((f) => join(dir, f))
    .filter((f) => !f.startsWith(`${TESTING}/`));
}

/** Every relative module specifier in a file, resolved against the file's folder. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/\bfrom\s+"(\.{1,2}\/[^"]+)"|\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g)];
  return specifiers.map((m) => resolve(file, "..", m[1] ?? m[2] ?? ""));
}

describe("layout", () => {
  const files = PRODUCTION.flatMap((d) => sourceFiles(join(ROOT, d)));

  it("finds the production sources it checks", () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it("production code never imports the test doubles in shared/testing", () => {
    const offenders = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => target === TESTING || target.startsWith(`${TESTING}/`))
        .map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the domain core in shared/ never imports the edges (cli, functions, forwarder, infra, test)", () => {
    const edges = ["cli", "functions", "forwarder", "infra", "test", "bench"].map((d) => join(ROOT, d));
    const offenders = sourceFiles(join(ROOT, "shared")).flatMap((file) =>
      importsOf(file)
        .filter((target) => edges.some((edge) => target.startsWith(`${edge}/`)))
        .map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`),
    );
    expect(offenders).toEqual([]);
  });
});
