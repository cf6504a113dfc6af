/**
 * The CLI in front of careless or hostile input: what it prints cannot drive the terminal, every
 * failure is one line with exit code 2, and whatever was not read is said in the output.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, terminalSafeIo } from "../../../cli/main.ts";
import { renderPlanText } from "../../../cli/render/plan-text.ts";
import { oneLine, terminalSafe } from "../../../cli/render/terminal.ts";
import { controllerConfig } from "../../../shared/config.ts";
import { emptySnapshot } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "..", "examples");
// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence is the point.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

async function run(argv: string[], options: { debug?: boolean } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(
    argv,
    { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    options,
  );
  return { code, stdout, stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), "switchyard-cli-")), name);
  writeFileSync(path, content);
  return path;
}

describe("terminal safety", () => {
  it("writes ESC, CSI and other control characters as visible escapes, keeping newlines and tabs", () => {
    expect(terminalSafe("a\u001b[2Jb\u009b31mc\r\u0007\n\td")).toBe("a\\u001b[2Jb\\u009b31mc\\u000d\\u0007\n\td");
    expect(oneLine("one\ntwo\u001b")).toBe("one\\ntwo\\u001b");
  });

  it("makes every write on both streams terminal-safe, whatever a command passes it", () => {
    const written: string[] = [];
    const safe = terminalSafeIo({
      stdout: { write: (s: string) => written.push(s) },
      stderr: { write: (s: string) => written.push(s) },
    });
    safe.stdout.write("out\u001b]0;title\u0007\n");
    safe.stderr.write("err\u009b2J\n");
    expect(written).toEqual(["out\\u001b]0;title\\u0007\n", "err\\u009b2J\n"]);
  });

  it("prints the stack of a failure terminal-safe too when debugging", async () => {
    let stderr = "";
    const io = {
      stdout: {
        write: () => {
          throw new Error("bad \u001b[2J bytes");
        },
      },
      stderr: { write: (s: string) => (stderr += s) },
    };
    expect(await main(["plan"], io, { debug: true })).toBe(2);
    expect(stderr).toContain("    at ");
    expect(stderr).not.toMatch(RAW_CONTROL);
  });

  it("prints no raw control byte from a manifest's names or YAML errors", async () => {
    const path = file(
      "evil.yaml",
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: "\\e[2Jowned\\x9b" }\n---\nkey: \u001b[31m: : [\n',
    );
    const result = await run(["plan", "-f", path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("\\u001b[2Jowned");
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it("prints no raw control byte in JSON output either", async () => {
    const path = file("evil.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "x\\x9b1m" }\n');
    const result = await run(["plan", "-f", path, "-o", "json"]);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(result.stdout) as { warnings: string[] }).warnings[0]).toContain("x\\u009b1m");
  });
});

describe("one-line errors with exit code 2", () => {
  it("refuses malformed --observed JSON in one line", async () => {
    const observed = file("observed.json", "{ not json \u001b[0m");
    const result = await run(["plan", "-f", EXAMPLES, "--diff", "--observed", observed]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^switchyard plan: --observed .*observed\.json: /);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it("refuses --observed that is JSON of the wrong shape", async () => {
    const result = await run(["plan", "-f", EXAMPLES, "--diff", "--observed", file("o.json", "[1, 2]")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("expected a JSON object of Gateway key → observed state");
  });

  it("refuses an --observed state the planner cannot use, without a stack trace", async () => {
    const observed = file("o.json", JSON.stringify({ "infra/web": { listeners: 5 } }));
    const result = await run(["plan", "-f", EXAMPLES, "--diff", "--observed", observed]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("infra/web: listeners: expected an array, got number 5");
    expect(result.stderr).not.toContain("    at ");
  });

  it("refuses an --observed path that is a device instead of reading it without end", async () => {
    const result = await run(["plan", "-f", EXAMPLES, "--diff", "--observed", "/dev/zero"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("switchyard plan: --observed /dev/zero: a character device, not a manifest file\n");
  });

  it("turns an unexpected failure into one line, and shows the stack only when debugging", async () => {
    const failing = (debug: boolean) => {
      let stderr = "";
      const io = {
        stdout: {
          write: () => {
            throw new Error("EPIPE: broken pipe\n  (stdout closed)");
          },
        },
        stderr: { write: (s: string) => (stderr += s) },
      };
      return main(["plan"], io, { debug }).then((code) => ({ code, stderr }));
    };
    const quiet = await failing(false);
    expect(quiet).toEqual({ code: 2, stderr: "switchyard plan: EPIPE: broken pipe\\n  (stdout closed)\n" });
    const debug = await failing(true);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain("    at ");
  });

  it("refuses a request URL it cannot parse in one line", async () => {
    const result = await run(["explain", "-f", EXAMPLES, "--request", "GET http://[bad"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("refuses a bad --max-file-size", async () => {
    const result = await run(["plan", "--max-file-size", "huge"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--max-file-size must be a size");
  });
});

describe("plan says what it did not read", () => {
  it("lists ignored kinds and routes without their Gateway as warnings, without failing", async () => {
    const path = file(
      "r.yaml",
      [
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\nmetadata: { name: typo }\n",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r, namespace: apps }\nspec: { parentRefs: [{ name: nowhere }] }\n",
      ].join("---\n"),
    );
    const result = await run(["plan", "-f", path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Warnings:");
    expect(result.stdout).toContain("did you mean HTTPRoute?");
    expect(result.stdout).toContain("HTTPRoute apps/r: spec.parentRefs[0]: Gateway apps/nowhere is not in the input");
  });

  it("fails with exit 1 when one object is defined twice, naming both places", async () => {
    const ns = "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\n";
    const path = file("dup.yaml", `${ns}---\n${ns}`);
    const result = await run(["plan", "-f", path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}#1: Namespace apps: metadata.name: defined twice: here and at ${path}#0`);
  });

  it("keeps going past a file over --max-file-size, naming it", async () => {
    const path = file("big.yaml", `# ${"x".repeat(2048)}\n`);
    const result = await run(["plan", "-f", path, "--max-file-size", "1KiB"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${path}: larger than the limit of 1024 bytes`);
  });

  it("renders 200,000 rejected lines without overflowing the stack", () => {
    const translation = translate(emptySnapshot(), controllerConfig());
    const lines = Array.from({ length: 200_000 }, (_, i) => `r${i}`);
    const text = renderPlanText(translation, lines, 1, lines);
    expect(text.split("\n").filter((l) => l.startsWith("  r"))).toHaveLength(400_000);
  });
});
