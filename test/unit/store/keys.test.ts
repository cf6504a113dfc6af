// Gateway keys: built from parts or parsed from text, they obey Kubernetes' naming rules for
// namespace and name and switchyard's for cluster ids, and what is built parses back to itself.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  clusterGatewayKey,
  type GatewayKey,
  gatewayKey,
  InvalidGatewayKey,
  MAX_CLUSTER_ID_LENGTH,
  MAX_NAME_LENGTH,
  parseClusterGatewayKey,
  parseGatewayKey,
  splitClusterGatewayKey,
} from "../../../shared/keys.ts";

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789".split("");

/** A DNS-1123 label: alphanumeric at both ends, '-' allowed inside. */
const label = fc
  .tuple(
    fc.constantFrom(...ALNUM),
    fc.array(fc.constantFrom(...ALNUM, "-"), { maxLength: 20 }),
    fc.constantFrom(...ALNUM),
  )
  .map(([first, middle, last]) => (middle.length === 0 ? first : `${first}${middle.join("")}${last}`));

/** A DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
const subdomain = fc
  .array(label, { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join("."))
  .filter((s) => s.length <= MAX_NAME_LENGTH);

const clusterId = fc
  .array(fc.constantFrom(...ALNUM, "-"), { minLength: 1, maxLength: MAX_CLUSTER_ID_LENGTH })
  .map((chars) => chars.join(""));

function refusal(build: () => unknown): InvalidGatewayKey {
  try {
    build();
  } catch (error) {
    if (error instanceof InvalidGatewayKey) return error;
    throw error;
  }
  throw new Error("expected InvalidGatewayKey, nothing was thrown");
}

describe("gateway keys", () => {
  test("a key built from valid parts parses back to itself, and splits back into its parts", () => {
    fc.assert(
      fc.property(clusterId, subdomain, subdomain, (cluster, namespace, name) => {
        const key = gatewayKey(namespace, name);
        expect(parseGatewayKey(key)).toBe(key);
        const full = clusterGatewayKey(cluster, namespace, name);
        expect(clusterGatewayKey(cluster, key)).toBe(full);
        expect(parseClusterGatewayKey(full)).toBe(full);
        expect(splitClusterGatewayKey(full)).toEqual({ cluster, gatewayKey: key, namespace, name });
      }),
    );
  });

  test("a key is the plain `cluster/namespace/name` text, so it prints and serialises unchanged", () => {
    const key = clusterGatewayKey("cluster-a", "default", "web");
    expect(key).toBe("cluster-a/default/web");
    expect(JSON.parse(JSON.stringify({ key }))).toEqual({ key: "cluster-a/default/web" });
  });

  test("a name may be a dotted subdomain of up to 253 characters, and no longer", () => {
    const longest = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(longest).toHaveLength(MAX_NAME_LENGTH);
    expect(gatewayKey("default", longest)).toBe(`default/${longest}`);
    expect(refusal(() => gatewayKey("default", `${longest}e`))).toMatchObject({ part: "name" });
  });

  test("a cluster id may be 63 characters, and no longer", () => {
    expect(clusterGatewayKey("c".repeat(63), "default", "web")).toBeDefined();
    const error = refusal(() => clusterGatewayKey("c".repeat(64), "default", "web"));
    expect(error).toMatchObject({ part: "cluster" });
    expect(error.message).toContain("64 characters, over 63");
  });

  test.each([
    ["", "web", "namespace", "is empty"],
    ["default", "", "name", "is empty"],
    ["Default", "web", "namespace", "not a DNS-1123 subdomain"],
    ["default", "web_1", "name", "not a DNS-1123 subdomain"],
    ["default", "-web", "name", "not a DNS-1123 subdomain"],
    ["default", "web-", "name", "not a DNS-1123 subdomain"],
    ["default", "a..b", "name", "not a DNS-1123 subdomain"],
    ["default", "a/b", "name", "not a DNS-1123 subdomain"],
  ])("namespace %j, name %j is refused naming the %s: %s", (namespace, name, part, reason) => {
    const error = refusal(() => gatewayKey(namespace, name));
    expect(error).toMatchObject({ name: "InvalidGatewayKey", part });
    expect(error.message).toContain(reason);
  });

  test.each([
    ["", "cluster", "is empty"],
    ["Cluster", "cluster", "other than a-z, 0-9 and '-'"],
    ["cluster.a", "cluster", "other than a-z, 0-9 and '-'"],
    ["cluster_a", "cluster", "other than a-z, 0-9 and '-'"],
  ])("cluster id %j is refused naming the %s: %s", (cluster, part, reason) => {
    const error = refusal(() => clusterGatewayKey(cluster, "default", "web"));
    expect(error).toMatchObject({ part });
    expect(error.message).toContain(reason);
  });

  test.each([
    ["default/web", "key", "2 '/'-separated parts"],
    ["a/default/web/extra", "key", "4 '/'-separated parts"],
    ["cluster-a//web", "namespace", "is empty"],
    ["cluster-a/default/", "name", "is empty"],
    ["Cluster-A/default/web", "cluster", "other than a-z"],
    ["cluster-a/default/Web", "name", "not a DNS-1123 subdomain"],
  ])("parsing %j as a cluster gateway key is refused naming the %s", (text, part, reason) => {
    const error = refusal(() => parseClusterGatewayKey(text));
    expect(error).toMatchObject({ input: text, part });
    expect(error.message).toContain(reason);
  });

  test.each([
    ["web", "key"],
    ["cluster-a/default/web", "key"],
    ["default/WEB", "name"],
  ])("parsing %j as a gateway key is refused naming the %s", (text, part) => {
    expect(refusal(() => parseGatewayKey(text))).toMatchObject({ input: text, part });
  });

  test("a cluster key cannot be built from a namespace/name string that was never a valid key", () => {
    // The overload takes a GatewayKey; a cast around it still meets the runtime check.
    const forged = "default/Web" as GatewayKey;
    expect(refusal(() => clusterGatewayKey("cluster-a", forged))).toMatchObject({ part: "name" });
  });

  test("any text that parses is exactly a key built from its own parts", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...ALNUM, "-", ".", "/", "A", "_"), maxLength: 30 }), (text) => {
        let parsed: string | undefined;
        try {
          parsed = parseClusterGatewayKey(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidGatewayKey);
          return;
        }
        const [cluster = "", namespace = "", name = ""] = parsed.split("/");
        expect(clusterGatewayKey(cluster, namespace, name)).toBe(text);
      }),
    );
  });

  test("a name that is not a string (a malformed object's null) is an InvalidGatewayKey, not a TypeError", () => {
    // Found by test/fuzz/ingest.test.ts: a Lattice policy whose targetRef.name was null crashed ingest.
    for (const bad of [null, undefined, 42, {}]) {
      expect(() => gatewayKey("apps", bad as unknown as string)).toThrow(InvalidGatewayKey);
      expect(() => clusterGatewayKey("c1", bad as unknown as string, "web")).toThrow(InvalidGatewayKey);
    }
  });
});
