// Which nodes are an instance target group's targets: ready EC2 nodes the selector chooses.
import { describe, expect, it } from "vitest";
import { instanceTargets } from "../../../shared/elb/target-groups.ts";
import type { Node } from "../../../shared/k8s/core.ts";

function node(name: string, extra: { labels?: Record<string, string>; providerID?: unknown; status?: unknown }): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { providerID: extra.providerID } as Node["spec"],
    status: (extra.status ?? { conditions: [{ type: "Ready", status: "True" }] }) as Node["status"],
  };
}

describe("instanceTargets", () => {
  it("takes the instance id from an aws:// providerID of a ready node the selector matches", () => {
    const nodes = [
      node("a", { labels: { pool: "web" }, providerID: "aws:///eu-west-1a/i-0123456789abcdef0" }),
      node("b", { labels: { pool: "web" }, providerID: "aws:///eu-west-1b/i-01234567" }),
      node("c", { labels: { pool: "db" }, providerID: "aws:///eu-west-1a/i-0fedcba9876543210" }),
    ];
    expect(instanceTargets(nodes, { matchLabels: { pool: "web" } })).toEqual(["i-01234567", "i-0123456789abcdef0"]);
    expect(instanceTargets(nodes, undefined)).toHaveLength(3);
  });

  it("leaves out nodes that are not Ready, excluded from load balancers, or not EC2 instances", () => {
    const nodes = [
      node("not-ready", {
        providerID: "aws:///eu-west-1a/i-0000000000000000a",
        status: { conditions: [{ type: "Ready", status: "Unknown" }] },
      }),
      node("excluded", {
        labels: { "node.kubernetes.io/exclude-from-external-load-balancers": "" },
        providerID: "aws:///eu-west-1a/i-0000000000000000b",
      }),
      node("fargate", { providerID: "fargate://eu-west-1a/x" }),
      node("kind", { providerID: "kind://docker/kind/kind-worker" }),
      node("garbage", { providerID: 42, status: { conditions: "Ready" } }),
    ];
    expect(instanceTargets(nodes, undefined)).toEqual([]);
  });
});
