import { Readable } from "node:stream";
import { HttpRequest, HttpResponse } from "@smithy/core/protocols";
import { describe, expect, it } from "vitest";
import { FAULTS, FaultInjectingHandler, requestOperation } from "../../../shared/testing/index.ts";

const query = (action: string) =>
  new HttpRequest({ method: "POST", hostname: "x", headers: {}, body: `Action=${action}&Version=2015-12-01` });

describe("fault-injecting request handler", () => {
  it("recognises query-protocol and JSON-protocol operations", () => {
    expect(requestOperation(query("CreateRule"))).toBe("CreateRule");
    const json = new HttpRequest({
      method: "POST",
      hostname: "x",
      headers: { "X-Amz-Target": "ResourceGroupsTaggingAPI_20170126.GetResources" },
      body: "{}",
    });
    expect(requestOperation(json)).toBe("GetResources");
  });

  it("answers the first N matching requests with the error and passes the rest on", async () => {
    const passed: string[] = [];
    const inner = {
      handle: async (request: HttpRequest) => {
        passed.push(requestOperation(request) ?? "?");
        return { response: { statusCode: 200, headers: {}, body: undefined } as never };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };
    const handler = new FaultInjectingHandler(inner).inject("CreateRule", FAULTS.throttling, 2);
    const first = await handler.handle(query("CreateRule"));
    expect(first.response.statusCode).toBe(400);
    await handler.handle(query("DescribeRules"));
    await handler.handle(query("CreateRule"));
    await handler.handle(query("CreateRule"));
    expect(passed).toEqual(["DescribeRules", "CreateRule"]);
    expect(handler.injected).toEqual([
      { operation: "CreateRule", code: "Throttling" },
      { operation: "CreateRule", code: "Throttling" },
    ]);
    expect(handler.pending()).toBe(0);
  });

  it("amends the body of every successful answer to an operation until cleared, and no other", async () => {
    const answers: Record<string, { statusCode: number; body: string }> = {
      DescribeTags: { statusCode: 200, body: "<a>1</a>" },
      CreateRule: { statusCode: 400, body: "<Error/>" },
      DescribeRules: { statusCode: 200, body: "<b/>" },
    };
    const inner = {
      handle: async (request: HttpRequest) => {
        const { statusCode, body } = answers[requestOperation(request) ?? ""] ?? { statusCode: 500, body: "" };
        return {
          response: new HttpResponse({
            statusCode,
            headers: { "content-length": String(body.length) },
            body: Readable.from([Buffer.from(body)]),
          }),
        };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };
    const handler = new FaultInjectingHandler(inner)
      .amend("DescribeTags", (body) => body.replace("1", "22"))
      .amend("CreateRule", () => "amended");
    const text = async (action: string) => {
      const { response } = await handler.handle(query(action));
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
      return { body: Buffer.concat(chunks).toString(), length: response.headers["content-length"] };
    };
    expect(await text("DescribeTags")).toEqual({ body: "<a>22</a>", length: "9" });
    expect(await text("DescribeTags")).toEqual({ body: "<a>22</a>", length: "9" });
    // An error answer and other operations pass as they are.
    expect((await text("CreateRule")).body).toBe("<Error/>");
    expect((await text("DescribeRules")).body).toBe("<b/>");
    handler.clear();
    expect(await text("DescribeTags")).toEqual({ body: "<a>1</a>", length: "8" });
  });
});
