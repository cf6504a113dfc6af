/**
 * The status writer's way to the API server (shared/status/writer's KubeApi) with the forwarder's
 * own credentials: the pod's service account, or the kubeconfig the forwarder watches with. So in
 * via-forwarder mode the cluster never needs to trust an outside identity to write status.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeApi, KubeResponse } from "../shared/status/writer/kube-api.ts";

export class KubeConfigStatusApi implements KubeApi {
  private readonly kc: KubeConfig;
  private readonly server: URL;
  private readonly timeoutMs: number;

  constructor(kc: KubeConfig, options: { timeoutMs?: number } = {}) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    this.kc = kc;
    this.server = new URL(cluster.server);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async request(
    method: "GET" | "PATCH",
    path: string,
    body?: { contentType: string; json: unknown },
  ): Promise<KubeResponse> {
    const url = new URL(path, this.server);
    const options: https.RequestOptions = {
      method,
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": body.contentType }) },
    };
    // The current user's token (re-read from the service account's projected token file) and CA.
    await this.kc.applyToHTTPSOptions(options);
    const transport = url.protocol === "http:" ? http : https;
    const payload = body === undefined ? undefined : JSON.stringify(body.json);
    return new Promise<KubeResponse>((resolve, reject) => {
      const request = transport.request(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      });
      request.setTimeout(this.timeoutMs, () =>
        request.destroy(new Error(`${method} ${path} timed out after ${this.timeoutMs} ms`)),
      );
      request.on("error", reject);
      request.end(payload);
    });
  }
}
