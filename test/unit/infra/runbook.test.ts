/** The runbook every alarm links: each anchor an alarm names is a section of docs/runbook.md. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNBOOK_ANCHORS } from "../../../infra/observability.ts";

const RUNBOOK = readFileSync(resolve(import.meta.dirname, "../../../docs/runbook.md"), "utf8");

/** GitHub's anchor of a Markdown heading: lower case, spaces to `-`, punctuation dropped. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");

describe("docs/runbook.md", () => {
  const anchors = [...RUNBOOK.matchAll(/^## (.+)$/gm)].map((m) => anchorOf(m[1] ?? ""));

  it("has a section for each anchor the alarms link", () => {
    for (const anchor of Object.values(RUNBOOK_ANCHORS)) expect(anchors).toContain(anchor);
  });

  it("each of those sections says what the alarm means and what to do", () => {
    for (const section of RUNBOOK.split(/^## /m).slice(1)) {
      expect(section).toContain("**What it means.**");
      expect(section).toContain("**What to do.**");
    }
  });

  it("names every rejection reason the ingest puts on a dead letter", () => {
    const source = readFileSync(resolve(import.meta.dirname, "../../../shared/pipeline/ingest.ts"), "utf8");
    const union = /export type RejectReason =([^;]+);/.exec(source)?.[1] ?? "";
    const reasons = [...union.matchAll(/"([a-z-]+)"/g)].map((m) => m[1]);
    expect(reasons.length).toBeGreaterThan(5);
    for (const reason of reasons) expect(RUNBOOK).toContain(`\`${reason}\``);
  });
});
