/**
 * Locates the Gateway API v1.6.1 Go modules (the spec, and its conformance suite) in the local
 * module cache through `go mod download -json`, once per process, and reads files from them.
 * Nothing from the modules is copied into this repository.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";

export const GATEWAY_API_VERSION = "v1.6.1";

const dirs = new Map<string, string>();

function moduleDir(module: string): string {
  const cached = dirs.get(module);
  if (cached) return cached;
  const out = execFileSync("go", ["mod", "download", "-json", `${module}@${GATEWAY_API_VERSION}`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const info: unknown = JSON.parse(out);
  const dir = typeof info === "object" && info !== null && "Dir" in info ? info.Dir : undefined;
  if (typeof dir !== "string" || dir === "") throw new Error(`go mod download gave no Dir for ${module}: ${out}`);
  dirs.set(module, dir);
  return dir;
}

/** sigs.k8s.io/gateway-api: apis, CRDs, examples, hack/invalid-examples. */
export function gatewayApiDir(): string {
  return moduleDir("sigs.k8s.io/gateway-api");
}

/** sigs.k8s.io/gateway-api/conformance: base manifests and the tests' YAML. */
export function conformanceDir(): string {
  return moduleDir("sigs.k8s.io/gateway-api/conformance");
}

/** Every `.yaml` file under a directory, as paths relative to `base`, sorted. */
export function yamlFilesUnder(base: string, subdir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml") || name.endsWith(".yml")) out.push(relative(base, path));
    }
  };
  walk(join(base, subdir));
  return out.sort();
}

export function readModuleFile(base: string, path: string): string {
  return readFileSync(join(base, path), "utf8");
}

export type CrdChannel = "standard" | "experimental";

export interface CrdVersion {
  name: string;
  served: boolean;
  schema: Record<string, unknown>;
}

export interface Crd {
  kind: string;
  file: string;
  versions: CrdVersion[];
}

const crdCache = new Map<CrdChannel, Crd[]>();

/** The Gateway API CRDs (gateway.networking.k8s.io only) of one channel. */
export function gatewayApiCrds(channel: CrdChannel): Crd[] {
  const cached = crdCache.get(channel);
  if (cached) return cached;
  const base = gatewayApiDir();
  const crds: Crd[] = [];
  for (const file of yamlFilesUnder(base, `config/crd/${channel}`)) {
    if (!file.includes("gateway.networking.k8s.io_")) continue;
    for (const doc of parseAllDocuments(readModuleFile(base, file))) {
      const value = doc.toJS() as Record<string, unknown> | null;
      if (value?.kind !== "CustomResourceDefinition") continue;
      const spec = value.spec as { names: { kind: string }; versions: Record<string, unknown>[] };
      crds.push({
        kind: spec.names.kind,
        file,
        versions: spec.versions.map((v) => ({
          name: String(v.name),
          served: v.served === true,
          schema: (v.schema as { openAPIV3Schema: Record<string, unknown> }).openAPIV3Schema,
        })),
      });
    }
  }
  crdCache.set(channel, crds);
  return crds;
}
