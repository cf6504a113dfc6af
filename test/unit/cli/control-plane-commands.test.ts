import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { conditionsOf, gatewayStatusReport, lastOutcome, renderGatewayStatus } from "../../../cli/status/report.ts";
import { emptyObserved } from "../../../shared/elb/observed.ts";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import type { StoredGatewayState } from "../../../shared/store/state.ts";

const QUICKSTART = fileURLToPath(new URL("../../../cli/dev/quickstart.yaml", import.meta.url));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe("every command answers --help with its usage and exit 0", () => {
  const commands: [string[], string][] = [
    [["plan", "--help"], "Usage: switchyard plan"],
    [["explain", "--help"], "Usage: switchyard explain"],
    [["dev", "--help"], "Usage: switchyard dev"],
    [["apply", "--help"], "Usage: switchyard apply"],
    [["status", "--help"], "Usage: switchyard status"],
    [["cluster", "--help"], "Usage: switchyard cluster"],
    [["cluster", "register", "--help"], "Usage: switchyard cluster register"],
    [["cluster", "list", "--help"], "Usage: switchyard cluster"],
    [["cluster", "remove", "--help"], "Usage: switchyard cluster"],
  ];
  for (const [argv, usage] of commands) {
    it(argv.join(" "), async () => {
      const result = await run(...argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(usage);
      expect(result.stderr).toBe("");
    });
  }
});

describe("usage errors exit 2 with one line naming the problem, before any AWS call", () => {
  const cases: [string[], string][] = [
    [["plan", "--live", "-f", QUICKSTART], "--live plans the changes against AWS: add --diff"],
    [["plan", "--diff", "--live", "-f", QUICKSTART], "--live needs --cluster-id"],
    [["plan", "--detailed-exitcode", "-f", QUICKSTART], "--detailed-exitcode needs --diff"],
    [["apply", "-f", QUICKSTART], "--cluster-id is required"],
    [["apply", "--cluster-id", "c"], "-f is required"],
    [["apply", "--cluster-id", "c", "-f", QUICKSTART, "--wait", "soon"], "--wait must be a number of seconds"],
    [
      ["apply", "--cluster-id", "c", "-f", QUICKSTART, "--table", "table", "--lattice-endpoint", "emulator"],
      "--lattice-endpoint must be a URL",
    ],
    [
      [
        "plan",
        "--diff",
        "--live",
        "--cluster-id",
        "c",
        "-f",
        QUICKSTART,
        "--table",
        "table",
        "--lattice-endpoint",
        "x",
      ],
      "--lattice-endpoint must be a URL",
    ],
    [["status", "a/b", "c/d"], "name at most one Gateway"],
    [["status", "default/web"], "give cluster/namespace/name, or add --cluster-id"],
    [["status", "--bogus"], "Unknown option '--bogus'"],
    [["cluster"], "Usage: switchyard cluster"],
    [["cluster", "rename"], 'unknown sub-command "rename"'],
    [["cluster", "remove", "--table", "table"], "name exactly one cluster"],
    [["cluster", "list", "--table", "table", "-o", "yaml"], "-o must be text or json"],
    [["cluster", "register", "--table", "table", "--manifests", "--apply"], "--manifests and --apply: choose one"],
    [["cluster", "register", "--table", "table", "--cluster-id", "x"], "--events-queue-url URL or --queue-prefix"],
    [["cluster", "register", "--table", "table", "--queue-prefix", "p", "--cluster-id", "x"], "--account: required"],
    [
      [
        "cluster",
        "register",
        "--table",
        "table",
        "--queue-prefix",
        "p",
        "--cluster-id",
        "x",
        "--account",
        "123456789012",
        "--vpc-id",
        "vpc-12345678",
        "--sender-principal",
        "arn:aws:iam::123456789012:role/f",
        "--eks-cluster-name",
        "e",
        "--region",
        "us-east-1",
        "--status-mode",
        "later",
      ],
      "--status-mode: must be direct or via-forwarder",
    ],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(" "), async () => {
      const result = await run(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe("");
    });
  }
});

describe("plan --diff --detailed-exitcode", () => {
  it("exits 3 when a Gateway has operations pending (against an empty account)", async () => {
    const result = await run("plan", "--diff", "--detailed-exitcode", "-f", QUICKSTART);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("+ application load balancer");
  });

  it("exits 0 without --detailed-exitcode, as before", async () => {
    expect((await run("plan", "--diff", "-f", QUICKSTART)).code).toBe(0);
  });
});

function record(overrides: Partial<StoredGatewayState> = {}): StoredGatewayState {
  return {
    gatewayKey: clusterGatewayKey("prod", "apps", "web"),
    dataPlane: "alb",
    account: "123456789012",
    region: "eu-west-1",
    applied: emptyObserved(),
    fencingToken: 4,
    ...overrides,
  };
}

describe("status report", () => {
  it("reads the last outcome from the record: applied, incomplete, applying, interrupted", () => {
    expect(lastOutcome(record({ appliedHash: "h" }), 0)).toBe("applied");
    expect(lastOutcome(record(), 0)).toBe("incomplete");
    const applying = { startedAt: 1000, desiredHash: "h", callsLandBy: 5000 };
    expect(lastOutcome(record({ appliedHash: "h", applying }), 5000)).toBe("applying");
    expect(lastOutcome(record({ appliedHash: "h", applying }), 5001)).toBe("interrupted");
  });

  it("a held Gateway reads as held, not applied, though its record keeps the last applied hash", () => {
    const held = { at: 1000, outcome: "held" as const, error: "UnsupportedValue: …" };
    expect(lastOutcome(record({ appliedHash: "h", lastReconcile: held }), 2000)).toBe("held");
    const applying = { startedAt: 1000, desiredHash: "h", callsLandBy: 5000 };
    expect(lastOutcome(record({ appliedHash: "h", lastReconcile: held, applying }), 5001)).toBe("interrupted");
    expect(lastOutcome(record({ appliedHash: "h", lastReconcile: { at: 1000, outcome: "applied" } }), 2000)).toBe(
      "applied",
    );
  });

  it("takes the last error from a Programmed=False condition and the drift check's time from the record", () => {
    const gateway = {
      status: {
        conditions: [
          { type: "Accepted", status: "True", reason: "Accepted" },
          {
            type: "Programmed",
            status: "False",
            reason: "NoResources",
            message: "CreateLoadBalancer failed: NoQualifyingSubnets",
            lastTransitionTime: "2026-12-01T00:00:00Z",
          },
        ],
      },
    };
    const report = gatewayStatusReport(record({ appliedHash: "h", lastDriftCheck: Date.UTC(2026, 11, 2) }), {
      now: 0,
      gateway,
    });
    expect(report.lastError).toBe("NoResources: CreateLoadBalancer failed: NoQualifyingSubnets");
    expect(report.lastReconcile).toEqual({
      outcome: "applied",
      reconciles: 4,
      appliedHash: "h",
      programmedSince: "2026-12-01T00:00:00Z",
    });
    expect(report.drift).toEqual({ lastCheck: "2026-12-02T00:00:00.000Z" });
    const text = renderGatewayStatus(report);
    expect(text).toContain("last error: NoResources: CreateLoadBalancer failed: NoQualifyingSubnets");
    expect(text).toContain("drift: last checked 2026-12-02T00:00:00.000Z");
  });

  it("shows when the last reconcile finished and why it failed, from the record, in text and JSON", () => {
    const at = Date.UTC(2026, 11, 3, 10, 0, 0);
    const failed = record({
      lastReconcile: { at, outcome: "failed", error: "CreateLoadBalancer: TooManyLoadBalancers: quota reached" },
    });
    const report = gatewayStatusReport(failed, { now: at });
    expect(report.lastReconcile).toMatchObject({
      finishedAt: "2026-12-03T10:00:00.000Z",
      result: "failed",
      error: "CreateLoadBalancer: TooManyLoadBalancers: quota reached",
    });
    // Not yet in the mirror: the record's error is the last error.
    expect(report.lastError).toBe("CreateLoadBalancer: TooManyLoadBalancers: quota reached");
    const text = renderGatewayStatus(report);
    expect(text).toContain(
      "last finished 2026-12-03T10:00:00.000Z: failed: CreateLoadBalancer: TooManyLoadBalancers: quota reached",
    );
    const applied = renderGatewayStatus(
      gatewayStatusReport(record({ appliedHash: "h", lastReconcile: { at, outcome: "applied" } }), { now: at }),
    );
    expect(applied).toContain("last finished 2026-12-03T10:00:00.000Z: applied\n");
    expect(renderGatewayStatus(gatewayStatusReport(record(), { now: at }))).toContain("last finished: not recorded");
  });

  it("says when the Gateway is not in the mirror instead of reporting no error, and ignores malformed conditions", () => {
    expect(renderGatewayStatus(gatewayStatusReport(record(), { now: 0 }))).toContain(
      "last error: unknown (the Gateway is not in the objects mirror)",
    );
    expect(conditionsOf({ status: { conditions: ["x", { type: "Ready", status: "True", reason: 3 }] } })).toEqual([
      { type: "Ready", status: "True" },
    ]);
  });
});
