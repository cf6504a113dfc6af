/** /healthz, /readyz and /metrics. Liveness is the process answering; readiness is the caller's. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Probes {
  ready(): { ready: boolean; detail: string };
  metrics(): string;
}

export async function startHttpServer(host: string, port: number, probes: Probes): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === "/healthz") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const { ready, detail } = probes.ready();
      response.writeHead(ready ? 200 : 503, { "content-type": "text/plain" }).end(`${detail}\n`);
    } else if (path === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(probes.metrics());
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function boundPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server is not listening on TCP");
  return (address satisfies AddressInfo).port;
}
