/**
 * Reading manifests from disk: whatever sits at a path, loading returns — no hang on a FIFO, no
 * endless read of a device, no crash on a symlink loop or a dangling link — and says what it skipped.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectLoaded, loadFiles, manifestFiles, parseByteSize, readBounded } from "../../../cli/manifests.ts";

const NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\n";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "switchyard-files-"));
}

describe("manifestFiles", () => {
  it("skips a FIFO with a warning instead of blocking on it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.yaml"), NAMESPACE);
    execFileSync("mkfifo", [join(dir, "pipe.yaml")]);
    const listed = manifestFiles([dir]);
    expect(listed.files).toEqual([join(dir, "a.yaml")]);
    expect(listed.warnings).toEqual([
      { source: join(dir, "pipe.yaml"), field: "", message: "a FIFO, not a manifest file; skipped" },
    ]);
  });

  it("skips a device named on the command line with a warning instead of reading it without end", () => {
    const listed = manifestFiles(["/dev/zero"]);
    expect(listed.files).toEqual([]);
    expect(listed.warnings.map((w) => w.message)).toEqual(["a character device, not a manifest file; skipped"]);
  });

  it("reports a symlink loop and reads every file once", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "a.yaml"), NAMESPACE);
    symlinkSync("..", join(dir, "sub", "up"));
    const listed = manifestFiles([dir]);
    expect(listed.files).toEqual([join(dir, "sub", "a.yaml")]);
    expect(listed.warnings.map((w) => [w.source, w.message.split(":")[0]])).toEqual([
      [join(dir, "sub", "up"), "symlink loop"],
    ]);
  });

  it("reports a link that points to itself", () => {
    const dir = tempDir();
    symlinkSync("self.yaml", join(dir, "self.yaml"));
    const listed = manifestFiles([dir]);
    expect(listed.files).toEqual([]);
    expect(listed.warnings.map((w) => w.message)).toEqual(["symlink is a symlink loop; skipped"]);
  });

  it("reports a dangling link as a warning", () => {
    const dir = tempDir();
    symlinkSync(join(dir, "missing.yaml"), join(dir, "gone.yaml"));
    const listed = manifestFiles([dir]);
    expect(listed.files).toEqual([]);
    expect(listed.warnings).toEqual([
      { source: join(dir, "gone.yaml"), field: "", message: "dangling symlink: its target does not exist; skipped" },
    ]);
  });

  it("follows a link to a file once, and does not read the same file twice", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.yaml"), NAMESPACE);
    symlinkSync(join(dir, "a.yaml"), join(dir, "b.yaml"));
    const listed = manifestFiles([dir]);
    expect(listed.files).toEqual([join(dir, "a.yaml")]);
    expect(listed.warnings.map((w) => w.message)).toEqual([
      `same file as ${join(dir, "a.yaml")}, already read; skipped`,
    ]);
  });
});

describe("readBounded", () => {
  it("refuses a file over the limit without reading it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "big.yaml"), "x".repeat(1025));
    expect(readBounded(join(dir, "big.yaml"), 1024)).toEqual({
      ok: false,
      message: "larger than the limit of 1024 bytes (--max-file-size); not read",
    });
    expect(readBounded(join(dir, "big.yaml"), 1025)).toEqual({ ok: true, text: "x".repeat(1025) });
  });

  it("reads at most the limit from a device that never ends", () => {
    expect(readBounded("/dev/zero", 1024)).toEqual({ ok: false, message: "a character device, not a manifest file" });
  });

  it("refuses bytes that are not UTF-8 instead of replacing them", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bin.yaml"), Buffer.from([0x6b, 0x3a, 0x20, 0xff, 0xfe]));
    expect(readBounded(join(dir, "bin.yaml"), 1024)).toEqual({ ok: false, message: "not valid UTF-8 text; not read" });
  });
});

describe("loadFiles", () => {
  it("names a file over the size limit as a problem and loads the others", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.yaml"), NAMESPACE);
    writeFileSync(join(dir, "b.yaml"), `${NAMESPACE}# ${"x".repeat(2048)}\n`);
    const loaded = loadFiles([dir], { maxFileBytes: 1024 });
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(["apps"]);
    expect(loaded.problems).toEqual([
      {
        source: join(dir, "b.yaml"),
        field: "",
        message: "larger than the limit of 1024 bytes (--max-file-size); not read",
      },
    ]);
  });

  it("collects a file of 200,000 objects without overflowing the stack", () => {
    const objects = Array.from({ length: 200_000 }, (_, i) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: `n${i}` },
    }));
    const problems = objects.map((_, document) => ({ source: "many.yaml", document, field: "", message: "x" }));
    const origins = objects.map((_, document) => ({ source: "many.yaml", document }));
    const collected = collectLoaded([
      { file: "many.yaml", loaded: { objects, origins, rejected: [], ignored: [], problems } },
    ]);
    expect(collected.objects).toHaveLength(200_000);
    expect(collected.problems).toHaveLength(200_000);
  });

  it("reports an object defined in two files, naming both", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.yaml"), NAMESPACE);
    writeFileSync(join(dir, "b.yaml"), `${NAMESPACE.replace("apps", "web")}---\n${NAMESPACE}`);
    const loaded = loadFiles([dir]);
    expect(loaded.objects.map((o) => o.metadata.name)).toEqual(["apps", "web"]);
    expect(loaded.problems.map((p) => [p.source, p.document, p.message])).toEqual([
      [
        join(dir, "b.yaml"),
        1,
        `defined twice: here and at ${join(dir, "a.yaml")}#0; the copy at ${join(dir, "a.yaml")}#0 is used`,
      ],
    ]);
  });

  it("lists ignored objects as warnings, with the document they came from", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "a.yaml"),
      `${NAMESPACE}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\nmetadata: { name: r }\n`,
    );
    const loaded = loadFiles([dir]);
    expect(loaded.warnings.map((w) => [w.document, w.message])).toEqual([
      [
        1,
        "ignored (apiVersion gateway.networking.k8s.io/v1): switchyard does not read HttpRoute objects; did you mean HTTPRoute?",
      ],
    ]);
  });

  it("gives rejected objects their document number", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "a.yaml"),
      `${NAMESPACE}---\napiVersion: v1\nkind: Namespace\nmetadata: { name: Bad_Name }\n`,
    );
    expect(loadFiles([dir]).problems.map((p) => [p.document, p.field])).toEqual([[1, "metadata.name"]]);
  });
});

describe("parseByteSize", () => {
  it("reads plain bytes and binary suffixes, and refuses anything else", () => {
    expect(parseByteSize("1048576")).toBe(1048576);
    expect(parseByteSize("16MiB")).toBe(16 * 1024 * 1024);
    expect(parseByteSize("512k")).toBe(512 * 1024);
    expect(parseByteSize("0")).toBeUndefined();
    expect(parseByteSize("-1")).toBeUndefined();
    expect(parseByteSize("lots")).toBeUndefined();
    expect(parseByteSize("9999999999999GiB")).toBeUndefined();
  });
});
