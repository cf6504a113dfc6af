/**
 * `switchyard explain` on Network Load Balancer Gateways: the listener a connection meets, what
 * TLS and SNI do there, the weighted backends, and the connections NLB drops. Over the bundled L4
 * example and a TLS Gateway written here.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../cli/main.ts";

const EXAMPLES = join(import.meta.dirname, "..", "..", "..", "examples");
const L4 = ["-f", join(EXAMPLES, "00-platform.yaml"), "-f", join(EXAMPLES, "03-nlb-tcp-udp.yaml")];

const CERT = "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
const TLS_GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: nlb
  listeners:
    - name: passthrough
      port: 443
      protocol: TLS
      tls: {mode: Passthrough}
      allowedRoutes: {namespaces: {from: All}}
    - name: terminate
      port: 8443
      protocol: TLS
      tls:
        mode: Terminate
        options: {switchyard.dev/certificate-arn: ${CERT}}
      allowedRoutes: {namespaces: {from: All}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: shop, namespace: store}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: passthrough}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: shop, port: 8443, weight: 3}, {name: shop-canary, port: 8443, weight: 1}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: api, namespace: store}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: terminate}]
  hostnames: [api.example.com]
  rules: [{backendRefs: [{name: api, port: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: store}
spec: {ports: [{port: 8443}]}
---
apiVersion: v1
kind: Service
metadata: {name: shop-canary, namespace: store}
spec: {ports: [{port: 8443}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: store}
spec: {ports: [{port: 8080}]}
`;

function tlsFiles(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-explain-nlb-"));
  const file = join(dir, "edge.yaml");
  writeFileSync(file, TLS_GATEWAY);
  return ["-f", join(EXAMPLES, "00-platform.yaml"), "-f", file];
}

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

interface NlbEntry {
  dataPlane?: string;
  gateway: string;
  listener: string;
  gatewayListeners: string[];
  outcome: {
    kind: string;
    reason?: string;
    delivered?: string;
    sni?: string;
    certificate?: { by: string; arn?: string };
    backends?: { backend: string; share: number; targets: number }[];
  };
}

async function json(...argv: string[]): Promise<NlbEntry[]> {
  const result = await run("explain", ...argv, "-o", "json");
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as NlbEntry[]).filter((e) => e.dataPlane === "nlb");
}

describe("switchyard explain on Network Load Balancers", () => {
  it("sends UDP and TCP on a shared port to the one TCP_UDP listener", async () => {
    for (const scheme of ["udp", "tcp"]) {
      const [e] = await json(...L4, "--request", `${scheme}://l4.example:53`);
      expect(e).toMatchObject({
        gateway: "infra/l4",
        listener: "TCP_UDP:53",
        gatewayListeners: ["dns-tcp", "dns-udp"],
        outcome: { kind: "forward", backends: [{ backend: "Service infra/coredns:53", share: 1, targets: 2 }] },
      });
    }
  });

  it("passes TLS through a passthrough listener, SNI unread, to the weighted backends", async () => {
    const [e] = await json(...tlsFiles(), "--request", "tls://other.example.com:443");
    expect(e?.outcome).toMatchObject({
      kind: "forward",
      delivered: "as-sent",
      sni: "passed through to the targets unread",
      backends: [
        { backend: "Service store/shop:8443", share: 0.75 },
        { backend: "Service store/shop-canary:8443", share: 0.25 },
      ],
    });
  });

  it("terminates TLS with the listener's certificate and forwards whatever the SNI", async () => {
    const [a] = await json(...tlsFiles(), "--request", "tls://api.example.com:8443");
    const [b] = await json(...tlsFiles(), "--request", "tls://elsewhere.test:8443");
    expect(a?.outcome).toMatchObject({
      kind: "forward",
      delivered: "tls-terminated",
      sni: "selects the certificate only",
    });
    expect(a?.outcome.certificate).toMatchObject({ by: "default", arn: CERT });
    expect(b?.outcome.backends).toEqual(a?.outcome.backends);
  });

  it("treats an https:// request as a TLS connection with the host as SNI", async () => {
    const result = await run("explain", ...tlsFiles(), "--request", "GET https://shop.example.com/");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Gateway infra/edge (Network Load Balancer), listener TCP:443");
    expect(result.stdout).toContain("the SNI name is passed through to the targets unread: NLB does not route by SNI");
    expect(result.stdout).toContain("→ forward to Service store/shop:8443 (75%, no targets: not answered)");
  });

  it("says a plain TCP client fails the handshake on a TLS listener", async () => {
    const [e] = await json(...tlsFiles(), "--request", "tcp://api.example.com:8443");
    expect(e?.outcome.kind).toBe("tls-handshake-failed");
  });

  it("says NLB drops UDP to a TCP listener without answering", async () => {
    const result = await run("explain", ...L4, "--request", "udp://l4.example:5432");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("listener TCP:5432");
    expect(result.stdout).toContain("→ dropped: TCP:5432 does not carry UDP");
  });

  it("exits 1 when no NLB Gateway has a listener on the port", async () => {
    const result = await run("explain", ...L4, "--request", "tcp://l4.example:9999");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no Network Load Balancer Gateway has a listener on port 9999");
  });

  it("refuses a layer-4 URL without a port", async () => {
    const result = await run("explain", ...L4, "--request", "udp://l4.example");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("needs a port");
  });
});
