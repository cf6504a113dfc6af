/**
 * The engine's apply loop over a minimal data plane (named rules on one listener, with a rule
 * quota) and its in-memory port: what a quota refusal, a refused rule and a refusal that reports
 * partial work do to the operations that run and to the record.
 */
import { describe, expect, it } from "vitest";
import { clusterGatewayKey } from "../../../shared/keys.ts";
import { type EngineDeps, reconcileDataPlane } from "../../../shared/reconcile/engine.ts";
import { type DataPlane, DataPlaneOperationError, type DataPlanePort } from "../../../shared/reconcile/ports.ts";
import { createMemoryStores } from "../../../shared/store/memory/stores.ts";
import type { StateStore } from "../../../shared/store/state.ts";

const GATEWAY = clusterGatewayKey("test", "apps", "gw");

interface Rules {
  rules: string[];
}
type RuleOp = { op: "CreateRule"; name: string } | { op: "DeleteRule"; name: string };

/** Creates the missing rules, then deletes the stale ones (make before break). */
const RULES_PLANE: DataPlane<string[], Rules, RuleOp> = {
  dataPlanes: ["alb"],
  plan: (desired, observed) => ({
    operations: [
      ...(desired ?? [])
        .filter((n) => !observed.rules.includes(n))
        .map((name) => ({ op: "CreateRule" as const, name })),
      ...observed.rules.filter((n) => !desired?.includes(n)).map((name) => ({ op: "DeleteRule" as const, name })),
    ],
  }),
  hash: (desired) => JSON.stringify(desired ?? null),
  isSettling: () => false,
  empty: () => ({ rules: [] }),
  makeRoom: (op, pending) => (op.op === "CreateRule" ? pending.filter((p) => p.op === "DeleteRule") : []),
  isDeletion: (op) => op.op === "DeleteRule",
  refusedRule: (op, error) =>
    op.op === "CreateRule"
      ? { operation: op.op, listenerId: "L", route: op.name, code: error.code, message: error.message }
      : undefined,
  dependsOn: () => false,
  // A rule named `draining` is waited for: the record is re-read before planning from it.
  refreshBeforePlan: (applied) => applied.rules.includes("draining"),
};

/** Rules in memory with a quota; every attempt is recorded, refused or not. */
class MemoryRules implements DataPlanePort<Rules, RuleOp> {
  world: Rules = { rules: [] };
  readonly attempts: string[] = [];
  refuse: (op: RuleOp) => DataPlaneOperationError<Rules> | undefined = () => undefined;
  readonly quota: number;
  constructor(quota: number) {
    this.quota = quota;
  }

  async observe(): Promise<Rules> {
    return structuredClone(this.world);
  }
  async refresh(): Promise<Rules> {
    this.attempts.push("refresh");
    return structuredClone(this.world);
  }
  async discover(): Promise<Rules> {
    return structuredClone(this.world);
  }
  async execute(op: RuleOp): Promise<Rules> {
    this.attempts.push(`${op.op} ${op.name}`);
    const refused = this.refuse(op);
    if (refused) throw refused;
    if (op.op === "DeleteRule") {
      if (!this.world.rules.includes(op.name))
        throw new DataPlaneOperationError("notFound", "RuleNotFound", op.op, `no rule ${op.name}`);
      this.world = { rules: this.world.rules.filter((n) => n !== op.name) };
    } else {
      if (this.world.rules.length >= this.quota)
        throw new DataPlaneOperationError("quota", "TooManyRules", op.op, "rule quota reached");
      this.world = { rules: [...this.world.rules, op.name] };
    }
    return structuredClone(this.world);
  }
}

function setup(quota = 3) {
  const stores = createMemoryStores();
  // The memory store keeps any plane's observed shape; its type names ELB's.
  const states = stores.states as unknown as StateStore<Rules>;
  const port = new MemoryRules(quota);
  const deps: EngineDeps<Rules> = { leases: stores.leases, states, now: () => 1_000_000, owner: "a" };
  const reconcile = (desired: string[] | undefined) =>
    reconcileDataPlane(
      RULES_PLANE,
      port,
      { gatewayKey: GATEWAY, dataPlane: "alb", account: "111122223333", region: "us-east-1", desired },
      deps,
    );
  return { states, port, reconcile };
}

describe("the apply loop", () => {
  it("a quota refusal runs the pending deletions that make room once each, then the refused operation once more", async () => {
    const { port, reconcile } = setup();
    await reconcile(["a", "b", "c"]);
    port.attempts.length = 0;
    expect(await reconcile(["x"])).toMatchObject({ kind: "applied", observed: { rules: ["x"] } });
    expect(port.attempts).toEqual(["CreateRule x", "DeleteRule a", "DeleteRule b", "DeleteRule c", "CreateRule x"]);
  });

  it("a rule refused as invalid is not retried, even with deletions pending that would make room", async () => {
    const { port, reconcile } = setup();
    await reconcile(["a", "b"]);
    port.attempts.length = 0;
    port.refuse = (op) =>
      op.op === "CreateRule" ? new DataPlaneOperationError("terminal", "ValidationError", op.op, "invalid") : undefined;
    expect(await reconcile(["x"])).toMatchObject({ kind: "applied", failedRules: [{ route: "x" }] });
    expect(port.attempts).toEqual(["CreateRule x", "DeleteRule a", "DeleteRule b"]);
  });

  it("a refused rule that left something behind is kept in the record, so it is not orphaned", async () => {
    const { port, states, reconcile } = setup();
    port.refuse = (op) => {
      if (op.op !== "CreateRule" || op.name !== "x") return undefined;
      // Created, then refused (a tag, a condition): AWS holds it although the operation failed.
      port.world = { rules: [...port.world.rules, "x"] };
      return new DataPlaneOperationError("terminal", "ValidationError", op.op, "invalid", structuredClone(port.world));
    };
    // The refused operation is the last: nothing after it reads AWS's state again.
    const outcome = await reconcile(["y", "x"]);
    expect(outcome).toMatchObject({ kind: "applied", observed: { rules: ["y", "x"] } });
    expect((await states.get(GATEWAY))?.applied).toEqual({ rules: ["y", "x"] });
  });

  it("a deletion AWS refuses for any reason but not found fails the reconcile and the record keeps what it would have deleted", async () => {
    const { port, states, reconcile } = setup();
    await reconcile(["a", "b"]);
    port.refuse = (op) =>
      op.op === "DeleteRule" ? new DataPlaneOperationError("terminal", "ResourceInUse", op.op, "in use") : undefined;
    expect(await reconcile(["a"])).toMatchObject({ kind: "failed", error: { code: "ResourceInUse" } });
    expect((await states.get(GATEWAY))?.applied).toEqual({ rules: ["a", "b"] });
  });

  it("a record the plane waits on is re-read before a change is planned from it", async () => {
    const { port, reconcile } = setup();
    await reconcile(["a", "draining"]);
    // AWS finished with it meanwhile; the record still names it.
    port.world = { rules: ["a"] };
    port.attempts.length = 0;
    expect(await reconcile(["a", "x"])).toMatchObject({ kind: "applied", observed: { rules: ["a", "x"] } });
    expect(port.attempts).toEqual(["refresh", "CreateRule x"]);
  });
});
