/**
 * Every relative link in docs/*.md leads to a file or folder of the checkout, and
 * docs/architecture.md links each component it describes to its folder.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const DOCS = join(ROOT, "docs");

/** The relative link targets of a markdown text (no URLs, no in-page anchors), anchors dropped. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith("#"))
    .map((target) => target.replace(/#.*$/, ""));
}

describe("links in docs/", () => {
  const docs = readdirSync(DOCS).filter((f) => f.endsWith(".md"));

  it.each(docs)("%s: every relative link exists", (doc) => {
    const text = readFileSync(join(DOCS, doc), "utf8");
    const missing = relativeLinks(text).filter((target) => !existsSync(resolve(dirname(join(DOCS, doc)), target)));
    expect(missing).toEqual([]);
  });

  it("architecture.md links every component of the pipeline to its folder", () => {
    const links = new Set(relativeLinks(readFileSync(join(DOCS, "architecture.md"), "utf8")));
    for (const folder of [
      "../forwarder/",
      "../functions/ingest/",
      "../functions/reconcile/",
      "../functions/status/",
      "../functions/resync/",
      "../shared/reconcile/engine.ts",
      "../shared/reconcile/elb-plane.ts",
      "../shared/reconcile/lattice-plane.ts",
      "../shared/store/",
      "../shared/mirror/",
      "../infra/target-account.ts",
      "../functions/README.md",
    ]) {
      expect(links, folder).toContain(folder);
    }
  });
});
