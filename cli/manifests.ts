/** Reading manifest files and directories from disk for the offline commands. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { KubeObject } from "../shared/k8s/meta.ts";
import { loadManifests } from "../shared/manifest/load.ts";
import type { ManifestProblem } from "../shared/manifest/problem.ts";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export interface LoadedFiles {
  objects: KubeObject[];
  problems: ManifestProblem[];
  files: string[];
}

/** Files under each path, depth first, sorted so output never depends on directory order. */
export function manifestFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        const child = join(path, entry);
        if (statSync(child).isDirectory() || MANIFEST_EXTENSIONS.has(extname(entry))) visit(child);
      }
    } else {
      files.push(path);
    }
  };
  for (const path of paths) visit(path);
  return files;
}

export function loadFiles(paths: readonly string[], defaultNamespace?: string): LoadedFiles {
  const files = manifestFiles(paths);
  const out: LoadedFiles = { objects: [], problems: [], files };
  for (const file of files) {
    const loaded = loadManifests(readFileSync(file, "utf8"), file, defaultNamespace ? { defaultNamespace } : {});
    out.objects.push(...loaded.objects);
    out.problems.push(...loaded.problems, ...loaded.rejected.flatMap((r) => r.problems));
  }
  return out;
}
