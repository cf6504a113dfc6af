// The forwarder's Dockerfile cannot be built here (no Docker engine): these checks hold it to its
// invariants instead. The copied sources must cover everything `node forwarder/main.ts` imports.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const dockerfile = readFileSync(join(ROOT, "forwarder/Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const named = (keyword: string) => instructions.filter((line) => line.startsWith(`${keyword} `));
/** The sources the image holds, as the Dockerfile copies them and the .dockerignore lets them in. */
const COPIED = [
  "forwarder/*.ts",
  "shared/events/*.ts",
  "shared/pipeline/status-intent.ts",
  "shared/gateway-api/types.ts",
  "shared/status/merge.ts",
  "shared/status/writer/writer.ts",
  "shared/status/writer/decision.ts",
  "shared/status/writer/resources.ts",
];

/**
 * Every relative .ts file `node` loads from `entry` through static imports, and every package used.
 * Type stripping erases `import type` and `export type ... from` statements whole, so those are not
 * followed; `import { type A } from` is (Node keeps it as a side-effect import).
 */
function importClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(join(ROOT, file), "utf8");
    for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+"([^"]+)"/gm)) {
      if (match[1] !== undefined) continue;
      const specifier = match[2] ?? "";
      if (specifier.startsWith(".")) pending.push(relative(ROOT, join(dirname(join(ROOT, file)), specifier)));
      else if (!specifier.startsWith("node:"))
        packages.add(
          specifier
            .split("/")
            .slice(0, specifier.startsWith("@") ? 2 : 1)
            .join("/"),
        );
    }
  }
  return { files, packages };
}

describe("forwarder/Dockerfile", () => {
  const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(instructions.join("\n"))?.[1] ?? "";

  it("builds on a pinned Node 24 slim image, never a latest tag", () => {
    expect(nodeImage).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    for (const from of named("FROM")) expect(from).not.toMatch(/:latest\b/);
    expect(named("FROM")).toHaveLength(2);
  });

  it("installs only the lockfile's production dependencies, without install scripts", () => {
    const install = named("RUN").find((run) => run.includes("npm "));
    expect(install).toContain("npm ci");
    expect(install).toContain("--omit=dev");
    expect(install).toContain("--ignore-scripts");
  });

  it("runs as a numeric non-root user, starting node forwarder/main.ts with no build step", () => {
    const users = named("USER");
    expect(users).toHaveLength(1);
    const user = users[0]?.split(" ")[1] ?? "";
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(instructions.at(-1)).toBe('ENTRYPOINT ["node", "forwarder/main.ts"]');
    expect(named("HEALTHCHECK")[0]).toContain("/healthz");
  });

  it("copies only what the entry point imports, and the packages it uses are production dependencies", () => {
    const copies = named("COPY").filter((copy) => !copy.includes("--from="));
    expect(copies).toEqual([
      "COPY package.json package-lock.json ./",
      "COPY package.json ./",
      "COPY forwarder/*.ts ./forwarder/",
      "COPY shared/events/*.ts ./shared/events/",
      "COPY shared/pipeline/status-intent.ts ./shared/pipeline/",
      "COPY shared/gateway-api/types.ts ./shared/gateway-api/",
      "COPY shared/status/merge.ts ./shared/status/",
      "COPY shared/status/writer/writer.ts shared/status/writer/decision.ts shared/status/writer/resources.ts ./shared/status/writer/",
    ]);
    const { files, packages } = importClosure("forwarder/main.ts");
    const copied = COPIED.map((pattern) => new RegExp(`^${pattern.replaceAll(".", "\\.").replaceAll("*", "[^/]+")}$`));
    for (const file of files)
      expect(
        copied.some((pattern) => pattern.test(file)),
        file,
      ).toBe(true);
    // The status writer's pure core is in the image; its AWS-facing half (EKS tokens) is not.
    expect(files).toContain("shared/status/writer/writer.ts");
    expect(files).not.toContain("shared/status/writer/connection.ts");
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const name of packages) expect(Object.keys(manifest.dependencies)).toContain(name);
    expect([...packages].sort()).toEqual(
      ["@aws-sdk/client-acm", "@aws-sdk/client-s3", "@aws-sdk/client-sqs", "@kubernetes/client-node"].sort(),
    );
  });

  it("keeps the build context to the copied files", () => {
    const ignore = readFileSync(join(ROOT, "forwarder/Dockerfile.dockerignore"), "utf8");
    expect(ignore.split("\n").filter((l) => l !== "" && !l.startsWith("#"))).toEqual([
      "*",
      "!package.json",
      "!package-lock.json",
      ...COPIED.map((pattern) => `!${pattern}`),
    ]);
  });
});
