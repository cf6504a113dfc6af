// `switchyard dev` flags that are decided before anything starts: --status-mode.
import { describe, expect, it } from "vitest";
import { DEV_USAGE, devCommand, statusModeOf } from "../../../cli/commands/dev.ts";
import { EXIT_OK, EXIT_USAGE } from "../../../cli/main.ts";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out,
    err,
  };
}

describe("switchyard dev --status-mode", () => {
  it("takes direct and via-forwarder, defaults to direct, and refuses anything else", () => {
    expect(statusModeOf(undefined)).toBe("direct");
    expect(statusModeOf("direct")).toBe("direct");
    expect(statusModeOf("via-forwarder")).toBe("via-forwarder");
    expect(statusModeOf("via_forwarder")).toBeUndefined();
    expect(statusModeOf("")).toBeUndefined();
  });

  it("an unknown mode is a usage error, before any pipeline starts", async () => {
    const { io: streams, err } = io();
    expect(await devCommand(["--cluster-id", "c1", "--status-mode", "carrier-pigeon"], streams)).toBe(EXIT_USAGE);
    expect(err.join("")).toContain("--status-mode must be one of direct, via-forwarder");
  });

  it("is documented in the usage text", async () => {
    const { io: streams, out } = io();
    expect(await devCommand(["--help"], streams)).toBe(EXIT_OK);
    expect(out.join("")).toBe(DEV_USAGE);
    expect(DEV_USAGE).toContain("--status-mode MODE");
    expect(DEV_USAGE).toContain("via-forwarder");
  });
});
