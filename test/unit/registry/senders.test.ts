/** Ingest's sender directory over the cluster registry. */
import { describe, expect, it } from "vitest";
import { MemoryClusterRegistry } from "../../../shared/registry/memory.ts";
import { registrySenders } from "../../../shared/registry/senders.ts";

const ACCOUNT = "111122223333";
const cluster = (senderId?: string) => ({
  clusterId: "prod-eu",
  account: ACCOUNT,
  region: "eu-west-1",
  vpcId: "vpc-0123456789abcdef0",
  eks: { clusterName: "prod-eu" },
  senderPrincipal: `arn:aws:iam::${ACCOUNT}:role/switchyard-forwarder`,
  statusMode: "direct" as const,
  ...(senderId ? { senderId } : {}),
});

describe("the registry as ingest's sender directory", () => {
  it("answers the registered sender's unique id, and nothing for an unregistered cluster", async () => {
    const registry = new MemoryClusterRegistry(ACCOUNT);
    await registry.put(cluster("AROAEXAMPLEROLEID1234"), "create");
    const senders = registrySenders(registry);
    expect(await senders.principalOf("prod-eu")).toBe("AROAEXAMPLEROLEID1234");
    expect(await senders.principalOf("other")).toBeUndefined();
  });

  it("a cluster registered without a sender id has no sender", async () => {
    const registry = new MemoryClusterRegistry(ACCOUNT);
    await registry.put(cluster(), "create");
    expect(await registrySenders(registry).principalOf("prod-eu")).toBeUndefined();
  });

  it("reuses a lookup within its TTL and reads the registry again after it", async () => {
    const registry = new MemoryClusterRegistry(ACCOUNT);
    await registry.put(cluster("AROAEXAMPLEROLEID1234"), "create");
    let clock = 0;
    const senders = registrySenders(registry, { ttlMs: 1_000, now: () => clock });
    await senders.principalOf("prod-eu");
    await registry.put(cluster("AROANEWROLEID5678ABCD"), "update");
    expect(await senders.principalOf("prod-eu")).toBe("AROAEXAMPLEROLEID1234");
    clock = 1_000;
    expect(await senders.principalOf("prod-eu")).toBe("AROANEWROLEID5678ABCD");
  });

  it("refuses a sender id that is not an IAM unique id", async () => {
    const registry = new MemoryClusterRegistry(ACCOUNT);
    await expect(registry.put(cluster("arn:aws:iam::1:role/x"), "create")).rejects.toMatchObject({ field: "senderId" });
  });
});
