// The live-conformance ALB data-plane emulator (test/conformance/live/alb-dataplane.ts) against
// moto: an HTTPRoute is translated, planned and created in moto through the real ELB executors
// (AwsElb), and the emulator then answers HTTP requests on loopback by the rules moto holds —
// path and header matches, a redirect, the listener's fixed response, a weighted forward to
// registered targets (real HTTP servers on loopback) — and follows a rule change by polling.

import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClientFactory, type AwsTarget } from "../../shared/aws/clients.ts";
import { AwsElb } from "../../shared/aws/elbv2/port.ts";
import { controllerConfig } from "../../shared/config.ts";
import type { LoadBalancerModel } from "../../shared/elb/model.ts";
import { emptyObserved, type ObservedElb } from "../../shared/elb/observed.ts";
import { planElb } from "../../shared/elb/plan.ts";
import { loadManifests } from "../../shared/manifest/load.ts";
import { snapshotOf } from "../../shared/snapshot.ts";
import { translate } from "../../shared/translate.ts";
import { AlbDataPlane, type TlsMaterial } from "../conformance/live/alb-dataplane.ts";
import {
  DUMMY_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT_ID,
  motoSettings,
  resetMoto,
  TEST_REGION,
  waitFor,
} from "../env/clients.ts";
import { publicDefaultVpc } from "./aws-network-fixture.ts";

const CLUSTER = "live-conf";
const target: AwsTarget = { account: MOTO_DEFAULT_ACCOUNT_ID, region: TEST_REGION };
// A second octet of its own per run, so parallel runs on one machine do not share addresses.
const NET = 64 + Math.floor(Math.random() * 60);
const BLUE_IP = `127.${NET}.1.1`;
const GREEN_IP = `127.${NET}.1.2`;
const POOL = `127.${NET}.0.1`;

interface Backends {
  blue: number;
  green: number;
}

function manifests(ports: Backends, headerPath: string): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: switchyard.dev/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec:
  gatewayClassName: alb
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: web}]
  hostnames: [www.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /blue}}]
    backendRefs: [{name: blue, port: 80}]
  - matches: [{path: {type: PathPrefix, value: ${headerPath}}, headers: [{name: x-colour, value: green}]}]
    backendRefs: [{name: green, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: new.example.com, statusCode: 301}}]
  - matches: [{path: {type: PathPrefix, value: /split}}]
    backendRefs: [{name: blue, port: 80, weight: 80}, {name: green, port: 80, weight: 20}]
${(["blue", "green"] as const)
  .map(
    (colour) => `---
apiVersion: v1
kind: Service
metadata: {name: ${colour}, namespace: apps}
spec: {ports: [{port: 80, targetPort: ${ports[colour]}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${colour}-1, namespace: apps, labels: {kubernetes.io/service-name: ${colour}}}
addressType: IPv4
ports: [{port: ${ports[colour]}, protocol: TCP}]
endpoints: [{addresses: [${colour === "blue" ? BLUE_IP : GREEN_IP}], conditions: {ready: true}}]`,
  )
  .join("\n")}
`;
}

/**
 * The translated ALB, plus an HTTPS:443 listener with the HTTP listener's rules and the given
 * certificate (certificates reach the model through the forwarder's ACM import, which this suite
 * does not run).
 */
function model(ports: Backends, headerPath: string, certificateArn: string): LoadBalancerModel {
  const loaded = loadManifests(manifests(ports, headerPath), "web.yaml", { channel: "experimental" });
  expect(loaded.problems).toEqual([]);
  const built = translate(snapshotOf(loaded.objects), controllerConfig(), { clusterId: CLUSTER }).loadBalancers;
  const alb = built.find((b) => b.model.type === "application")?.model;
  const http = alb?.listeners.find((l) => l.id === "HTTP:80");
  if (!alb || !http) throw new Error("no ALB with an HTTP:80 listener built");
  const https = {
    ...http,
    id: "HTTPS:443",
    port: 443,
    protocol: "HTTPS" as const,
    certificates: { arns: [certificateArn], pendingSecrets: [] },
    tags: { ...http.tags, "switchyard.dev/role": "listener:HTTPS:443" },
  };
  return { ...alb, listeners: [...alb.listeners, https] };
}

/** A self-signed certificate for www.example.com, made with openssl. */
function selfSigned(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), "live-alb-tls-"));
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=www.example.com"].concat([
      "-addext",
      "subjectAltName=DNS:www.example.com",
      "-keyout",
      "key.pem",
      "-out",
      "cert.pem",
    ]),
    { cwd: dir, stdio: "ignore" },
  );
  return { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
}

/** A backend that answers with its own name and what it received. */
async function backend(name: string, ip: string): Promise<Server> {
  const server = createServer((req, res) => {
    const body = JSON.stringify({
      backend: name,
      url: req.url,
      host: req.headers.host,
      xff: req.headers["x-forwarded-for"],
      proto: req.headers["x-forwarded-proto"],
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  // A WebSocket-like upgrade: 101, then every chunk echoed back prefixed with the backend's name.
  server.on("upgrade", (req, socket) => {
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade}\r\nconnection: Upgrade\r\nx-backend: ${name}\r\n\r\n`,
    );
    socket.on("data", (chunk: Buffer) => socket.write(`${name}:${chunk.toString("utf8")}`));
  });
  server.listen(0, ip);
  await once(server, "listening");
  return server;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(address: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: address, port: 80, path, headers: { host: "www.example.com", ...headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function backendOf(answer: Answer): string | undefined {
  if (answer.status !== 200) return undefined;
  return (JSON.parse(answer.body) as { backend?: string }).backend;
}

/** A small deterministic generator, so the weighted split is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

let factory: AwsClientFactory;
let servers: Server[] = [];
let ports: Backends;
let dataPlane: AlbDataPlane;
let observed: ObservedElb = emptyObserved();
let address: string;
let tls: TlsMaterial;
let certificateArn: string;

async function converge(desired: LoadBalancerModel): Promise<void> {
  const elb = new AwsElb(factory, target, { clusterId: CLUSTER, gatewayKey: desired.gatewayKey });
  const created = new Map<string, string>();
  let state = observed;
  for (const op of planElb(desired, observed).operations) state = await elb.execute(op, state, created);
  observed = await elb.observe(state);
}

describe("the live-conformance ALB data-plane emulator on moto", () => {
  beforeAll(async () => {
    await resetMoto();
    await publicDefaultVpc(new EC2Client(motoSettings()));
    factory = new AwsClientFactory({ endpoint: motoSettings().endpoint, credentials: DUMMY_CREDENTIALS });
    const blue = await backend("blue", BLUE_IP);
    const green = await backend("green", GREEN_IP);
    servers = [blue, green];
    ports = { blue: (blue.address() as AddressInfo).port, green: (green.address() as AddressInfo).port };
    tls = selfSigned();
    const imported = await new ACMClient(motoSettings()).send(
      new ImportCertificateCommand({ Certificate: Buffer.from(tls.cert), PrivateKey: Buffer.from(tls.key) }),
    );
    certificateArn = imported.CertificateArn ?? "";
    await converge(model(ports, "/green", certificateArn));
    dataPlane = new AlbDataPlane({
      elbv2: factory.elbv2(target),
      addressPool: POOL,
      pollIntervalMs: 200,
      random: seeded(7),
      tlsMaterial: async (arn) => (arn === certificateArn ? tls : undefined),
    });
    await dataPlane.start();
    const dnsName = observed.loadBalancer?.dnsName ?? "";
    address = dataPlane.addressOf(dnsName) ?? "";
  });

  afterAll(async () => {
    await dataPlane?.stop();
    for (const s of servers) s.close();
    factory?.destroy();
  });

  it("serves the load balancer's listeners on its own loopback address", () => {
    expect(address).toBe(POOL);
    expect(dataPlane.bindings).toEqual([`${POOL}:443`, `${POOL}:80`]);
  });

  it("terminates TLS on an HTTPS listener with the listener's certificate and forwards by its rules", async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: address,
          port: 443,
          path: "/blue/x",
          servername: "www.example.com",
          ca: tls.cert,
          headers: { host: "www.example.com" },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ backend: "blue", url: "/blue/x", proto: "https" });
  });

  it("forwards a path match to its registered target with the X-Forwarded headers", async () => {
    const answer = await get(address, "/blue/page?x=1");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      backend: "blue",
      url: "/blue/page?x=1",
      host: "www.example.com",
      xff: "127.0.0.1",
      proto: "http",
    });
  });

  it("forwards on a header match only when the header is there", async () => {
    expect(backendOf(await get(address, "/green", { "x-colour": "green" }))).toBe("green");
    const without = await get(address, "/green");
    expect(without.status).toBe(404);
  });

  it("answers an unmatched request with the listener's fixed response", async () => {
    const answer = await get(address, "/nowhere");
    expect(answer.status).toBe(404);
    expect(dataPlane.served.at(-1)).toMatchObject({ outcome: "fixed-response", status: 404 });
    const otherHost = await get(address, "/blue", { host: "other.example.com" });
    expect(otherHost.status).toBe(404);
  });

  it("redirects per the rule's RequestRedirect", async () => {
    const answer = await get(address, "/old/thing?q=2");
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe("http://new.example.com:80/old/thing?q=2");
  });

  it("splits a weighted forward between its target groups by weight", async () => {
    const seen = { blue: 0, green: 0 };
    for (let i = 0; i < 200; i++) {
      const name = backendOf(await get(address, "/split"));
      if (name === "blue" || name === "green") seen[name]++;
    }
    expect(seen.blue + seen.green).toBe(200);
    // 80/20 by weight; the seeded generator keeps this run-independent, the band allows its noise.
    expect(seen.blue / 200).toBeGreaterThan(0.7);
    expect(seen.blue / 200).toBeLessThan(0.9);
  });

  it("passes a WebSocket upgrade through to the target its rules choose, then both ways", async () => {
    const socket = connect(80, address);
    await once(socket, "connect");
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.write("GET /blue/ws HTTP/1.1\r\nhost: www.example.com\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n");
    await waitFor("the upgrade answer", async () => (received.includes("\r\n\r\n") ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    expect(received.toLowerCase()).toContain("x-backend: blue");
    socket.write("ping");
    await waitFor("the echo", async () => (received.endsWith("blue:ping") ? true : undefined), { timeoutMs: 10_000 });
    socket.destroy();
    expect(dataPlane.served.some((s) => s.url === "/blue/ws" && s.status === 101 && s.outcome === "forward")).toBe(
      true,
    );
  });

  it("answers an upgrade no rule forwards as the rules say, and closes", async () => {
    const socket = connect(80, address);
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.write("GET /nowhere HTTP/1.1\r\nhost: www.example.com\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n");
    await once(socket, "close");
    expect(received).toMatch(/^HTTP\/1\.1 404 /);
  });

  it("follows a rule change in moto without a restart", async () => {
    await converge(model(ports, "/verde", certificateArn));
    await waitFor(
      "the emulator to serve the changed rule",
      async () => ((await get(address, "/verde", { "x-colour": "green" })).status === 200 ? true : undefined),
      { timeoutMs: 10_000 },
    );
    expect(backendOf(await get(address, "/verde", { "x-colour": "green" }))).toBe("green");
    expect((await get(address, "/green", { "x-colour": "green" })).status).toBe(404);
  });
});
