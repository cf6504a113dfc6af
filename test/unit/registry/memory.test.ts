import { describe } from "vitest";
import { MemoryClusterRegistry } from "../../../shared/registry/memory.ts";
import { registryContract } from "./contract.ts";
import { CONTROL_PLANE_ACCOUNT } from "./fixtures.ts";

describe("in-memory cluster registry", () => {
  registryContract(async () => {
    const registry = new MemoryClusterRegistry(CONTROL_PLANE_ACCOUNT);
    return {
      registry,
      async writeRawItem(item) {
        const pk = item.pk?.S ?? "";
        registry.items.set(pk.replace(/^CLUSTER#/, ""), item);
      },
    };
  });
});
