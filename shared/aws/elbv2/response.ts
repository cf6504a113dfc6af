/**
 * Checks on what ELBv2 answers, at the edge where SDK shapes (every field optional) become model
 * values. A field that must be there and is not, or a value switchyard does not know, is a
 * ResponseDecodeError naming the object and field rather than an `undefined` further in:
 * - a missing identifier (ARN, port, priority) is retryable: a partial or eventually consistent
 *   answer, and every call that returns one is safe to repeat (creates are idempotent by name);
 * - a value outside the known set (a new load balancer type or state) is terminal: repeating the
 *   call cannot help, switchyard needs to learn the value.
 */
import { type AwsErrorKind, AwsOperationError } from "../errors.ts";

export class ResponseDecodeError extends AwsOperationError {
  /** The object the field belongs to, e.g. `load balancer arn:aws:…` or `CreateRule answer`. */
  readonly object: string;
  readonly field: string;
  readonly expected: string;

  constructor(operation: string, object: string, field: string, expected: string, actual: unknown, kind: AwsErrorKind) {
    super(operation, {
      kind,
      reason: kind === "terminal" ? "UnexpectedResponse" : "MalformedResponse",
      message: `${object}: ${field}: expected ${expected}, got ${actual === undefined ? "nothing" : JSON.stringify(actual)}`,
    });
    this.name = "ResponseDecodeError";
    this.object = object;
    this.field = field;
    this.expected = expected;
  }
}

/** A position in one answer: the operation and the object being read. */
export class Answer {
  readonly operation: string;
  readonly object: string;

  constructor(operation: string, object: string) {
    this.operation = operation;
    this.object = object;
  }

  /** A string that must be present and non-empty (an ARN, a name). */
  string(field: string, value: string | undefined): string {
    if (typeof value === "string" && value !== "") return value;
    throw new ResponseDecodeError(this.operation, this.object, field, "a non-empty string", value, "retryable");
  }

  /** An integer that must be present, as a number or as ELBv2's decimal strings (rule priorities). */
  integer(field: string, value: number | string | undefined): number {
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n === "number" && Number.isInteger(n)) return n;
    throw new ResponseDecodeError(this.operation, this.object, field, "an integer", value, "retryable");
  }

  /** One of the values switchyard knows; absent is retryable, unknown is terminal. */
  oneOf<T extends string>(field: string, value: string | undefined, choices: readonly T[]): T {
    const found = choices.find((c) => c === value);
    if (found !== undefined) return found;
    throw new ResponseDecodeError(
      this.operation,
      this.object,
      field,
      `one of ${choices.join(", ")}`,
      value,
      value === undefined ? "retryable" : "terminal",
    );
  }
}
