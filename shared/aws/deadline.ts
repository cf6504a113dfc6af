/**
 * A deadline for every AWS call, SDK retries included. The reconciler holds a lease on its Gateway
 * (60 s by default) and every state write is fenced by it; a call that outlived the lease could
 * land after another reconciler took over. So each `send` gets an AbortSignal that fires after
 * `callDeadlineMs`: the SDK's retry loop stops between attempts and the HTTP handler cancels the
 * attempt in flight. An abort by the deadline is reported as CallDeadlineExceededError, classified
 * retryable (the next reconcile, with a fresh lease, may try again).
 */
import type { HttpHandlerOptions } from "@smithy/types";
import { AwsConfigurationError } from "./credentials.ts";
import { type ClassifiedAwsError, classifyAwsError } from "./errors.ts";

/** Longest a single AWS call may take, retries included: a third of the default 60 s lease. */
export const DEFAULT_CALL_DEADLINE_MS = 20_000;
/** Longest one HTTP attempt may wait for its answer, so a hung attempt leaves room for a retry. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Longest a TCP/TLS connection may take to open. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;

export const CALL_DEADLINE_EXCEEDED = "CallDeadlineExceeded";

/** An AWS call aborted because it ran past its deadline (its own, not its caller's abort). */
export class CallDeadlineExceededError extends Error {
  readonly deadlineMs: number;
  readonly operation: string;

  constructor(operation: string, deadlineMs: number, cause: unknown) {
    super(`${operation} did not finish within its ${deadlineMs} ms deadline (SDK retries included)`, { cause });
    this.name = CALL_DEADLINE_EXCEEDED;
    this.operation = operation;
    this.deadlineMs = deadlineMs;
  }
}

/**
 * classifyAwsError, with a missed deadline retryable under its own reason and a target account
 * configured wrongly terminal under its problem's name.
 */
export function classifyCallError(error: unknown): ClassifiedAwsError {
  if (error instanceof AwsConfigurationError) {
    return { kind: "terminal", reason: error.reason, message: error.message };
  }
  if (error instanceof CallDeadlineExceededError) {
    return { kind: "retryable", reason: CALL_DEADLINE_EXCEEDED, message: error.message };
  }
  return classifyAwsError(error);
}

interface Sending {
  send(command: never, options?: HttpHandlerOptions): Promise<unknown>;
}

function commandName(command: unknown): string {
  const name = typeof command === "object" && command !== null ? command.constructor.name : "";
  return name.endsWith("Command") ? name.slice(0, -"Command".length) : name || "call";
}

/**
 * Makes every `client.send` of this client run under a deadline. Done once, where the factory
 * makes the client, so no call site can forget it. A caller's own abortSignal still applies.
 */
export function applyCallDeadline<C extends Sending>(client: C, deadlineMs: number): C {
  const send = client.send.bind(client) as (command: unknown, options?: HttpHandlerOptions) => Promise<unknown>;
  const bounded = async (command: unknown, options?: HttpHandlerOptions): Promise<unknown> => {
    const deadline = AbortSignal.timeout(deadlineMs);
    const abortSignal = options?.abortSignal
      ? AbortSignal.any([deadline, options.abortSignal as AbortSignal])
      : deadline;
    try {
      return await send(command, { ...options, abortSignal });
    } catch (error) {
      if (deadline.aborted && !options?.abortSignal?.aborted) {
        throw new CallDeadlineExceededError(commandName(command), deadlineMs, error);
      }
      throw error;
    }
  };
  // The SDK types `send` with overloads (callbacks too) that one function cannot spell; switchyard
  // only uses the promise form, which `bounded` implements.
  client.send = bounded as C["send"];
  return client;
}
