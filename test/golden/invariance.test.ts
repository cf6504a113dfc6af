/**
 * Order invariance: a case whose directory holds a `same-as` file lists the same objects as the
 * named sibling in another order, so its golden files must be byte-identical to the sibling's.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const CASES = join(import.meta.dirname, "cases");
const pairs = existsSync(CASES)
  ? readdirSync(CASES)
      .filter((c) => existsSync(join(CASES, c, "same-as")))
      .map((c) => [c, readFileSync(join(CASES, c, "same-as"), "utf8").trim()] as const)
  : [];

describe("golden cases listing the same objects in another order", () => {
  for (const [name, sibling] of pairs) {
    it(`${name} translates exactly like ${sibling}`, () => {
      for (const file of ["out.yaml", "model.yaml", "plan.yaml"]) {
        const mine = join(CASES, name, file);
        const theirs = join(CASES, sibling, file);
        expect(existsSync(mine), `${name}/${file}`).toBe(existsSync(theirs));
        if (existsSync(mine)) expect(readFileSync(mine, "utf8")).toBe(readFileSync(theirs, "utf8"));
      }
    });
  }
});
