// Lambda's reading of a batch answer and of a FIFO batch, as the local runner applies them.
import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import {
  fifoOrderViolations,
  IncompleteMessage,
  interpretBatchResponse,
  lambdaSqsRecord,
  parseQueueArn,
} from "../../../functions/local/lambda-sqs-event.ts";

const ids = ["m1", "m2", "m3"];

describe("interpretBatchResponse (Lambda's ReportBatchItemFailures rules)", () => {
  it.each([undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }])(
    "treats %j as a complete success",
    (response) => {
      expect(interpretBatchResponse(response, ids)).toEqual({ kind: "succeeded" });
    },
  );

  it("fails only the listed messages", () => {
    expect(interpretBatchResponse({ batchItemFailures: [{ itemIdentifier: "m2" }] }, ids)).toEqual({
      kind: "partial",
      failed: new Set(["m2"]),
    });
  });

  it.each([
    [{ batchItemFailures: [{ itemIdentifier: "" }] }, "no itemIdentifier"],
    [{ batchItemFailures: [{ itemIdentifier: null }] }, "no itemIdentifier"],
    [{ batchItemFailures: [{ id: "m1" }] }, "no itemIdentifier"],
    [{ batchItemFailures: [{ itemIdentifier: "m9" }] }, "not a message of the batch"],
    [{ batchItemFailures: "m1" }, "not a list"],
    ["m1", "not a JSON object"],
  ])("fails the whole batch for %j", (response, reason) => {
    const outcome = interpretBatchResponse(response, ids);
    expect(outcome.kind).toBe("failed");
    expect(outcome.kind === "failed" ? outcome.reason : "").toContain(reason);
  });
});

function record(messageId: string, group: string): SQSRecord {
  return lambdaSqsRecord(
    {
      MessageId: messageId,
      ReceiptHandle: `rh-${messageId}`,
      Body: messageId,
      MD5OfBody: "0",
      Attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1",
        SenderId: "AIDA",
        ApproximateFirstReceiveTimestamp: "2",
        MessageGroupId: group,
      },
    },
    { arn: "arn:aws:sqs:eu-west-1:111122223333:q.fifo", region: "eu-west-1" },
  );
}

describe("fifoOrderViolations", () => {
  it("names a later message of a group whose earlier message failed", () => {
    const batch = [record("a1", "a"), record("b1", "b"), record("a2", "a"), record("b2", "b")];
    expect(fifoOrderViolations(batch, new Set(["a1"]))).toEqual(["a2"]);
  });

  it("accepts a failure followed only by failures in its group", () => {
    const batch = [record("a1", "a"), record("a2", "a"), record("b1", "b")];
    expect(fifoOrderViolations(batch, new Set(["a1", "a2"]))).toEqual([]);
  });
});

describe("lambdaSqsRecord", () => {
  it("refuses a message received without the system attributes Lambda always gives", () => {
    expect(() =>
      lambdaSqsRecord(
        { MessageId: "m", ReceiptHandle: "r", Body: "", MD5OfBody: "0", Attributes: { SentTimestamp: "1" } },
        { arn: "arn:aws:sqs:eu-west-1:111122223333:q", region: "eu-west-1" },
      ),
    ).toThrow(IncompleteMessage);
  });

  it("reads region, account and name from a queue ARN", () => {
    expect(parseQueueArn("arn:aws:sqs:eu-west-1:111122223333:reconcile.fifo")).toEqual({
      region: "eu-west-1",
      account: "111122223333",
      name: "reconcile.fifo",
    });
  });
});
