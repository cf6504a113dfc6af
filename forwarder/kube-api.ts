/**
 * The three API server calls the forwarder makes: discovery of a group/version's resources, a
 * paginated list, and a watch stream read line by line. Requests go through node:https with the
 * KubeConfig's credentials and CA, so a slow consumer of the watch stream slows the stream itself
 * (back-pressure) instead of buffering it in memory.
 */
import type { IncomingMessage } from "node:http";
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeObjectJson } from "../shared/events/event.ts";
import { isRecord } from "../shared/events/strip.ts";

/** An API server answer other than 200, with the Status reason when it sent one. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "KubeApiError";
    this.statusCode = statusCode;
  }
}

const REQUEST_IDLE_TIMEOUT_MS = 60_000;

export class KubeApi {
  private readonly kc: KubeConfig;
  private readonly server: URL;

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    this.kc = kc;
    this.server = new URL(cluster.server);
  }

  /**
   * `idleTimeoutMs` bounds how long the socket may stay silent: a peer that vanished without
   * closing the connection would otherwise hang a list or a watch forever.
   */
  private async request(
    path: string,
    query: Record<string, string>,
    idleTimeoutMs: number,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const options: https.RequestOptions = { method: "GET", headers: { accept: "application/json" } };
    await this.kc.applyToHTTPSOptions(options);
    const transport = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { ...options, ...(signal ? { signal } : {}) }, resolve);
      request.on("error", reject);
      request.setTimeout(idleTimeoutMs, () =>
        request.destroy(new Error(`GET ${path}: no data for ${idleTimeoutMs} ms`)),
      );
      request.end();
    });
  }

  private async getJson(path: string, query: Record<string, string> = {}): Promise<unknown> {
    const response = await this.request(path, query, REQUEST_IDLE_TIMEOUT_MS);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const text = Buffer.concat(chunks).toString("utf8");
    if (response.statusCode !== 200) throw apiError(response.statusCode ?? 0, text, path);
    return JSON.parse(text);
  }

  /** Whether the API server serves `plural` in `group/version` (false for a missing CRD). */
  async serves(group: string, version: string, plural: string): Promise<boolean> {
    const path = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    try {
      const list = await this.getJson(path);
      const resources = isRecord(list) && Array.isArray(list.resources) ? list.resources : [];
      return resources.some((r) => isRecord(r) && r.name === plural);
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return false;
      throw error;
    }
  }

  /** One object, or undefined when it does not exist (404). */
  async get(path: string): Promise<KubeObjectJson | undefined> {
    try {
      const object = await this.getJson(path);
      if (!isRecord(object)) throw new Error(`get ${path}: not an object`);
      return object;
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Every object of a collection, in pages, and the list's resourceVersion. */
  async list(path: string): Promise<{ items: KubeObjectJson[]; resourceVersion: string }> {
    const items: KubeObjectJson[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.getJson(path, { limit: "500", ...(continueToken ? { continue: continueToken } : {}) });
      if (!isRecord(page) || !Array.isArray(page.items)) throw new Error(`list ${path}: not a list`);
      for (const item of page.items) if (isRecord(item)) items.push(item);
      const metadata = isRecord(page.metadata) ? page.metadata : {};
      resourceVersion = typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : resourceVersion;
      continueToken = typeof metadata.continue === "string" && metadata.continue !== "" ? metadata.continue : undefined;
    } while (continueToken !== undefined);
    return { items, resourceVersion };
  }

  /**
   * Watch events from `resourceVersion`, one at a time: the next line is read only after the
   * consumer has handled the previous one. Ends when the server closes the stream.
   */
  async *watch(
    path: string,
    resourceVersion: string,
    timeoutSeconds: number,
    signal: AbortSignal,
  ): AsyncGenerator<{ type: string; object: Record<string, unknown> }> {
    const response = await this.request(
      path,
      {
        watch: "true",
        resourceVersion,
        allowWatchBookmarks: "true",
        timeoutSeconds: String(timeoutSeconds),
      },
      // The server ends the watch after timeoutSeconds; silence well beyond that means a dead peer.
      (timeoutSeconds + 30) * 1000,
      signal,
    );
    if (response.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      throw apiError(response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), path);
    }
    let pending = "";
    for await (const chunk of response) {
      pending += Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk);
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
        if (line === "") continue;
        const event: unknown = JSON.parse(line);
        if (isRecord(event) && typeof event.type === "string" && isRecord(event.object)) {
          yield { type: event.type, object: event.object };
        }
      }
    }
  }
}

function apiError(statusCode: number, body: string, path: string): KubeApiError {
  let message = body.slice(0, 300);
  try {
    const status: unknown = JSON.parse(body);
    if (isRecord(status) && typeof status.message === "string") message = status.message;
  } catch {
    // Not a Status object: keep the start of the body.
  }
  return new KubeApiError(statusCode, `GET ${path}: HTTP ${statusCode}: ${message}`);
}
