/** Golden file comparison shared by the golden suites. */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { expect } from "vitest";

/** Set by `npm run golden:update`: golden files are rewritten instead of compared. */
export const UPDATE = process.env.SWITCHYARD_UPDATE_GOLDEN === "1";

/** Compares (or, when updating, writes) one golden file; a missing file is written and fails once. */
export function checkGolden(name: string, file: string, actual: string | undefined): void {
  if (actual === undefined) {
    if (UPDATE && existsSync(file)) unlinkSync(file);
    expect(existsSync(file), `${name}: ${file} is stale (no load balancer any more)`).toBe(false);
    return;
  }
  if (UPDATE || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`${name}: ${file} was missing and has been written; review it and re-run`);
    return;
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}
