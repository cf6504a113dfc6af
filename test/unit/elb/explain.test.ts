/**
 * explainRequest: the desired ALB model and a request in; per ALB listener on the request's port,
 * the rule that matched, the rules before it with the condition each failed, and where it goes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { controllerConfig } from "../../../shared/config.ts";
import { explainRequest } from "../../../shared/elb/explain.ts";
import type { KubeObject } from "../../../shared/k8s/meta.ts";
import { loadManifests } from "../../../shared/manifest/load.ts";
import { snapshotOf } from "../../../shared/snapshot.ts";
import { translate } from "../../../shared/translate.ts";
import { request } from "./builders.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "..", "examples");

function examplesBuilds() {
  const objects: KubeObject[] = [];
  for (const file of readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    for (const object of loadManifests(readFileSync(join(EXAMPLES, file), "utf8"), file).objects) objects.push(object);
  }
  return translate(snapshotOf(objects), controllerConfig()).loadBalancers;
}

const builds = examplesBuilds();

describe("explainRequest", () => {
  it("names the matched rule with its route, rule and match, and the weighted backends", () => {
    const [e] = explainRequest(
      builds,
      request({ scheme: "http", port: 80, host: "shop.example.com", path: "/checkout/cart" }),
    );
    expect(e?.rule).toMatchObject({ route: "HTTPRoute/payments/checkout", ruleIndex: 1 });
    expect(e?.outcome).toEqual({
      kind: "forward",
      backends: [
        { backend: "Service payments/checkout-v1:8080", share: 0.9 },
        { backend: "Service payments/checkout-v2:8080", share: 0.1 },
      ],
      request: { host: "shop.example.com", path: "/checkout/cart" },
    });
  });

  it("gives every rule before the match with the first condition the request failed", () => {
    const [e] = explainRequest(
      builds,
      request({ scheme: "http", port: 80, host: "shop.example.com", path: "/checkout/cart" }),
    );
    expect(e?.skipped[0]?.failed).toEqual({ field: "http-header", headerName: "x-canary", values: ["always"] });
    const matched = e?.rule.priority;
    expect(typeof matched).toBe("number");
    expect(e?.skipped.every((s) => typeof matched === "number" && s.priority < matched)).toBe(true);
  });

  it("falls to the listener's default action when no rule matches, skipping every rule", () => {
    const [e] = explainRequest(builds, request({ scheme: "http", port: 80, host: "nowhere.example.com", path: "/x" }));
    expect(e?.rule).toEqual({ priority: "default", conditions: [] });
    expect(e?.outcome).toEqual({ kind: "fixed-response", statusCode: 404 });
    expect(e?.skipped.every((s) => s.failed !== undefined)).toBe(true);
  });

  it("explains nothing on a port no ALB listens on, and never looks at NLBs", () => {
    expect(explainRequest(builds, request({ port: 9 }))).toEqual([]);
    expect(builds.some((b) => b.model.type === "network")).toBe(true);
  });
});
