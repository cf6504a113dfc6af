/**
 * Records every API call this process makes to the emulators and the kube-apiserver, with its
 * start and end (performance.now(), ms), so a benchmark can count calls per operation and tell
 * how much of a time window an emulator spent answering.
 *
 * AWS calls: `NodeHttpHandler.prototype.handle` (@smithy/node-http-handler, the one HTTP handler
 * every AWS SDK client in this process uses unless given another) is wrapped while the recorder is
 * installed. Each attempt is one record, from the moment the SDK hands the signed request to the
 * handler until the last byte of the answer arrived: serialisation, signing, retry back-off and
 * client-side rate limiting happen outside it and so are not counted as the emulator's. The
 * answer is read in full here and handed on unchanged, which lets the recorder read SQS message
 * ids and DynamoDB item counts. No production code is changed.
 *
 * Kubernetes calls: Node's `http.client.request.start` / `http.client.response.finish` diagnostics
 * channels, for requests to the kube-apiserver's host; watch streams are left out (they are open
 * for minutes; the benchmark measures watch delivery itself).
 */
import diagnostics from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import type { HttpHandlerOptions } from "@smithy/types";

export type ApiEndpoint = "moto" | "dynamodb" | "kube";

export interface ApiCall {
  endpoint: ApiEndpoint;
  /** SigV4 service name (`dynamodb`, `sqs`, `elasticloadbalancing`, `s3`, ...) or `kube`. */
  service: string;
  /** `PutItem`, `ReceiveMessage`, ...; for kube `GET httproutes/status`, for S3 the method. */
  operation: string;
  start: number;
  /** NaN while in flight. */
  end: number;
  /** HTTP status; undefined when the call failed without an answer (aborted long poll, refused). */
  status?: number;
  /** SQS: the queue. */
  queueUrl?: string;
  /** SQS sends: the MessageIds the queue accepted. */
  sentIds?: string[];
  /** SQS receives: the MessageIds returned. */
  receivedIds?: string[];
  /** SQS batch sends: entries; DynamoDB writes: items written (1, or a batch's/transaction's count). */
  items?: number;
  /** DynamoDB reads: items returned (Query/Scan `Count`, GetItem 0 or 1). */
  itemsRead?: number;
  /** Kubernetes: the request path. */
  path?: string;
}

export interface RecorderEndpoints {
  moto: string;
  dynamodb: string;
  /** `https://host:port` of the kube-apiserver; omit to record no Kubernetes calls. */
  kube?: string;
}

const DYNAMODB_WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
const DYNAMODB_READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);

export function isDynamoDbWrite(call: ApiCall): boolean {
  return call.service === "dynamodb" && DYNAMODB_WRITES.has(call.operation);
}
export function isDynamoDbRead(call: ApiCall): boolean {
  return call.service === "dynamodb" && DYNAMODB_READS.has(call.operation);
}
/** An AWS call that is not a read: everything but Describe*, Get*, List*. */
export function isAwsWrite(call: ApiCall): boolean {
  return call.endpoint !== "kube" && !/^(Describe|Get|List|Head)/.test(call.operation);
}

export class ApiRecorder {
  readonly calls: ApiCall[] = [];
  readonly #uninstall: (() => void)[] = [];

  /** Calls still in flight (end is NaN). */
  inFlight(): ApiCall[] {
    return this.calls.filter((call) => Number.isNaN(call.end));
  }

  /** Calls started at or after `from` (and before `to`, if given). */
  between(from: number, to = Number.POSITIVE_INFINITY): ApiCall[] {
    return this.calls.filter((call) => call.start >= from && call.start < to);
  }

  /** Forgets recorded calls that have ended (keeps those in flight). */
  clear(): void {
    const open = this.inFlight();
    this.calls.length = 0;
    this.calls.push(...open);
  }

  onUninstall(undo: () => void): void {
    this.#uninstall.push(undo);
  }

  uninstall(): void {
    for (const undo of this.#uninstall.splice(0).reverse()) undo();
  }
}

/** Installs the recorder; call `uninstall()` when done (the handler and channels are restored). */
export function installApiRecorder(endpoints: RecorderEndpoints): ApiRecorder {
  const recorder = new ApiRecorder();
  const hosts = new Map<string, ApiEndpoint>([
    [new URL(endpoints.moto).host, "moto"],
    [new URL(endpoints.dynamodb).host, "dynamodb"],
  ]);

  const prototype = NodeHttpHandler.prototype;
  const original = prototype.handle;
  prototype.handle = async function recordedHandle(
    this: NodeHttpHandler,
    request: HttpRequest,
    options?: HttpHandlerOptions,
  ): Promise<{ response: HttpResponse }> {
    const endpoint = hosts.get(`${request.hostname}${request.port ? `:${request.port}` : ""}`);
    if (endpoint === undefined) return original.call(this, request, options);
    const call = describeAwsRequest(endpoint, request);
    recorder.calls.push(call);
    try {
      const result = await original.call(this, request, options);
      const body = await readAll(result.response.body);
      call.end = performance.now();
      call.status = result.response.statusCode;
      describeAwsResponse(call, body);
      result.response.body = Readable.from([body]);
      return result;
    } catch (error) {
      call.end = performance.now();
      throw error;
    }
  };
  recorder.onUninstall(() => {
    prototype.handle = original;
  });

  if (endpoints.kube !== undefined) {
    const kubeHost = new URL(endpoints.kube).host;
    const open = new WeakMap<ClientRequest, ApiCall>();
    const onStart = (message: unknown) => {
      const request = (message as { request: ClientRequest }).request;
      if (request.getHeader("host") !== kubeHost || /[?&]watch=(true|1)/.test(request.path)) return;
      const call: ApiCall = {
        endpoint: "kube",
        service: "kube",
        operation: `${request.method} ${kubeResource(request.path)}`,
        start: performance.now(),
        end: Number.NaN,
        path: request.path,
      };
      open.set(request, call);
      recorder.calls.push(call);
    };
    const onResponse = (message: unknown) => {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
      const call = open.get(request);
      if (call === undefined) return;
      call.status = response.statusCode;
      response.once("end", () => {
        call.end = performance.now();
      });
      response.once("close", () => {
        if (Number.isNaN(call.end)) call.end = performance.now();
      });
    };
    const onError = (message: unknown) => {
      const call = open.get((message as { request: ClientRequest }).request);
      if (call !== undefined && Number.isNaN(call.end)) call.end = performance.now();
    };
    diagnostics.subscribe("http.client.request.start", onStart);
    diagnostics.subscribe("http.client.response.finish", onResponse);
    diagnostics.subscribe("http.client.request.error", onError);
    recorder.onUninstall(() => {
      diagnostics.unsubscribe("http.client.request.start", onStart);
      diagnostics.unsubscribe("http.client.response.finish", onResponse);
      diagnostics.unsubscribe("http.client.request.error", onError);
    });
  }
  return recorder;
}

/** `/apis/g/v1/namespaces/ns/httproutes/web/status?x` → `httproutes/status`; `/api/v1/...` likewise. */
function kubeResource(path: string): string {
  const parts = (path.split("?")[0] ?? "").split("/").filter((p) => p !== "");
  const namespaced = parts.indexOf("namespaces");
  const rest = namespaced >= 0 ? parts.slice(namespaced + 2) : parts.slice(parts[0] === "api" ? 2 : 3);
  const resource = rest[0] ?? "discovery";
  return rest.length >= 3 ? `${resource}/${rest[2]}` : resource;
}

async function readAll(body: unknown): Promise<Buffer> {
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  if (body === undefined || body === null) return Buffer.alloc(0);
  throw new Error(`the API recorder cannot read a response body of type ${typeof body}`);
}

function header(request: HttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function json(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function describeAwsRequest(endpoint: ApiEndpoint, request: HttpRequest): ApiCall {
  // The SigV4 credential scope names the service: `Credential=AKID/20260101/us-east-1/sqs/aws4_request`.
  const service = /\/([a-z0-9-]+)\/aws4_request/.exec(header(request, "authorization") ?? "")?.[1] ?? "unknown";
  const target = header(request, "x-amz-target");
  const body =
    typeof request.body === "string"
      ? request.body
      : request.body instanceof Uint8Array
        ? new TextDecoder().decode(request.body)
        : undefined;
  const operation =
    target?.split(".").pop() ??
    (body !== undefined ? new URLSearchParams(body).get("Action") : null) ??
    `${request.method} ${request.path}`;
  const call: ApiCall = { endpoint, service, operation, start: performance.now(), end: Number.NaN };
  const input = body !== undefined && target !== undefined ? json(body) : undefined;
  if (input === undefined) return call;
  if (service === "sqs") {
    if (typeof input.QueueUrl === "string") call.queueUrl = input.QueueUrl;
    if (Array.isArray(input.Entries)) call.items = input.Entries.length;
  }
  if (service === "dynamodb" && DYNAMODB_WRITES.has(operation)) {
    if (operation === "BatchWriteItem") {
      const tables = Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>);
      call.items = tables.reduce((n, requests) => n + requests.length, 0);
    } else if (operation === "TransactWriteItems") {
      call.items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 0;
    } else {
      call.items = 1;
    }
  }
  return call;
}

function describeAwsResponse(call: ApiCall, body: Buffer): void {
  if (call.service !== "sqs" && call.service !== "dynamodb") return;
  const output = json(body.toString("utf8"));
  if (output === undefined) return;
  const ids = (list: unknown) =>
    Array.isArray(list)
      ? list.flatMap((m) => (typeof (m as { MessageId?: unknown }).MessageId === "string" ? [m.MessageId] : []))
      : [];
  if (call.operation === "ReceiveMessage") call.receivedIds = ids(output.Messages);
  if (call.operation === "SendMessage" && typeof output.MessageId === "string") call.sentIds = [output.MessageId];
  if (call.operation === "SendMessageBatch") call.sentIds = ids(output.Successful);
  if (call.operation === "Query" || call.operation === "Scan") call.itemsRead = Number(output.Count ?? 0);
  if (call.operation === "GetItem") call.itemsRead = output.Item === undefined ? 0 : 1;
}
