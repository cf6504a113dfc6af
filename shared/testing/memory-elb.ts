/**
 * ElbPort over the in-memory simulator, with optional failures for crash and quota tests. The
 * simulator's refusals carry AWS error codes and are classified by shared/aws/errors.ts, the same
 * table the SDK adapter uses, so the engine sees the kinds it would see against AWS.
 */
import type { ObservedElb } from "../elb/observed.ts";
import type { ElbOperation } from "../elb/operations.ts";
import { ElbOperationError, type ElbPort } from "../reconcile/ports.ts";
import { SimulatedElbError, type SimulatorOptions, simulate } from "./elb-simulator.ts";

export class MemoryElb implements ElbPort {
  /** What "AWS" holds, per gateway key. */
  readonly accounts = new Map<string, ObservedElb>();
  readonly calls: ElbOperation["op"][] = [];
  reads = 0;
  /** Throws before running the operation when it returns an error: AWS never saw the call. */
  failBefore: (op: ElbOperation, index: number) => Error | undefined = () => undefined;
  /**
   * Throws after the operation took effect when it returns an error: AWS accepted the call and
   * the answer was lost (a crash or timeout on the way back).
   */
  failAfter: (op: ElbOperation, index: number) => Error | undefined = () => undefined;
  readonly #gatewayKey: string;
  readonly #options: SimulatorOptions;

  constructor(gatewayKey: string, options: SimulatorOptions = {}) {
    this.#gatewayKey = gatewayKey;
    this.#options = options;
  }

  get world(): ObservedElb {
    return this.accounts.get(this.#gatewayKey) ?? { listeners: [], targetGroups: [], strayLoadBalancers: [] };
  }

  async observe(): Promise<ObservedElb> {
    this.reads += 1;
    return structuredClone(this.world);
  }

  async refresh(applied: ObservedElb): Promise<ObservedElb> {
    this.reads += 1;
    const lb = this.world.loadBalancer;
    return lb ? { ...applied, loadBalancer: structuredClone(lb) } : applied;
  }

  async discover(): Promise<ObservedElb> {
    this.reads += 1;
    return structuredClone(this.world);
  }

  async execute(op: ElbOperation, _current: ObservedElb, created: Map<string, string>): Promise<ObservedElb> {
    const failure = this.failBefore(op, this.calls.length);
    if (failure) throw failure;
    this.calls.push(op.op);
    try {
      const next = simulate(this.world, op, created, this.#options);
      this.accounts.set(this.#gatewayKey, next);
    } catch (err) {
      if (err instanceof SimulatedElbError) throw ElbOperationError.fromCode(err.code, op.op, err.message);
      throw err;
    }
    const lost = this.failAfter(op, this.calls.length - 1);
    if (lost) throw lost;
    return structuredClone(this.world);
  }
}
