/**
 * README.md's claims, checked against the code: every `switchyard` command line it shows uses
 * flags that command's --help lists, every flag named in prose is some command's flag, every
 * `npm run`/`npm start`/`npm test` is a script of package.json, every repository path it names
 * exists, and the `switchyard:` context keys it names are exactly the ones infra/app.ts reads.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** Paths the README names that a run creates or the reader supplies, not files of the checkout. */
const NOT_IN_CHECKOUT = new Set(["infra/cdk.out", "my-manifests/"]);

async function help(args: readonly string[]): Promise<string> {
  let out = "";
  const sink = {
    write: (chunk: string) => {
      out += chunk;
      return true;
    },
  };
  const code = await main([...args, "--help"], { stdout: sink, stderr: sink });
  expect(code, `switchyard ${args.join(" ")} --help`).toBe(0);
  return out;
}

/** Whether `help` lists `flag` as a flag (not as part of a longer one). */
function lists(helpText: string, flag: string): boolean {
  const escaped = flag.replace(/[-]/g, "\\-");
  return new RegExp(`(^|[\\s\\[(|,])${escaped}(?![\\w-])`, "m").test(helpText);
}

/** The shell lines of the ```sh blocks, continuation lines joined, comments kept apart. */
function shellLines(text: string): { command: string; comment: string }[] {
  const out: { command: string; comment: string }[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = (block[1] ?? "").replace(/\\\n\s*/g, " ");
    for (const line of joined.split("\n")) {
      const hash = line.search(/(^|\s)#/);
      out.push(hash < 0 ? { command: line, comment: "" } : { command: line.slice(0, hash), comment: line.slice(hash) });
    }
  }
  return out;
}

/** The switchyard arguments of a line: `… cli/bin/switchyard.ts ARGS`, `npm start -- ARGS`, `npm run switchyard -- ARGS`. */
function switchyardArgs(command: string): string[] | undefined {
  const m =
    /cli\/bin\/switchyard\.ts\s+(.*)$/.exec(command) ??
    /npm run switchyard --\s+(.*)$/.exec(command) ??
    /npm start --\s+(.*)$/.exec(command);
  if (!m) return undefined;
  const args = (m[1] ?? "").split(/\s+/).filter((a) => a.length > 0);
  return command.includes("npm start") ? ["plan", ...args] : args;
}

/** The command words before the first flag: `cluster register`, `plan`, `status`. */
function commandWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith("-") || words.length === 2) break;
    words.push(a);
  }
  // `cluster` has sub-commands with their own help; the others take positional arguments.
  return words[0] === "cluster" ? words : words.slice(0, 1);
}

const flagsOf = (text: string) => [...text.matchAll(/(?:^|[\s`(])(--?[a-z][\w-]*)/g)].map((m) => m[1] ?? "");

describe("README.md", () => {
  const lines = shellLines(readme);
  const invocations = lines
    .map((l) => ({ ...l, args: switchyardArgs(l.command) }))
    .filter((l): l is { command: string; comment: string; args: string[] } => l.args !== undefined);

  it("shows switchyard command lines, and each flag of each is in that command's --help", async () => {
    expect(invocations.length).toBeGreaterThanOrEqual(5);
    const problems: string[] = [];
    for (const { args } of invocations) {
      const words = commandWords(args);
      const text = await help(words);
      for (const flag of args.filter((a) => a.startsWith("-"))) {
        if (!lists(text, flag)) problems.push(`switchyard ${words.join(" ")}: ${flag}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the flags a comment adds to the register command are register's", async () => {
    const text = await help(["cluster", "register"]);
    const added = lines.filter((l) => l.comment.includes("register command")).flatMap((l) => flagsOf(l.comment));
    expect(added).toEqual(["--apply", "--kubeconfig"]);
    for (const flag of added) expect(lists(text, flag), flag).toBe(true);
  });

  it("every flag named in the prose is a flag of some command", async () => {
    const all = (
      await Promise.all(
        [["plan"], ["explain"], ["dev"], ["apply"], ["status"], ["cluster"], ["cluster", "register"]].map(help),
      )
    ).join("\n");
    const prose = readme.replace(/```[\s\S]*?```/g, "");
    const named = [...prose.matchAll(/`([^`]+)`/g)].flatMap((m) => flagsOf(m[1] ?? "").filter((f) => f !== "--"));
    expect(named).toContain("--reconcile-role");
    expect(named.filter((f) => !lists(all, f))).toEqual([]);
  });

  it("every npm script it runs is in package.json", () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    const used = [...readme.matchAll(/npm (run ([\w:-]+)|start|test)\b/g)].map((m) => m[2] ?? m[1] ?? "");
    expect(used).toContain("cdk:synth");
    expect(used.filter((s) => !(s in scripts))).toEqual([]);
  });

  it("every repository path it names exists", () => {
    const candidates = new Set<string>();
    for (const m of readme.matchAll(/`([^`\s]+)`/g)) candidates.add(m[1] ?? "");
    for (const { command } of lines) for (const token of command.split(/\s+/)) candidates.add(token);
    const paths = [...candidates].filter(
      (p) => /^[a-z][\w.-]*\/[\w./-]*$/.test(p) && !p.startsWith("switchyard.dev/") && !NOT_IN_CHECKOUT.has(p),
    );
    expect(paths).toContain("infra/app.ts");
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it("names exactly the context keys infra/app.ts reads", () => {
    const app = readFileSync(join(ROOT, "infra/app.ts"), "utf8");
    const read = new Set([...app.matchAll(/context\(app, "(\w+)"/g)].map((m) => m[1] ?? ""));
    const named = new Set([...readme.matchAll(/switchyard:(\w+)/g)].map((m) => m[1] ?? ""));
    expect(read.size).toBeGreaterThan(5);
    expect([...named].sort()).toEqual([...read].sort());
  });
});
