import { describe } from "vitest";
import { MemoryObjectMirror } from "../../../shared/mirror/memory/object-mirror.ts";
import { mirrorContract } from "./contract.ts";

describe("in-memory objects mirror", () => {
  mirrorContract(async () => new MemoryObjectMirror());
});
