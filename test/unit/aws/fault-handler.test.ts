import { HttpRequest } from "@smithy/core/protocols";
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
});
