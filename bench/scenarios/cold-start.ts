/**
 * cold-start: each Lambda handler bundled as the CDK app will bundle it (functions/bundle.ts:
 * esbuild, ESM for Node 24, minified, the AWS SDK inside), then imported in a fresh Node process,
 * several times: the bundle's size (bytes, gzip) and its module init time (the `import()` of the
 * bundle, median of the runs), with the environment the handler reads at init set to dummy values
 * (as Lambda sets its own). Init must do no I/O: the probe records every socket, HTTP request,
 * fetch, DNS lookup and file read (through node:fs) started during the import and in the turns
 * right after it, and every handle or request still active then
 * (`process.getActiveResourcesInfo()`), and reports them.
 * For comparison, the same handler imported unbundled from source (Node type stripping,
 * node_modules as installed).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { esbuildOptions, HANDLER_ENTRIES, type HandlerName } from "../../functions/bundle.ts";
import type { Report, Row } from "../lib/report.ts";
import { median } from "../lib/statistics.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** What Lambda and the CDK stack put in the environment, with dummy values. */
function lambdaEnvironment(name: HandlerName, home: string): Record<string, string> {
  const queue = (q: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/switchyard-${q}`;
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    TZ: ":UTC",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    AWS_LAMBDA_FUNCTION_NAME: `switchyard-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_ACCESS_KEY_ID: "AKIDCOLDSTARTBENCH00",
    AWS_SECRET_ACCESS_KEY: "cold-start-bench",
    AWS_SESSION_TOKEN: "cold-start-bench",
    SWITCHYARD_TABLE: "switchyard",
    SWITCHYARD_CONTROL_PLANE_ACCOUNT: "123456789012",
    SWITCHYARD_RECONCILE_QUEUE_URL: queue("reconcile.fifo"),
    SWITCHYARD_STATUS_QUEUE_URL: queue("status"),
    SWITCHYARD_EVENTS_DLQ_URL: queue("events-dlq.fifo"),
    SWITCHYARD_RESYNC_CONTINUATION_QUEUE_URL: queue("resync-continuation"),
  };
}

/** Runs in the fresh process: imports the module, reports time, memory and any I/O it started. */
const PROBE = `
import diagnostics from "node:diagnostics_channel";
import dns from "node:dns";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const io = [];
const watch = (object, prefix, names) => {
  for (const name of names) {
    const original = object[name];
    object[name] = (...args) => {
      // Node's module loader reads the module itself through node:fs: that is loading, not init.
      const target = String(args[0]);
      if (target !== process.argv[1] && "file://" + target !== process.argv[1]) io.push(prefix + name + " " + target);
      return original(...args);
    };
  }
};
watch(fs, "fs.", ["readFile", "readFileSync", "open", "openSync", "stat", "statSync", "existsSync", "readdir", "readdirSync"]);
watch(fsp, "fs.promises.", ["readFile", "open", "stat", "access", "readdir"]);
syncBuiltinESMExports();
// The stdio handles exist before the import: a logger writing to them is not I/O started by init.
process.stdout; process.stderr;
diagnostics.subscribe("net.client.socket", () => io.push("socket"));
diagnostics.subscribe("http.client.request.start", ({ request }) => io.push("http " + request.method + " " + request.host + request.path));
diagnostics.subscribe("undici:request:create", ({ request }) => io.push("fetch " + request.origin + request.path));
for (const name of ["lookup", "resolve", "resolve4", "resolve6"]) {
  const original = dns[name];
  dns[name] = (...args) => { io.push("dns " + String(args[0])); return original(...args); };
}
const before = new Set(process.getActiveResourcesInfo());
const start = performance.now();
const module = await import(process.argv[1]);
const importMs = performance.now() - start;
// Two more turns of the event loop: I/O an init kicks off without awaiting starts here.
await new Promise((resolve) => setImmediate(resolve));
await new Promise((resolve) => setImmediate(resolve));
const active = process.getActiveResourcesInfo().filter((r) => !before.has(r) && r !== "Immediate");
process.stdout.write(JSON.stringify({
  importMs,
  handler: typeof module.handler,
  rssMiB: process.memoryUsage().rss / 2 ** 20,
  io,
  active,
}));
`;

interface ProbeResult {
  importMs: number;
  handler: string;
  rssMiB: number;
  io: string[];
  active: string[];
}

function probe(target: string, env: Record<string, string>): ProbeResult & { wallMs: number } {
  const start = performance.now();
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", PROBE, target], {
    env,
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const wallMs = performance.now() - start;
  return { ...(JSON.parse(out) as ProbeResult), wallMs };
}

/** Bytes in the bundle per npm package (or `switchyard` for the repository's own code), largest first. */
function largestInputs(metafile: Metafile, output: string, top: number): string {
  const bytes = new Map<string, number>();
  for (const [path, input] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const owner = match?.[1] ?? "switchyard";
    bytes.set(owner, (bytes.get(owner) ?? 0) + input.bytesInOutput);
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([owner, n]) => `${owner} ${Math.round(n / 1024)} KiB`)
    .join(", ");
}

export async function runColdStart(runs: number): Promise<Report> {
  const outdir = mkdtempSync(join(tmpdir(), "switchyard-bundles-"));
  const home = mkdtempSync(join(tmpdir(), "switchyard-home-"));
  try {
    const sizes: Row[] = [];
    const inits: Row[] = [];
    const notes: Row[] = [];
    for (const name of Object.keys(HANDLER_ENTRIES) as HandlerName[]) {
      const options = esbuildOptions(name, ROOT, outdir);
      const built = await build(options);
      const file = options.outfile ?? "";
      const content = readFileSync(file);
      const output = Object.keys(built.metafile?.outputs ?? {}).find((o) => resolve(ROOT, o) === file) ?? "";
      sizes.push({
        handler: name,
        bytes: statSync(file).size,
        "gzip bytes": gzipSync(content, { level: 9 }).length,
        "largest parts": built.metafile ? largestInputs(built.metafile, output, 5) : "",
      });
      const env = lambdaEnvironment(name, home);
      const bundled = Array.from({ length: runs }, () => probe(pathToFileURL(file).href, env));
      const source = Array.from({ length: runs }, () =>
        probe(pathToFileURL(join(ROOT, HANDLER_ENTRIES[name])).href, env),
      );
      const first = bundled[0];
      if (first === undefined || first.handler !== "function")
        throw new Error(`${name}: the bundle exports no handler function`);
      inits.push({
        handler: name,
        "bundle init ms (median)": Math.round(median(bundled.map((r) => r.importMs))),
        "bundle init ms (min)": Math.round(Math.min(...bundled.map((r) => r.importMs))),
        "process start to exit ms (median)": Math.round(median(bundled.map((r) => r.wallMs))),
        "RSS after init MiB": Math.round(median(bundled.map((r) => r.rssMiB))),
        "unbundled source init ms (median)": Math.round(median(source.map((r) => r.importMs))),
      });
      const ioOf = (results: ProbeResult[]) => {
        const io = [
          ...new Set(
            results.flatMap((r) => [
              ...r.io.map((e) => e.replaceAll(home, "$HOME")),
              ...r.active.map((a) => `active: ${a}`),
            ]),
          ),
        ];
        return io.length === 0 ? "none" : io.join("; ");
      };
      // The SDK reads ~/.aws/config at client construction only to learn a defaults mode the
      // environment does not name; "legacy" is the SDK's own default, so naming it changes nothing else.
      const named = probe(pathToFileURL(file).href, { ...env, AWS_DEFAULTS_MODE: "legacy" });
      notes.push({
        handler: name,
        "I/O during init": ioOf(bundled),
        "with AWS_DEFAULTS_MODE=legacy": ioOf([named]),
      });
    }
    return {
      tables: [
        { title: "cold-start: bundle sizes (esbuild, ESM, node24, minified, AWS SDK bundled)", rows: sizes },
        { title: `cold-start: module init in a fresh Node ${process.version} process, ${runs} runs each`, rows: inits },
        { title: "cold-start: I/O started at init (sockets, HTTP, fetch, DNS, files, active handles)", rows: notes },
      ],
      settings: { runs, node: process.version },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}
