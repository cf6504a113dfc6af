/**
 * LatticePort over the pure simulator (lattice-simulator.ts), for unit tests of the reconcile
 * engine's Lattice plane, with optional failures for crash, refusal and quota tests. The
 * simulator's refusals are turned into the SDK's exception names and classified by
 * shared/aws/lattice/errors.ts, the table the real adapter uses, so the engine sees the kinds it
 * would see against AWS (a ConflictException is a busy resource, retryable).
 */
import { latticeError } from "../aws/lattice/errors.ts";
import { emptyObservedLattice, type ObservedLattice } from "../lattice/observed.ts";
import type { LatticeOperation } from "../lattice/operations.ts";
import type { LatticePort } from "../reconcile/lattice-plane.ts";
import { SimulatedLatticeError, simulateLattice } from "./lattice-simulator.ts";

export class MemoryLattice implements LatticePort {
  /** What "AWS" holds for the Gateway. */
  world: ObservedLattice = emptyObservedLattice();
  /** Every operation that reached "AWS" (including refused ones), in order. */
  readonly calls: LatticeOperation[] = [];
  reads = 0;
  /** Throws before running the operation when it returns an error: AWS refused or never saw the call. */
  failBefore: (op: LatticeOperation, index: number) => Error | undefined = () => undefined;
  /**
   * Throws after the operation took effect when it returns an error: AWS accepted the call and
   * the answer was lost (a crash or timeout on the way back).
   */
  failAfter: (op: LatticeOperation, index: number) => Error | undefined = () => undefined;

  async observe(): Promise<ObservedLattice> {
    this.reads += 1;
    return structuredClone(this.world);
  }

  async refresh(applied: ObservedLattice): Promise<ObservedLattice> {
    this.reads += 1;
    const services = new Map(this.world.services.map((s) => [s.arn, s]));
    return {
      ...applied,
      services: applied.services.map((s) => structuredClone(services.get(s.arn) ?? s)),
    };
  }

  async discover(): Promise<ObservedLattice> {
    this.reads += 1;
    return structuredClone(this.world);
  }

  async execute(op: LatticeOperation, _current: ObservedLattice, _created: Map<string, string>) {
    const index = this.calls.length;
    this.calls.push(op);
    const failure = this.failBefore(op, index);
    if (failure) throw failure;
    try {
      this.world = simulateLattice(this.world, op);
    } catch (err) {
      if (err instanceof SimulatedLatticeError) {
        throw latticeError({ name: `${err.code}Exception`, message: err.message }, op.op, structuredClone(this.world));
      }
      throw err;
    }
    const lost = this.failAfter(op, index);
    if (lost) throw lost;
    return structuredClone(this.world);
  }
}
