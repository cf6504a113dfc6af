// Test-only fault hooks and the call log: the next N calls of an operation fail with a chosen
// error (before the operation runs, or after it ran, dropping its result), and every API call is
// recorded with its account, operation and outcome so tests can count calls.
import type { CallRecord, FaultSpec, FaultsView } from "./control-api.ts";
import { type ErrorDetails, isErrorCode, LatticeError } from "./errors.ts";

interface PendingFault extends FaultSpec {
  remaining: number;
}

export class Faults {
  #pending: PendingFault[] = [];
  #injected: FaultsView["injected"] = [];

  add(spec: FaultSpec): void {
    if (typeof spec.operation !== "string" || spec.operation === "") throw new Error("operation is required");
    if (typeof spec.error !== "string" || !isErrorCode(spec.error))
      throw new Error(`unknown error ${String(spec.error)}`);
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error("count must be a positive integer");
    if (spec.when !== undefined && spec.when !== "before" && spec.when !== "after") {
      throw new Error('when must be "before" or "after"');
    }
    this.#pending.push({ ...spec, remaining: count });
  }

  /** Consumes one fault matching the call, if any. */
  take(operation: string, account: string, seq: number): PendingFault | undefined {
    const fault = this.#pending.find(
      (pending) => pending.operation === operation && (pending.account === undefined || pending.account === account),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#pending = this.#pending.filter((pending) => pending !== fault);
    this.#injected.push({ seq, operation, account, error: fault.error, when: fault.when ?? "before" });
    return fault;
  }

  view(): FaultsView {
    return { pending: this.#pending.map((fault) => ({ ...fault })), injected: [...this.#injected] };
  }

  clear(): void {
    this.#pending = [];
    this.#injected = [];
  }
}

export function faultError(fault: FaultSpec): LatticeError {
  const details: ErrorDetails =
    fault.error === "ThrottlingException"
      ? { serviceCode: "vpc-lattice" }
      : fault.error === "ResourceNotFoundException" || fault.error === "ConflictException"
        ? { resourceId: "injected", resourceType: "INJECTED" }
        : fault.error === "ValidationException"
          ? { reason: "other" }
          : fault.error === "ServiceQuotaExceededException"
            ? { resourceType: "INJECTED", serviceCode: "vpc-lattice", quotaCode: "injected" }
            : {};
  return new LatticeError(
    fault.error,
    fault.message ?? `Injected ${fault.error} for ${fault.operation}`,
    details,
    fault.retryAfterSeconds,
  );
}

export class CallLog {
  #records: CallRecord[] = [];

  add(record: CallRecord): void {
    this.#records.push(record);
  }

  list(filter: { account?: string; since?: number } = {}): CallRecord[] {
    return this.#records.filter(
      (record) =>
        (filter.account === undefined || record.account === filter.account) &&
        (filter.since === undefined || record.seq > filter.since),
    );
  }

  clear(): void {
    this.#records = [];
  }
}
