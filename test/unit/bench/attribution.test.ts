import { describe, expect, it } from "vitest";
import type { ApiCall } from "../../../bench/lib/api-recorder.ts";
import { countCalls, emulatorIntervals } from "../../../bench/lib/attribution.ts";
import { coveredWithin } from "../../../bench/lib/statistics.ts";

const call = (over: Partial<ApiCall> & Pick<ApiCall, "operation" | "start" | "end">): ApiCall => ({
  endpoint: "moto",
  service: "sqs",
  ...over,
});

describe("emulatorIntervals", () => {
  const window = { start: 100, end: 200 };
  const noWatch = { start: 100, end: 100 };

  it("counts a long poll that delivered a message from the moment its send was accepted", () => {
    const calls = [
      call({ operation: "ReceiveMessage", start: 0, end: 150, receivedIds: ["m1"] }),
      call({ operation: "SendMessageBatch", start: 120, end: 140, sentIds: ["m1"] }),
    ];
    const intervals = emulatorIntervals(calls, window, noWatch);
    expect(intervals.filter((i) => i.label === "sqs").map(({ start, end }) => [start, end])).toEqual([
      [140, 150],
      [120, 140],
    ]);
    expect(coveredWithin(intervals, window)).toBe(30);
  });

  it("leaves out long polls that returned nothing, and calls outside the window", () => {
    const calls = [
      call({ operation: "ReceiveMessage", start: 0, end: 180, receivedIds: [] }),
      call({ operation: "PutItem", service: "dynamodb", endpoint: "dynamodb", start: 20, end: 90 }),
      call({ operation: "PutItem", service: "dynamodb", endpoint: "dynamodb", start: 200, end: 220 }),
    ];
    expect(emulatorIntervals(calls, window, noWatch).filter((i) => i.end > i.start)).toEqual([]);
  });

  it("counts a receive from its own start when it began after the send (the runner was busy)", () => {
    const calls = [
      call({ operation: "SendMessage", start: 100, end: 110, sentIds: ["m1"] }),
      call({ operation: "ReceiveMessage", start: 160, end: 170, receivedIds: ["m1"] }),
    ];
    expect(coveredWithin(emulatorIntervals(calls, window, noWatch), window)).toBe(20);
  });

  it("runs a call still in flight to the window's end, and labels ELBv2 and Kubernetes calls", () => {
    const calls = [
      call({ operation: "CreateRule", service: "elasticloadbalancing", start: 190, end: Number.NaN }),
      call({ operation: "GET httproutes/status", service: "kube", endpoint: "kube", start: 105, end: 108 }),
    ];
    const intervals = emulatorIntervals(calls, window, { start: 100, end: 104 });
    expect(intervals.map((i) => [i.label, i.start, i.end])).toEqual([
      ["kube", 100, 104],
      ["elbv2", 190, 200],
      ["kube", 105, 108],
    ]);
  });
});

describe("countCalls", () => {
  it("counts calls started in the range and deliveries that ended in it, not idle polls", () => {
    const counts = countCalls(
      [
        call({ operation: "ReceiveMessage", start: 0, end: 150, receivedIds: ["m1"] }),
        call({ operation: "ReceiveMessage", start: 0, end: 150, receivedIds: [] }),
        call({ operation: "SendMessage", start: 120, end: 130 }),
        call({ operation: "SendMessage", start: 90, end: 130 }),
        call({ operation: "Query", service: "dynamodb", endpoint: "dynamodb", start: 199, end: 250 }),
        call({ operation: "Query", service: "dynamodb", endpoint: "dynamodb", start: 200, end: 250 }),
      ],
      100,
      200,
    );
    expect(counts).toEqual({ "sqs ReceiveMessage": 1, "sqs SendMessage": 1, "dynamodb Query": 1 });
  });
});
