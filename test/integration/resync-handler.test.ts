// The resync function over real parts: state records written by the DynamoDB store into DynamoDB
// Local, reconcile requests sent to a FIFO queue on moto, and read back with the contract's decoder.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateRecordOwnerLookup } from "../../functions/resync/owner-lookup.ts";
import { sqsReconcileQueue } from "../../functions/resync/reconcile-queue.ts";
import { handleResyncEvent, type ResyncDependencies } from "../../functions/resync/resync.ts";
import { parseClusterGatewayKey } from "../../shared/keys.ts";
import { decodeReconcileRequest, type ReconcileRequest } from "../../shared/pipeline/reconcile-request.ts";
import { createDynamoDbStores } from "../../shared/store/dynamodb/stores.ts";
import { createTable } from "../../shared/store/dynamodb/table.ts";
import { dynamoDbSettings, motoSettings, resetMoto, uniqueName } from "../env/clients.ts";
import {
  acmCertificateAvailable,
  CERTIFICATE_ARN,
  SWITCHYARD_ROLE_ARN,
  scheduledEvent,
  stateWith,
} from "../unit/functions/resync-fixtures.ts";

describe("resync on moto SQS and DynamoDB Local", () => {
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;

  beforeAll(async () => {
    await resetMoto();
    sqs = new SQSClient(motoSettings());
    dynamodb = new DynamoDBClient(dynamoDbSettings());
  });
  afterAll(() => {
    sqs?.destroy();
    dynamodb?.destroy();
  });

  async function setUp() {
    const tableName = uniqueName("resync");
    await createTable(dynamodb, tableName);
    const { leases, states } = createDynamoDbStores(dynamodb, tableName, { pageSize: 2 });
    const keys = ["web", "api", "other"].map((n) => parseClusterGatewayKey(`prod-1/default/${n}`));
    for (const [i, key] of keys.entries()) {
      const lease = await leases.acquire(key, "test", Date.now(), 60_000);
      if (lease === undefined) throw new Error("no lease");
      await states.put(stateWith(key, String(i), i < 2 ? [CERTIFICATE_ARN] : []), lease);
    }
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: `${uniqueName("reconcile")}.fifo`, Attributes: { FifoQueue: "true" } }),
    );
    const queueUrl = String(created.QueueUrl);
    const deps: ResyncDependencies = {
      states,
      queue: sqsReconcileQueue(sqs, queueUrl),
      owners: stateRecordOwnerLookup(states),
      continuation: {
        continueFrom: async () => {
          throw new Error("no continuation expected");
        },
      },
      schedule: { tickMs: 60_000, periodTicks: 1, seed: "it" },
      ownRoleArns: new Set([SWITCHYARD_ROLE_ARN]),
      maxGatewaysPerInvocation: 100,
    };
    return { keys, queueUrl, deps };
  }

  async function drain(queueUrl: string): Promise<{ request: ReconcileRequest; group: string }[]> {
    const out: { request: ReconcileRequest; group: string }[] = [];
    for (;;) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 30,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if ((r.Messages ?? []).length === 0) return out;
      for (const m of r.Messages ?? []) {
        const decoded = decodeReconcileRequest(String(m.Body));
        if (!decoded.ok) throw new Error(decoded.reason);
        out.push({ request: decoded.request, group: String(m.Attributes?.MessageGroupId) });
      }
    }
  }

  it("enqueues one resync request per registered Gateway on the schedule, and none again for a retried tick", async () => {
    const { keys, queueUrl, deps } = await setUp();
    await handleResyncEvent(scheduledEvent, deps);
    await handleResyncEvent(scheduledEvent, deps);
    const received = await drain(queueUrl);
    expect(received.map((r) => r.request.gatewayKey).sort()).toEqual([...keys].sort());
    expect(received.every((r) => r.request.reason === "resync")).toBe(true);
    expect(new Set(received.map((r) => r.group)).size).toBe(3);
  });

  it("enqueues an aws-event request for each Gateway using a renewed certificate", async () => {
    const { keys, queueUrl, deps } = await setUp();
    await handleResyncEvent(acmCertificateAvailable, deps);
    const received = await drain(queueUrl);
    expect(received.map((r) => r.request.gatewayKey).sort()).toEqual([keys[1], keys[0]]);
    expect(received.every((r) => r.request.reason === "aws-event")).toBe(true);
  });
});
