/**
 * The Lambda code of the four handlers, bundled with esbuild on this machine (no Docker): the
 * settings are functions/bundle.ts's `esbuildOptions`, the ones the cold-start benchmark measures,
 * so what is deployed is what was measured. Each handler is built once per process into its own
 * directory, which becomes the function's asset (hashed by content, so an unchanged bundle is an
 * unchanged asset).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Code } from "aws-cdk-lib/aws-lambda";
import { buildSync } from "esbuild";
import { esbuildOptions, HANDLER_ENTRIES, type HandlerName } from "../functions/bundle.ts";

export type { HandlerName };
export const HANDLER_NAMES = Object.keys(HANDLER_ENTRIES) as HandlerName[];

/** Where each handler's code comes from; a user with prebuilt bundles passes their own. */
export interface HandlerCode {
  code(name: HandlerName): Code;
}

/** The repository root: infra/ sits directly under it. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, "..");

/** Bundles built by this process, by output directory and handler. */
const built = new Map<string, string>();
let processOutdir: string | undefined;

function defaultOutdir(): string {
  processOutdir ??= mkdtempSync(join(tmpdir(), "switchyard-bundles-"));
  return processOutdir;
}

/** Builds (once per process and output directory) and returns the directory holding `index.mjs`. */
export function bundleHandler(name: HandlerName, root = REPOSITORY_ROOT, outdir?: string): string {
  const base = outdir ?? defaultOutdir();
  const key = `${base}\u0000${name}`;
  const existing = built.get(key);
  if (existing !== undefined) return existing;
  const result = buildSync(esbuildOptions(name, root, base));
  if (result.errors.length > 0) {
    throw new Error(`esbuild failed for ${name}: ${result.errors.map((e) => e.text).join("; ")}`);
  }
  const directory = join(base, name);
  built.set(key, directory);
  return directory;
}

/**
 * The default: esbuild from node_modules, run at synth time.
 * @param outdir where bundles go. @default a temporary directory per process
 */
export function esbuildHandlerCode(outdir?: string): HandlerCode {
  return { code: (name) => Code.fromAsset(bundleHandler(name, REPOSITORY_ROOT, outdir)) };
}
