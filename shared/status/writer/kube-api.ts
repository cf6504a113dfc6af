/**
 * The status writer's only way to the API server: one HTTPS request with a bearer token, trusting
 * only the cluster's CA. An interface so tests can count requests and interleave a concurrent
 * writer between a read and a write.
 */
import { request as httpsRequest } from "node:https";

export interface KubeResponse {
  status: number;
  body: string;
}

export interface KubeApi {
  request(method: "GET" | "PATCH", path: string, body?: { contentType: string; json: unknown }): Promise<KubeResponse>;
}

export interface KubeEndpoint {
  /** `https://host[:port]`. */
  server: string;
  /** PEM bundle of the cluster's CA (DescribeCluster's certificateAuthority.data, decoded). */
  caPem: string;
}

export interface HttpsKubeApiOptions {
  /** A token for each request; cached by the provider, not here. */
  token: () => Promise<string>;
  /** Told of a 401, so a cached token is dropped (the identity's mapping may have changed). */
  onUnauthorized?: () => void;
  timeoutMs?: number;
}

export class HttpsKubeApi implements KubeApi {
  readonly #endpoint: KubeEndpoint;
  readonly #token: () => Promise<string>;
  readonly #timeoutMs: number;
  readonly #onUnauthorized: (() => void) | undefined;

  constructor(endpoint: KubeEndpoint, options: HttpsKubeApiOptions) {
    this.#endpoint = endpoint;
    this.#token = options.token;
    this.#onUnauthorized = options.onUnauthorized;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async request(
    method: "GET" | "PATCH",
    path: string,
    body?: { contentType: string; json: unknown },
  ): Promise<KubeResponse> {
    const token = await this.#token();
    const payload = body === undefined ? undefined : JSON.stringify(body.json);
    const response = await new Promise<KubeResponse>((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, this.#endpoint.server),
        {
          method,
          ca: this.#endpoint.caPem,
          timeout: this.#timeoutMs,
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            ...(body === undefined ? {} : { "content-type": body.contentType }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out after ${this.#timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
    if (response.status === 401) this.#onUnauthorized?.();
    return response;
  }
}
