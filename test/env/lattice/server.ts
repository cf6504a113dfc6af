// The VPC Lattice emulator's HTTP server on 127.0.0.1: REST-JSON as the AWS SDK speaks it. It
// finds the caller (SigV4 credential -> account), advances the clock, applies injected faults,
// routes to the operation, records the call, and writes the result or the error (status,
// x-amzn-ErrorType, JSON body). Paths under /_lattice/ are the test-only control API.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { log } from "../process.ts";
import type { Caller, OperationContext } from "./context.ts";
import { handleControl } from "./control.ts";
import { CONTROL_PREFIX } from "./control-api.ts";
import { LatticeError, validation } from "./errors.ts";
import { CallLog, Faults, faultError } from "./faults.ts";
import { credentialOf, Identities } from "./identity.ts";
import { Fields } from "./input.ts";
import { OPERATIONS } from "./operations/index.ts";
import { queryMembers, Router } from "./router.ts";
import { LatticeState } from "./state.ts";
import { handleTagging, TAGGING_TARGET_PREFIX, TaggingError } from "./tagging.ts";

export interface LatticeEmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Seed of the id generator (default fixed, so ids repeat for the same calls). */
  seed?: string;
  /** Wall clock for createdAt/lastUpdatedAt (the state machine uses its own tick counter). */
  now?: () => Date;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

function jsonReply(status: number, body: unknown): Reply {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

function errorReply(error: LatticeError, status = error.status): Reply {
  const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-errortype": error.code };
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  return { status, headers, body: JSON.stringify(error.body()) };
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validation("The request body is not valid JSON", [], "cannotParse");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw validation("The request body must be a JSON object", [], "cannotParse");
  }
  return value as Record<string, unknown>;
}

export class LatticeEmulator {
  readonly state: LatticeState;
  readonly faults = new Faults();
  readonly calls = new CallLog();
  readonly identities = new Identities();
  readonly #router = new Router(OPERATIONS);
  readonly #server: Server;
  #callSeq = 0;

  private constructor(server: Server, options: LatticeEmulatorOptions) {
    this.#server = server;
    this.state = new LatticeState({
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  static async start(options: LatticeEmulatorOptions = {}): Promise<LatticeEmulator> {
    const server = createServer();
    const emulator = new LatticeEmulator(server, options);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      emulator.#handle(req).then(
        (reply) => {
          res.writeHead(reply.status, { ...reply.headers, "x-amzn-requestid": randomUUID() });
          res.end(reply.body);
        },
        (error: unknown) => {
          log("lattice", `request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ message: "emulator failure" }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    return emulator;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage): Promise<Reply> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://lattice");
    const method = req.method ?? "GET";
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";

    if (rawPath === CONTROL_PREFIX || rawPath.startsWith(`${CONTROL_PREFIX}/`)) {
      let body: unknown;
      try {
        body = text.trim() === "" ? undefined : JSON.parse(text);
      } catch {
        return jsonReply(400, { error: "the body is not valid JSON" });
      }
      const reply = handleControl(this, method, rawPath.slice(CONTROL_PREFIX.length), url.searchParams, body);
      return jsonReply(reply.status, reply.body);
    }

    const credential = credentialOf(req.headers.authorization);
    if (credential === undefined) {
      return errorReply(new LatticeError("AccessDeniedException", "Missing Authentication Token"));
    }
    const caller: Caller = {
      account: await this.identities.accountOf(credential.accessKeyId),
      region: credential.region,
    };
    // Synchronous from here on: each call sees and leaves a consistent state.
    this.state.tick();
    const target = req.headers["x-amz-target"];
    if (typeof target === "string" && target.startsWith(TAGGING_TARGET_PREFIX)) {
      return this.#tagging(target.slice(TAGGING_TARGET_PREFIX.length), text, caller, credential.accessKeyId);
    }
    const route = this.#router.match(method, rawPath);
    const seq = ++this.#callSeq;
    const operation = route?.spec.name ?? "Unknown";
    const record = (status: number, error?: LatticeError, fault?: boolean): void =>
      this.calls.add({
        seq,
        account: caller.account,
        region: caller.region,
        accessKeyId: credential.accessKeyId,
        operation,
        status,
        ...(error === undefined ? {} : { error: error.code }),
        ...(fault ? { fault } : {}),
      });

    if (route === undefined) {
      const error = validation(`No VPC Lattice operation for ${method} ${rawPath}`, [], "unknownOperation");
      record(error.status, error);
      return errorReply(error);
    }
    const fault = this.faults.take(operation, caller.account, seq);
    if (fault !== undefined && (fault.when ?? "before") === "before") {
      const error = faultError(fault);
      record(fault.status ?? error.status, error, true);
      return errorReply(error, fault.status);
    }
    let reply: Reply;
    try {
      const input = new Fields({
        ...parseBody(text),
        ...queryMembers(route.spec, url.searchParams),
        ...route.labels,
      });
      const ctx: OperationContext = { state: this.state, caller, operation };
      const output = route.spec.handler(ctx, input);
      reply =
        route.spec.status === 204
          ? { status: 204, headers: {} }
          : {
              status: route.spec.status,
              headers: { "content-type": "application/json" },
              body: JSON.stringify(output),
            };
    } catch (error) {
      const failure =
        error instanceof LatticeError
          ? error
          : new LatticeError("InternalServerException", error instanceof Error ? error.message : String(error));
      if (!(error instanceof LatticeError)) log("lattice", `${operation} failed: ${String(error)}`);
      record(failure.status, failure);
      return errorReply(failure);
    }
    if (fault !== undefined) {
      const error = faultError(fault);
      record(fault.status ?? error.status, error, true);
      return errorReply(error, fault.status);
    }
    record(reply.status);
    return reply;
  }

  /** The Resource Groups Tagging API (awsJson1_1) over the emulator's own resources (tagging.ts). */
  #tagging(operation: string, text: string, caller: Caller, accessKeyId: string): Reply {
    const seq = ++this.#callSeq;
    const reply = (status: number, body: unknown, error?: TaggingError): Reply => {
      this.calls.add({
        seq,
        account: caller.account,
        region: caller.region,
        accessKeyId,
        operation,
        status,
        ...(error === undefined ? {} : { error: error.code }),
      });
      return {
        status,
        headers: {
          "content-type": "application/x-amz-json-1.1",
          ...(error === undefined ? {} : { "x-amzn-errortype": error.code }),
        },
        body: JSON.stringify(body),
      };
    };
    try {
      return reply(200, handleTagging(this.state, caller, operation, text));
    } catch (error) {
      if (error instanceof TaggingError) return reply(400, error.body(), error);
      throw error;
    }
  }
}
