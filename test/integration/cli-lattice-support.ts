// What the VPC Lattice CLI suite counts from outside the CLI's process: the Lattice emulator's own
// call log (per access key), and every DynamoDB request, through a pass-through proxy in front of
// DynamoDB Local that notes each request's X-Amz-Target before forwarding it unchanged.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { countCalls, latticeControl, requireEnv } from "../env/clients.ts";
import { ENV } from "../env/variables.ts";

/** Every Lattice call the emulator received from `accessKeyId` while `run` ran, as operation → count. */
export async function recordLatticeCalls<T>(
  accessKeyId: string,
  run: () => Promise<T>,
): Promise<{ result: T; calls: Record<string, number> }> {
  const control = latticeControl();
  const since = (await control.calls()).at(-1)?.seq ?? 0;
  const result = await run();
  const calls = (await control.calls({ since })).filter((c) => c.accessKeyId === accessKeyId);
  return { result, calls: countCalls(calls) };
}

/** Lattice operations that only read: Get* and List*. */
export function isLatticeRead(operation: string): boolean {
  return /^(Get|List)/.test(operation);
}

/** DynamoDB operations that only read. */
export function isDynamoDbRead(operation: string): boolean {
  return ["GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "TransactGetItems"].includes(operation);
}

/** A proxy to DynamoDB Local that counts the operations it forwards. */
export interface DynamoDbRecorder {
  endpoint: string;
  /** Operation → count since the last `take`, then cleared. */
  take(): Record<string, number>;
  close(): Promise<void>;
}

export async function dynamoDbRecorder(): Promise<DynamoDbRecorder> {
  const upstream = new URL(requireEnv(ENV.dynamoDbEndpoint));
  let counts: Record<string, number> = {};
  const server: Server = createServer((incoming, outgoing) => {
    const target = incoming.headers["x-amz-target"];
    const operation = typeof target === "string" ? target.slice(target.lastIndexOf(".") + 1) : "unknown";
    counts[operation] = (counts[operation] ?? 0) + 1;
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take: () => {
      const taken = counts;
      counts = {};
      return taken;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
