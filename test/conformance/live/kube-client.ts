/**
 * The few apiserver calls the live-conformance pieces make, over HTTPS with the test environment's
 * bearer token and CA (test/env/kube.ts). JSON in, JSON out; a non-2xx answer throws with the body.
 */

import { request as httpsRequest } from "node:https";
import type { KubeCredentials } from "../../env/kube.ts";

export class KubeCallError extends Error {
  readonly status: number;

  constructor(status: number, method: string, path: string, body: string) {
    super(`${method} ${path}: ${status} ${body.slice(0, 500)}`);
    this.name = "KubeCallError";
    this.status = status;
  }
}

export type ContentType = "application/json" | "application/merge-patch+json";

export async function kubeCall<T>(
  creds: KubeCredentials,
  method: string,
  path: string,
  body?: unknown,
  contentType: ContentType = "application/json",
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, creds.server),
      {
        method,
        ca: creds.ca,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${creds.token}`,
          accept: "application/json",
          // Node frames a DELETE body only with an explicit length (it does not chunk DELETEs), and an
          // unframed body corrupts the next request on the kept-alive connection.
          ...(payload === undefined
            ? {}
            : { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
  if (answer.status < 200 || answer.status > 299) throw new KubeCallError(answer.status, method, path, answer.body);
  return JSON.parse(answer.body) as T;
}
