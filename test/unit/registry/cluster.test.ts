// Registration validation: every rule refuses with a typed error naming its field.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidCluster, validateCluster } from "../../../shared/registry/cluster.ts";
import { decodeCluster, encodeCluster } from "../../../shared/registry/cluster-item.ts";
import { CA_DATA, CONTROL_PLANE_ACCOUNT, crossAccountCluster, sameAccountCluster } from "./fixtures.ts";

function refusal(input: unknown): InvalidCluster {
  try {
    validateCluster(input, CONTROL_PLANE_ACCOUNT);
  } catch (error) {
    if (error instanceof InvalidCluster) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

describe("cluster registration", () => {
  test("a valid registration passes unchanged", () => {
    expect(validateCluster(sameAccountCluster(), CONTROL_PLANE_ACCOUNT)).toEqual(sameAccountCluster());
    expect(validateCluster(crossAccountCluster(), CONTROL_PLANE_ACCOUNT)).toEqual(crossAccountCluster());
  });

  test("statusMode defaults to direct", () => {
    const { statusMode: _, ...rest } = sameAccountCluster();
    expect(validateCluster(rest, CONTROL_PLANE_ACCOUNT).statusMode).toBe("direct");
  });

  test.each([
    ["clusterId", "Prod"],
    ["clusterId", "-prod"],
    ["clusterId", "a".repeat(64)],
    ["clusterId", ""],
    ["account", "12345678901"],
    ["account", "12345678901a"],
    ["region", "Europe"],
    ["vpcId", "vpc-xyz"],
    ["senderPrincipal", "switchyard-forwarder"],
    ["statusMode", "pull"],
  ])("%s %j is refused naming the field", (field, value) => {
    expect(refusal({ ...sameAccountCluster(), [field]: value }).field).toBe(field);
  });

  test("clusterId of exactly 63 characters is accepted", () => {
    const id = `a${"-b".repeat(31)}`;
    expect(id).toHaveLength(63);
    expect(validateCluster({ ...sameAccountCluster(), clusterId: id }, CONTROL_PLANE_ACCOUNT).clusterId).toBe(id);
  });

  test("a cluster in another account needs a role in that account and an ExternalId", () => {
    const { reconcileRoleArn: _r, externalId: _e, ...bare } = crossAccountCluster();
    expect(refusal(bare).field).toBe("reconcileRoleArn");
    expect(refusal({ ...bare, reconcileRoleArn: crossAccountCluster().reconcileRoleArn }).field).toBe("externalId");
    expect(refusal({ ...crossAccountCluster(), externalId: "" }).field).toBe("externalId");
    expect(
      refusal({ ...crossAccountCluster(), reconcileRoleArn: `arn:aws:iam::${CONTROL_PLANE_ACCOUNT}:role/x` }).field,
    ).toBe("reconcileRoleArn");
  });

  test("a cluster in the control plane's account needs neither role nor ExternalId", () => {
    const cluster = sameAccountCluster();
    expect(cluster.reconcileRoleArn).toBeUndefined();
    expect(validateCluster(cluster, CONTROL_PLANE_ACCOUNT).externalId).toBeUndefined();
    // The same registration is refused by a control plane in another account.
    expect(() => validateCluster(cluster, "999999999999")).toThrow(InvalidCluster);
  });

  test("eks is a cluster name or an https endpoint with base64 PEM CA data, not both", () => {
    expect(refusal({ ...sameAccountCluster(), eks: {} }).field).toBe("eks.endpoint");
    expect(refusal({ ...sameAccountCluster(), eks: { clusterName: "x", endpoint: "https://a" } }).field).toBe("eks");
    expect(refusal({ ...sameAccountCluster(), eks: { clusterName: "-bad" } }).field).toBe("eks.clusterName");
    expect(refusal({ ...sameAccountCluster(), eks: { endpoint: "http://a", caData: CA_DATA } }).field).toBe(
      "eks.endpoint",
    );
    expect(refusal({ ...sameAccountCluster(), eks: { endpoint: "https://a", caData: "bm90IGEgY2VydA==" } }).field).toBe(
      "eks.caData",
    );
  });

  test("unknown fields are refused rather than silently dropped", () => {
    expect(refusal({ ...sameAccountCluster(), externalID: "typo" }).field).toBe("cluster");
  });

  test("any valid registration survives encode and decode unchanged", () => {
    const id = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    const eks = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/).map((clusterName) => ({ clusterName })),
      fc.constant({ endpoint: "https://example.eks.amazonaws.com", caData: CA_DATA }),
    );
    fc.assert(
      fc.property(id, eks, fc.constantFrom("direct" as const, "via-forwarder" as const), (clusterId, e, mode) => {
        const cluster = { ...crossAccountCluster(), clusterId, eks: e, statusMode: mode };
        expect(decodeCluster(encodeCluster(cluster), CONTROL_PLANE_ACCOUNT)).toEqual(cluster);
      }),
    );
  });
});
