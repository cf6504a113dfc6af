/**
 * Counts AWS API traffic per service and operation: logical calls (one per `client.send`) and
 * attempts (every HTTP request, retries included), plus the error codes attempts ended with.
 * Benchmarks read it for cost figures; tests use it to prove call budgets and retries.
 */
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  Pluggable,
} from "@smithy/types";
import { awsErrorCode, isThrottlingCode } from "./errors.ts";

export interface CallCount {
  calls: number;
  attempts: number;
  /** Error code → attempts that ended with it (throttling, 5xx, …). */
  errors: Record<string, number>;
}

/** `ElasticLoadBalancingV2` and `CreateRule` from the SDK's `ElasticLoadBalancingV2Client`/`CreateRuleCommand`. */
export function operationOf(context: HandlerExecutionContext): { service: string; operation: string } {
  return {
    service: (context.clientName ?? "Unknown").replace(/Client$/, ""),
    operation: (context.commandName ?? "Unknown").replace(/Command$/, ""),
  };
}

export class ApiCallCounter {
  readonly #counts = new Map<string, CallCount>();

  #entry(service: string, operation: string): CallCount {
    const key = `${service}:${operation}`;
    let entry = this.#counts.get(key);
    if (!entry) {
      entry = { calls: 0, attempts: 0, errors: {} };
      this.#counts.set(key, entry);
    }
    return entry;
  }

  recordCall(service: string, operation: string): void {
    this.#entry(service, operation).calls++;
  }

  recordAttempt(service: string, operation: string, errorCode?: string): void {
    const entry = this.#entry(service, operation);
    entry.attempts++;
    if (errorCode !== undefined) entry.errors[errorCode] = (entry.errors[errorCode] ?? 0) + 1;
  }

  /** Logical calls, optionally of one service or one operation (`CreateRule`). */
  calls(service?: string, operation?: string): number {
    return this.#sum((c) => c.calls, service, operation);
  }

  attempts(service?: string, operation?: string): number {
    return this.#sum((c) => c.attempts, service, operation);
  }

  #sum(pick: (c: CallCount) => number, service?: string, operation?: string): number {
    let total = 0;
    for (const [key, count] of this.#counts) {
      const [s, o] = key.split(":");
      if ((service === undefined || s === service) && (operation === undefined || o === operation))
        total += pick(count);
    }
    return total;
  }

  /** `service:operation` → counts, sorted by key, detached from the counter. */
  snapshot(): Record<string, CallCount> {
    return Object.fromEntries(
      [...this.#counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, c]) => [key, { calls: c.calls, attempts: c.attempts, errors: { ...c.errors } }]),
    );
  }

  reset(): void {
    this.#counts.clear();
  }
}

/** What one service operation did between two snapshots of a counter. */
export interface CallCountChange {
  service: string;
  operation: string;
  /** Logical calls (one per `client.send`). */
  calls: number;
  /** HTTP attempts that AWS refused with a throttling code (each retry counted). */
  throttles: number;
  /** HTTP attempts that ended in any other error: 5xx, refusals, network failures. */
  errors: number;
}

/**
 * The counts added between two snapshots (`ApiCallCounter.snapshot()`), per service and operation,
 * sorted; operations that did nothing in between are left out. Pure: the reconcile λ turns it into
 * metrics per reconcile.
 */
export function callCountChanges(
  before: Readonly<Record<string, CallCount>>,
  after: Readonly<Record<string, CallCount>>,
): CallCountChange[] {
  const changes: CallCountChange[] = [];
  for (const [key, now] of Object.entries(after)) {
    const then = before[key];
    const [service = "Unknown", operation = "Unknown"] = key.split(":");
    let throttles = 0;
    let errors = 0;
    for (const [code, count] of Object.entries(now.errors)) {
      const added = count - (then?.errors[code] ?? 0);
      if (isThrottlingCode(code)) throttles += added;
      else errors += added;
    }
    const calls = now.calls - (then?.calls ?? 0);
    if (calls === 0 && throttles === 0 && errors === 0) continue;
    changes.push({ service, operation, calls, throttles, errors });
  }
  return changes.sort((a, b) => `${a.service}:${a.operation}`.localeCompare(`${b.service}:${b.operation}`));
}

/**
 * Middleware counting calls (initialize step, once per command) and attempts (right after the
 * retry middleware, so once per HTTP request including retries).
 */
export function callCounterPlugin<Input extends object, Output extends MetadataBearer>(
  counter: ApiCallCounter,
): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      stack.add(
        (next: InitializeHandler<Input, Output>, context: HandlerExecutionContext) =>
          async (args: InitializeHandlerArguments<Input>) => {
            const { service, operation } = operationOf(context);
            counter.recordCall(service, operation);
            return next(args);
          },
        { step: "initialize", name: "switchyardCallCounter", priority: "high", override: true },
      );
      stack.addRelativeTo(
        (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) =>
          async (args: FinalizeHandlerArguments<Input>) => {
            const { service, operation } = operationOf(context);
            try {
              const result = await next(args);
              counter.recordAttempt(service, operation);
              return result;
            } catch (error) {
              counter.recordAttempt(service, operation, awsErrorCode(error));
              throw error;
            }
          },
        { relation: "after", toMiddleware: "retryMiddleware", name: "switchyardAttemptCounter", override: true },
      );
    },
  };
}
