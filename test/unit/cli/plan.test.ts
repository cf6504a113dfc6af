import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";
import { emptyObserved, type ObservedElb } from "../../../shared/elb/observed.ts";
import type { ElbOperation } from "../../../shared/elb/operations.ts";
import { simulate } from "../../../shared/testing/index.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const EXAMPLES = join(ROOT, "examples");
const EXPECTED = join(ROOT, "test", "golden", "examples");
const UPDATE = process.env.SWITCHYARD_UPDATE_GOLDEN === "1";

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe("switchyard plan", () => {
  it("plans the bundled examples by default and accepts every object", async () => {
    const result = await run("plan");
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain("Not accepted:");
    expect(result.code).toBe(0);
  });

  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml") && !f.startsWith("00-"));
  for (const example of examples) {
    it(`example ${example} plans as recorded in test/golden/examples`, async () => {
      const result = await run("plan", "-f", join(EXAMPLES, "00-platform.yaml"), "-f", join(EXAMPLES, example));
      const expectedFile = join(EXPECTED, example.replace(/\.yaml$/, ".txt"));
      const actual = result.stdout.replaceAll(ROOT, "<repo>");
      if (UPDATE || !existsSync(expectedFile)) {
        writeFileSync(expectedFile, actual);
        if (!UPDATE) throw new Error(`${expectedFile} was missing and has been written; review it and re-run`);
      }
      expect(actual).toBe(readFileSync(expectedFile, "utf8"));
      expect(result.code).toBe(0);
    });
  }

  it("exits 1 and names the field when a manifest is rejected", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-plan-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: apps}\nspec:\n  rules:\n  - matches:\n    - path: {type: PathPrefix, value: no-slash}\n",
    );
    const result = await run("plan", "-f", file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("HTTPRoute apps/r");
    expect(result.stdout).toContain("spec.rules[0].matches[0].path");
  });

  it("prints machine-readable output with -o json", async () => {
    const result = await run("plan", "-o", "json");
    const doc = JSON.parse(result.stdout) as { loadBalancers: { type: string }[]; statuses: unknown[] };
    expect(new Set(doc.loadBalancers.map((lb) => lb.type))).toEqual(new Set(["application", "network"]));
    expect(doc.statuses.length).toBeGreaterThan(0);
  });

  it("rejects an unknown output format with exit code 2", async () => {
    const result = await run("plan", "-o", "xml");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("-o must be text, json or yaml");
  });

  it("reports a missing path with exit code 2", async () => {
    const result = await run("plan", "-f", "/nonexistent/switchyard");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no such file or directory");
  });
});

describe("switchyard plan --diff", () => {
  const files = ["-f", join(EXAMPLES, "00-platform.yaml"), "-f", join(EXAMPLES, "02-canary-and-header-routing.yaml")];

  it("lists the operations that would create everything in an empty account, in order", async () => {
    const result = await run("plan", ...files, "--diff");
    const changes = result.stdout.slice(result.stdout.indexOf("Changes for Gateway infra/web"));
    const lines = changes.split("\n").filter((l) => /^\s+\d+\. /.test(l));
    expect(lines[0]).toContain("+ security group sy-infra-web-");
    expect(lines[1]).toContain("+ 1 inbound rule(s) on the load balancer's security group: tcp 80 from 0.0.0.0/0");
    expect(lines.findIndex((l) => l.includes("+ target group"))).toBeGreaterThan(
      lines.findIndex((l) => l.includes("+ backend group admitted to")),
    );
    expect(lines.some((l) => l.includes("+ application load balancer"))).toBe(true);
    expect(lines.at(-1)).toContain("+ rule HTTP:80 priority 20");
  });

  it("prints nothing to change against what the same plan already built", async () => {
    const json = await run("plan", ...files, "--diff", "-o", "json");
    const doc = JSON.parse(json.stdout) as { changes: { gateway: string; operations: ElbOperation[] }[] };
    const observed: Record<string, ObservedElb> = {};
    for (const change of doc.changes) {
      let state = emptyObserved();
      const created = new Map<string, string>();
      for (const op of change.operations) state = simulate(state, op, created);
      observed[change.gateway] = state;
    }
    const dir = mkdtempSync(join(tmpdir(), "switchyard-diff-"));
    writeFileSync(join(dir, "observed.json"), JSON.stringify(observed));
    const again = await run("plan", ...files, "--diff", "--observed", join(dir, "observed.json"));
    expect(again.stdout).toContain("Changes for Gateway infra/web:\n  nothing to change");
  });

  it("refuses an unreadable observed file with exit code 2", async () => {
    const result = await run("plan", ...files, "--diff", "--observed", "/nonexistent/observed.json");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--observed");
  });
});

describe("switchyard explain", () => {
  it("names the matched rule, the skipped rule and the weighted backends", async () => {
    const result = await run(
      "explain",
      "-f",
      EXAMPLES,
      "--request",
      "GET http://shop.example.com/checkout/cart",
      "-o",
      "json",
    );
    expect(result.code).toBe(0);
    const [e] = JSON.parse(result.stdout) as {
      rule: { route: string; ruleIndex: number };
      skipped: { failed: string }[];
      outcome: { kind: string; backends: { backend: string; share: number }[] };
    }[];
    expect(e?.rule.route).toBe("HTTPRoute/payments/checkout");
    expect(e?.rule.ruleIndex).toBe(1);
    expect(e?.skipped[0]?.failed).toBe("header x-canary=always");
    expect(e?.outcome.backends).toEqual([
      { backend: "Service payments/checkout-v1:8080", share: 0.9 },
      { backend: "Service payments/checkout-v2:8080", share: 0.1 },
    ]);
  });

  it("sends a request matching no rule to the listener's 404", async () => {
    const result = await run("explain", "-f", EXAMPLES, "--request", "http://nowhere.example.com/x");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no rule matched");
    expect(result.stdout).toContain("respond 404");
  });

  it("requires a request", async () => {
    const result = await run("explain", "-f", EXAMPLES);
    expect(result.code).toBe(2);
  });
});

describe("switchyard plan: target group configuration fields", () => {
  const manifest = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: LoadBalancerConfiguration
metadata: {name: lbc, namespace: apps}
spec:
  defaultTargetGroupConfiguration: {name: defaults}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: TargetGroupConfiguration
metadata: {name: defaults, namespace: apps}
spec:
  defaultConfiguration: {targetControlPort: 3000, enableMultiCluster: true}
---
apiVersion: gateway.k8s.aws/v1beta1
kind: TargetGroupConfiguration
metadata: {name: web, namespace: apps}
spec:
  targetReference: {name: web}
  defaultConfiguration: {targetType: instance}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {type: NodePort, ports: [{port: 8080, nodePort: 30080}]}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
spec: {providerID: "aws:///us-east-1a/i-0aaaaaaaaaaaaaaa1"}
status: {conditions: [{type: Ready, status: "True"}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: alb
  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: lbc}
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: web, port: 8080}]
`;

  it("shows instance targets on the node port, the target control port and multi-cluster from the default configuration", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-tgc-"));
    writeFileSync(join(dir, "tgc.yaml"), manifest);
    const model = await run("plan", "-f", join(dir, "tgc.yaml"));
    expect(model.stdout).not.toContain("Not accepted:");
    const group = model.stdout.split("\n").find((l) => l.includes("target group sy-web-"));
    expect(group).toContain("HTTP/HTTP1:30080 Service apps/web:8080 — 1 instance target");
    expect(group).toContain("target control port 3000");
    expect(group).toContain("multi-cluster");
    const diff = await run("plan", "-f", join(dir, "tgc.yaml"), "--diff");
    const create = diff.stdout.split("\n").find((l) => l.includes("+ target group sy-web-"));
    expect(create).toContain(
      "(HTTP:30080, instance targets on the node port, target control port 3000, multi-cluster, Service apps/web:8080)",
    );
    expect(diff.stdout).toContain("+ backend group admitted to 2 target port(s)");
  });
});
