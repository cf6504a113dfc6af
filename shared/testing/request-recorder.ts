/**
 * An SDK request handler for tests that records every request as the SDK serialized it (operation
 * and parameters, exactly what would reach AWS) and answers chosen operations with a canned AWS
 * response, passing every other request to the real HTTP handler (moto). It sits below the SDK's
 * middleware, so the real SDK builds, signs and serializes each request and parses each answer:
 * the way to test calls to APIs an emulator does not implement without mocking the client.
 *
 * Parameters are the query-protocol form fields (`SubnetMappings.member.1.AllocationId`) for
 * ELBv2 and EC2, and the parsed JSON body for JSON protocols (WAFv2, Shield).
 */
import { Readable } from "node:stream";
import { type HttpHandler, type HttpRequest, HttpResponse } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpHandlerOptions } from "@smithy/types";
import { requestOperation } from "./fault-handler.ts";

export interface RecordedRequest {
  operation: string;
  params: Record<string, unknown>;
}

interface CannedAnswer {
  operation: string;
  status: number;
  body: string;
}

function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  return "";
}

function isJson(request: HttpRequest): boolean {
  return Object.keys(request.headers).some((k) => k.toLowerCase() === "x-amz-target");
}

function paramsOf(request: HttpRequest): Record<string, unknown> {
  const text = bodyText(request.body);
  if (isJson(request)) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

/** The `<Op>Response` document of a query-protocol (ELBv2) operation with `result` as its result. */
export function queryResponse(operation: string, result = ""): string {
  return (
    `<${operation}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">` +
    `<${operation}Result>${result}</${operation}Result>` +
    `<ResponseMetadata><RequestId>recorded-${operation}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

export class RequestRecorder implements HttpHandler {
  readonly #inner: HttpHandler;
  readonly #answers: CannedAnswer[] = [];
  /** Every request handled, in order, answered by the recorder or not. */
  readonly requests: RecordedRequest[] = [];
  readonly metadata = { handlerProtocol: "http/1.1" };

  constructor(inner: HttpHandler = new NodeHttpHandler()) {
    this.#inner = inner;
  }

  /** Answers every later request for `operation` with `body` (XML for query protocols, else JSON). */
  answer(operation: string, body: string, status = 200): this {
    this.#answers.push({ operation, status, body });
    return this;
  }

  /** The recorded requests for one operation. */
  of(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const operation = requestOperation(request) ?? "";
    this.requests.push({ operation, params: paramsOf(request) });
    const canned = this.#answers.find((a) => a.operation === operation);
    if (!canned) return this.#inner.handle(request, options);
    const json = isJson(request);
    return {
      response: new HttpResponse({
        statusCode: canned.status,
        headers: {
          "content-type": json ? "application/x-amz-json-1.1" : "text/xml",
          "x-amzn-requestid": `recorded-${operation}`,
        },
        body: Readable.from([Buffer.from(canned.body, "utf8")]),
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
