/**
 * How each Lambda handler is bundled: one esbuild bundle per function, ESM for Node 24, minified,
 * everything (the AWS SDK included) inside. `BUNDLING` names the settings as aws-cdk-lib's
 * NodejsFunction takes them, so the CDK app and `esbuildOptions` (bench/scenarios/cold-start.ts,
 * and any local build) produce the same file.
 */
import { join } from "node:path";
import type { BuildOptions } from "esbuild";

/** Every Lambda entry point, relative to the repository root. */
export const HANDLER_ENTRIES = {
  ingest: "functions/ingest/handler.ts",
  reconcile: "functions/reconcile/handler.ts",
  status: "functions/status/handler.ts",
  resync: "functions/resync/handler.ts",
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** A CommonJS dependency's `require("node:…")` inside an ESM bundle needs a real `require`. */
const REQUIRE_SHIM =
  "import { createRequire as __switchyardRequire } from 'node:module'; const require = __switchyardRequire(import.meta.url);";

/** The settings, named as NodejsFunction's `bundling` props (and its `OutputFormat.ESM` file name). */
export const BUNDLING = {
  target: "node24",
  format: "esm",
  minify: true,
  /** Off, as NodejsFunction's default: source maps cost init time (`--enable-source-maps`). */
  sourceMap: false,
  /** Prefer a package's ES module build: smaller after tree shaking. */
  mainFields: ["module", "main"],
  banner: REQUIRE_SHIM,
  /**
   * Bundle the AWS SDK (NodejsFunction's `bundleAwsSDK: true`) instead of the runtime's copy:
   * the version is the one tested here, and only the clients used are loaded.
   */
  bundleAwsSDK: true,
  /** NodejsFunction names an ESM bundle `index.mjs`, which Lambda loads as a module. */
  outFile: "index.mjs",
} as const;

/**
 * esbuild options for one handler: `root` is the repository root, the bundle goes to
 * `<outdir>/<name>/index.mjs`. `metafile` is on, so a caller can see what went in.
 */
export function esbuildOptions(name: HandlerName, root: string, outdir: string): BuildOptions {
  return {
    entryPoints: [join(root, HANDLER_ENTRIES[name])],
    outfile: join(outdir, name, BUNDLING.outFile),
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: BUNDLING.target,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    metafile: true,
    logLevel: "silent",
  };
}
