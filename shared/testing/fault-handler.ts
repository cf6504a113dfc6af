/**
 * An SDK request handler for tests that answers chosen operations with a synthetic AWS error the
 * first N times and passes everything else to the real HTTP handler. It sits below the SDK's
 * retry middleware, so the SDK's own error parsing, classification, backoff and adaptive rate
 * limiting run unchanged against the emulator; moto itself has no fault injection.
 *
 * A `delay` fault holds matching requests back before passing them on, as a slow or hung endpoint
 * would; it honours the request's abortSignal, so a caller's deadline cuts it short. An `amend`
 * rewrites the emulator's successful answers to an operation, for what AWS documents and the
 * emulator never does (the Resource Groups Tagging API still listing a deleted resource).
 *
 * Operations are recognised from the request itself: `Action=` in an AWS query-protocol body
 * (ELBv2, EC2, STS) or the `X-Amz-Target` header of the JSON protocols (Resource Groups Tagging).
 */
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { type HttpHandler, type HttpRequest, HttpResponse } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpHandlerOptions } from "@smithy/types";

export interface SyntheticError {
  status: number;
  code: string;
  message: string;
}

export const FAULTS = {
  throttling: { status: 400, code: "Throttling", message: "Rate exceeded" },
  internalError: {
    status: 500,
    code: "InternalFailure",
    message: "We encountered an internal error. Please try again.",
  },
  tooManyRules: {
    status: 400,
    code: "TooManyRules",
    message: "You've reached the limit on the number of rules per load balancer",
  },
} as const satisfies Record<string, SyntheticError>;

export interface FaultRule {
  /** Operation name as in the API, e.g. `CreateRule`. */
  operation: string;
  error: SyntheticError;
  /** How many matching requests, counted from now, get the error. */
  times: number;
}

export interface DelayRule {
  /** Operation name as in the API, e.g. `DescribeLoadBalancers`. */
  operation: string;
  /** How long each matching request is held before it goes on to the endpoint. */
  delayMs: number;
  /** How many matching requests, counted from now, are delayed. */
  times: number;
}

/** A request let through to the emulator whose response is withheld until the test decides. */
export interface HeldResponse {
  /** Resolves once the emulator has answered: the call took effect there. */
  readonly accepted: Promise<void>;
  /**
   * Hands the response to the SDK, or with `failure` throws it instead: the answer lost on the
   * way back (a crash, a dropped connection) after AWS accepted the call.
   */
  release(failure?: Error): void;
}

interface AmendRule {
  operation: string;
  amend: (body: string) => string;
}

interface HoldRule {
  operation: string;
  accepted: () => void;
  released: Promise<Error | undefined>;
}

export interface InjectedFault {
  operation: string;
  code: string;
}

function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  return "";
}

async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  if (typeof body === "string" || body instanceof Uint8Array) return bodyText(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** The API operation a serialized request calls, or undefined if it cannot tell. */
export function requestOperation(request: HttpRequest): string | undefined {
  const target = Object.entries(request.headers).find(([k]) => k.toLowerCase() === "x-amz-target")?.[1];
  if (target) return target.split(".").pop();
  const action = new URLSearchParams(bodyText(request.body)).get("Action");
  return action ?? new URLSearchParams(request.query as Record<string, string>).get("Action") ?? undefined;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function errorResponse(request: HttpRequest, error: SyntheticError): HttpResponse {
  const json = Object.keys(request.headers).some((k) => k.toLowerCase() === "x-amz-target");
  const requestId = `fault-${Math.random().toString(16).slice(2, 10)}`;
  const body = json
    ? JSON.stringify({ __type: error.code, message: error.message })
    : `<ErrorResponse><Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type>` +
      `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return new HttpResponse({
    statusCode: error.status,
    headers: {
      "content-type": json ? "application/x-amz-json-1.1" : "text/xml",
      "x-amzn-requestid": requestId,
      ...(json ? { "x-amzn-errortype": error.code } : {}),
    },
    body: Readable.from([Buffer.from(body, "utf8")]),
  });
}

export class FaultInjectingHandler implements HttpHandler {
  readonly #inner: HttpHandler;
  readonly #rules: FaultRule[] = [];
  readonly #delays: DelayRule[] = [];
  readonly #holds: HoldRule[] = [];
  readonly #amends: AmendRule[] = [];
  /** Every synthetic error answered, in order. */
  readonly injected: InjectedFault[] = [];
  readonly metadata = { handlerProtocol: "http/1.1" };

  constructor(inner: HttpHandler = new NodeHttpHandler()) {
    this.#inner = inner;
  }

  /** Answers the next `times` requests for `operation` with `error`. */
  inject(operation: string, error: SyntheticError, times = 1): this {
    this.#rules.push({ operation, error, times });
    return this;
  }

  /** Holds the next `times` requests for `operation` back for `delayMs` before sending them. */
  delay(operation: string, delayMs: number, times = 1): this {
    this.#delays.push({ operation, delayMs, times });
    return this;
  }

  /**
   * Lets the next request for `operation` through to the emulator and withholds its response
   * until released: a call that outlives its caller's lease, or whose answer is lost.
   */
  holdResponse(operation: string): HeldResponse {
    let accepted: () => void = () => undefined;
    let release: (failure: Error | undefined) => void = () => undefined;
    const acceptedPromise = new Promise<void>((resolve) => (accepted = resolve));
    const released = new Promise<Error | undefined>((resolve) => (release = resolve));
    this.#holds.push({ operation, accepted, released });
    return { accepted: acceptedPromise, release: (failure) => release(failure) };
  }

  /**
   * Rewrites the body of every successful answer to `operation` with `amend` until `clear()`:
   * the emulator's answer as AWS would also give it.
   */
  amend(operation: string, amend: (body: string) => string): this {
    this.#amends.push({ operation, amend });
    return this;
  }

  clear(): void {
    this.#rules.length = 0;
    this.#delays.length = 0;
    this.#amends.length = 0;
  }

  /** Faults (errors and delays) still to be answered. */
  pending(): number {
    return [...this.#rules, ...this.#delays].reduce((n, r) => n + r.times, 0);
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const operation = requestOperation(request);
    const delay = this.#delays.find((r) => r.operation === operation && r.times > 0);
    if (delay && operation) {
      delay.times--;
      this.injected.push({ operation, code: "delay" });
      // Rejects with an AbortError when the caller gives up first, like a cancelled socket.
      await sleep(delay.delayMs, undefined, options?.abortSignal ? { signal: options.abortSignal as AbortSignal } : {});
    }
    const rule = this.#rules.find((r) => r.operation === operation && r.times > 0);
    if (rule && operation) {
      rule.times--;
      this.injected.push({ operation, code: rule.error.code });
      return { response: errorResponse(request, rule.error) };
    }
    const hold = this.#holds.findIndex((h) => h.operation === operation);
    const held = hold >= 0 ? this.#holds.splice(hold, 1)[0] : undefined;
    if (held) {
      const answer = await this.#inner.handle(request, options);
      held.accepted();
      const failure = await held.released;
      if (failure) throw failure;
      return answer;
    }
    const amends = this.#amends.filter((a) => a.operation === operation);
    if (amends.length === 0) return this.#inner.handle(request, options);
    const answer = await this.#inner.handle(request, options);
    if (answer.response.statusCode >= 300) return answer;
    const body = amends.reduce((text, a) => a.amend(text), await readBody(answer.response.body));
    const headers = Object.fromEntries(
      Object.entries(answer.response.headers).filter(([k]) => k.toLowerCase() !== "content-length"),
    );
    return {
      response: new HttpResponse({
        ...answer.response,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        body: Readable.from([Buffer.from(body, "utf8")]),
      }),
    };
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.#inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): object {
    return this.#inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.#inner.destroy?.();
  }
}
