// The status puller's pure rules: which write failures are retried, dropped or are the identity's
// fault, and what becomes of a message, against the status writer over a scripted API server. The
// SQS loop itself runs against moto and kube-apiserver in
// test/integration/forwarder-status-puller.test.ts.
import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../../forwarder/clock.ts";
import { loadConfig } from "../../../forwarder/config.ts";
import { METRIC, Metrics } from "../../../forwarder/metrics.ts";
import { classifyWriteFailure, StatusPuller } from "../../../forwarder/status-puller.ts";
import { encodeStatusIntentMessage, type StatusIntent } from "../../../shared/pipeline/status-intent.ts";
import type { KubeApi, KubeResponse } from "../../../shared/status/writer/kube-api.ts";
import { StatusConflict, StatusWriteRefused, StatusWriter } from "../../../shared/status/writer/writer.ts";

const CLUSTER = "prod-eu";

const route = (name: string): StatusIntent => ({
  kind: "HTTPRoute",
  namespace: "apps",
  name,
  observedGeneration: 1,
  controllerNames: ["switchyard.dev/alb"],
  parents: [
    {
      parentRef: { name: "gw" },
      controllerName: "switchyard.dev/alb",
      conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "ok" }],
    },
  ],
});

/** An API server that answers each object's GET and PATCH with the status scripted for its name. */
class ScriptedApi implements KubeApi {
  readonly requests: string[] = [];
  private readonly answers: Record<string, number>;
  constructor(answers: Record<string, number>) {
    this.answers = answers;
  }
  async request(method: "GET" | "PATCH", path: string): Promise<KubeResponse> {
    const name = path.split("/").at(-2) ?? "";
    this.requests.push(`${method} ${name}`);
    const status = method === "GET" ? 200 : (this.answers[name] ?? 200);
    const body = JSON.stringify({ metadata: { name, resourceVersion: "5" }, status: {} });
    return { status, body: status === 200 ? body : `{"code":${status}}` };
  }
}

function pullerOver(api: KubeApi, metrics = new Metrics()) {
  const puller = new StatusPuller({
    // handleMessage() never touches SQS: a client that is never sent anything.
    sqs: new SQSClient({ region: "us-east-1" }),
    queueUrl: "https://sqs.example/status",
    clusterId: CLUSTER,
    writer: new StatusWriter(api),
    metrics,
    clock: systemClock,
    random: () => 0.5,
    log: () => undefined,
  });
  return { puller, metrics };
}

const body = (intents: StatusIntent[], cluster = CLUSTER) => ({
  Body: encodeStatusIntentMessage({ version: 1, cluster, intents }),
  MessageId: "m-1",
});

describe("classifyWriteFailure", () => {
  const refused = (status: number) => new StatusWriteRefused("PATCH", "/x", { status, body: "" });

  it("401 and 403 are the identity's: retried, never dropped", () => {
    expect(classifyWriteFailure(refused(401))).toBe("unauthorized");
    expect(classifyWriteFailure(refused(403))).toBe("forbidden");
  });

  it("429, 5xx and errors without an answer may pass", () => {
    expect(classifyWriteFailure(refused(429))).toBe("transient");
    expect(classifyWriteFailure(refused(503))).toBe("transient");
    expect(classifyWriteFailure(new Error("ECONNRESET"))).toBe("transient");
  });

  it("a status the API server refuses as invalid is dropped", () => {
    expect(classifyWriteFailure(refused(422))).toBe("refused");
    expect(classifyWriteFailure(refused(400))).toBe("refused");
  });

  it("conflicts beyond the writer's attempts are their own kind", () => {
    expect(classifyWriteFailure(new StatusConflict("/x", 5))).toBe("conflict");
  });
});

describe("what becomes of a status message", () => {
  it("every intent written: deleted", async () => {
    const api = new ScriptedApi({});
    const { puller, metrics } = pullerOver(api);
    expect(await puller.handleMessage(body([route("a"), route("b")]))).toEqual({ action: "delete" });
    expect(metrics.value(METRIC.statusWrites, { outcome: "written" })).toBe(2);
  });

  it("an intent refused as invalid is dropped and the rest still written", async () => {
    const api = new ScriptedApi({ bad: 422 });
    const { puller, metrics } = pullerOver(api);
    expect(await puller.handleMessage(body([route("bad"), route("good")]))).toEqual({ action: "delete" });
    expect(metrics.value(METRIC.statusWrites, { outcome: "refused" })).toBe(1);
    expect(api.requests).toEqual(["GET bad", "PATCH bad", "GET good", "PATCH good"]);
  });

  it("an unauthorized write stops the message, which is retried; nothing after it is attempted", async () => {
    const api = new ScriptedApi({ expired: 401 });
    const { puller } = pullerOver(api);
    expect(await puller.handleMessage(body([route("expired"), route("later")]))).toMatchObject({
      action: "retry",
      failure: "unauthorized",
    });
    expect(api.requests).toEqual(["GET expired", "PATCH expired"]);
  });

  it("a forbidden write holds back nothing else of the message, which is then retried", async () => {
    const api = new ScriptedApi({ forbidden: 403 });
    const { puller, metrics } = pullerOver(api);
    expect(await puller.handleMessage(body([route("forbidden"), route("later")]))).toMatchObject({
      action: "retry",
      failure: "forbidden",
      detail: expect.stringContaining("HTTPRoute apps/forbidden"),
    });
    expect(api.requests).toEqual(["GET forbidden", "PATCH forbidden", "GET later", "PATCH later"]);
    expect(metrics.value(METRIC.statusWrites, { outcome: "written" })).toBe(1);
  });

  it("a message for another cluster is rejected without a request", async () => {
    const api = new ScriptedApi({});
    const { puller } = pullerOver(api);
    expect(await puller.handleMessage(body([route("a")], "elsewhere"))).toMatchObject({
      action: "reject",
      reason: "other-cluster",
    });
    expect(api.requests).toEqual([]);
  });

  it("a body that is not a status message is rejected with the decoder's reason", async () => {
    const { puller } = pullerOver(new ScriptedApi({}));
    expect(await puller.handleMessage({ Body: '{"version":2}', MessageId: "m" })).toEqual({
      action: "reject",
      reason: "malformed",
      detail: "version: expected 1, got 2",
    });
  });
});

describe("status queue configuration", () => {
  const valid = {
    SWITCHYARD_CLUSTER_ID: "prod-eu",
    SWITCHYARD_EVENTS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/events.fifo",
    AWS_REGION: "eu-west-1",
    SWITCHYARD_CLAIM_CHECK_BUCKET: "switchyard-claims",
  };

  it("is off without SWITCHYARD_STATUS_QUEUE_URL", () => {
    const loaded = loadConfig(valid);
    expect(loaded.ok && loaded.config.statusQueueUrl).toBeUndefined();
  });

  it("takes the queue URL, standard or FIFO", () => {
    const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/switchyard-status-prod-eu";
    const loaded = loadConfig({ ...valid, SWITCHYARD_STATUS_QUEUE_URL: url });
    expect(loaded).toMatchObject({ ok: true, config: { statusQueueUrl: url } });
  });

  it("refuses a value that is not a URL", () => {
    expect(loadConfig({ ...valid, SWITCHYARD_STATUS_QUEUE_URL: "status queue" })).toEqual({
      ok: false,
      problems: ['SWITCHYARD_STATUS_QUEUE_URL="status queue": not a URL'],
    });
  });
});
