/**
 * The ALB data-plane emulator: serves HTTP and HTTPS on loopback for every application load balancer that
 * Elastic Load Balancing (moto) holds, by the listener rules moto holds, through the project's pure
 * evaluator (shared/elb/evaluate.ts), proxying forwarded requests to the registered targets.
 *
 * - Each load balancer gets its own loopback address (from `addressPool`, never reused while the
 *   emulator runs); each of its HTTP listeners is served on that address at the listener's port,
 *   and each HTTPS listener too when `tlsMaterial` can supply its certificates' keys.
 * - The rules are read again every `pollIntervalMs` (and on `refresh()`); servers open and close as
 *   listeners come and go, and a request is always evaluated against the latest read.
 * - Name resolution: switchyard publishes the load balancer's DNS name (as on AWS), which moto
 *   makes up and nothing resolves. The emulator writes `address dnsName` lines into `hostsFile`,
 *   truncating and rewriting it in place so that a bind mount of it over /etc/hosts in another
 *   mount namespace (the suite's, see run.ts) sees every update. See README.md.
 */

import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { createSecureContext, type SecureContext } from "node:tls";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type AlbOutcome, evaluateListener } from "../../../shared/elb/evaluate.ts";
import { albRequest, forwardedHeaders, pickTarget, pickTargetGroup } from "./alb-routing.ts";
import { type AlbSnapshot, fingerprint, readAlbSnapshot, type ServedListener } from "./alb-snapshot.ts";
import { addressAt } from "./loopback.ts";

export interface AlbDataPlaneOptions {
  elbv2: ElasticLoadBalancingV2Client;
  /** First loopback address handed to a load balancer; later ones count up. Default 127.100.0.1. */
  addressPool?: string;
  /** Default 1000 ms. 0 disables polling (call `refresh()` yourself). */
  pollIntervalMs?: number;
  /** Where to keep `address dnsName` lines; absent: no file is written. */
  hostsFile?: string;
  /** Lines written before the emulator's own (e.g. the machine's /etc/hosts). */
  hostsPreamble?: string;
  /** A number in [0, 1): picks weighted target groups and targets. Default Math.random. */
  random?: () => number;
  log?: (line: string) => void;
  /**
   * The certificate and private key behind an ACM certificate ARN, for HTTPS listeners. ACM never
   * gives a private key back, so the caller finds it where it came from (run.ts: the Secret named
   * by the certificate's switchyard tags). Absent: HTTPS listeners are not served.
   */
  tlsMaterial?: (certificateArn: string) => Promise<TlsMaterial | undefined>;
}

export interface TlsMaterial {
  /** PEM, leaf first. */
  cert: string;
  /** PEM. */
  key: string;
}

interface ListenerCertificate {
  x509: X509Certificate;
  context: SecureContext;
  material: TlsMaterial;
}

/**
 * The certificate ALB presents for a server name: one whose names cover it (an exact name before
 * a wildcard), else the listener's default certificate ("SSL certificates for your Application
 * Load Balancer": the default is used when no certificate matches or the client sends no SNI).
 */
export function certificateFor<T extends { x509: X509Certificate }>(
  certificates: readonly T[],
  serverName: string | undefined,
): T | undefined {
  if (serverName) {
    const names = (c: T) =>
      (c.x509.subjectAltName ?? "").split(/,\s*/).map((n: string) => n.replace(/^DNS:/, "").toLowerCase());
    const exact = certificates.find((c) => names(c).includes(serverName.toLowerCase()));
    if (exact) return exact;
    const covering = certificates.find((c) => c.x509.checkHost(serverName) !== undefined);
    if (covering) return covering;
  }
  return certificates[0];
}

/** One request as the emulator handled it, for tests and the run log. */
export interface ServedRequest {
  address: string;
  port: number;
  method: string;
  url: string;
  outcome: AlbOutcome["kind"] | "error";
  /** The target `ip:port` a forward went to. */
  target?: string;
  status: number;
}

interface Binding {
  server: Server;
  loadBalancerArn: string;
  port: number;
  scheme: "http" | "https";
  certificates: ListenerCertificate[];
  /** Upgraded (WebSocket) connections: the server no longer tracks them, so closing ends them here. */
  upgraded: Set<Duplex>;
}

export class AlbDataPlane {
  readonly #options: AlbDataPlaneOptions;
  readonly #random: () => number;
  readonly #log: (line: string) => void;
  readonly #addresses = new Map<string, string>();
  readonly #bindings = new Map<string, Binding>();
  readonly #served: ServedRequest[] = [];
  #snapshot: AlbSnapshot = { loadBalancers: [], targetGroups: {} };
  #fingerprint = "";
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<boolean> | undefined;
  #stopped = false;

  constructor(options: AlbDataPlaneOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? (() => {});
  }

  /** Reads ELB once, opens the listeners, and starts polling. */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  /** The loopback address serving the load balancer with this DNS name (any case), if any. */
  addressOf(dnsName: string): string | undefined {
    const lb = this.#snapshot.loadBalancers.find((l) => l.dnsName === dnsName.toLowerCase());
    return lb ? this.#addresses.get(lb.arn) : undefined;
  }

  /** Requests handled so far, oldest first. */
  get served(): readonly ServedRequest[] {
    return this.#served;
  }

  /** `address:port` of every listener being served. */
  get bindings(): string[] {
    return [...this.#bindings.keys()].sort();
  }

  /**
   * Reads ELB again and applies what changed. Resolves true when the read differed from the last.
   * Concurrent calls share one read.
   */
  refresh(): Promise<boolean> {
    if (!this.#refreshing) {
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = undefined;
      });
    }
    return this.#refreshing;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#refreshing?.catch(() => {});
    await Promise.all([...this.#bindings.keys()].map((key) => this.#close(key)));
  }

  #schedule(): void {
    const interval = this.#options.pollIntervalMs ?? 1000;
    if (interval <= 0 || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.refresh()
        .catch((error: unknown) => this.#log(`refresh failed: ${String(error)}`))
        .finally(() => this.#schedule());
    }, interval);
  }

  async #refresh(): Promise<boolean> {
    const snapshot = await readAlbSnapshot(this.#options.elbv2);
    const print = fingerprint(snapshot);
    if (print === this.#fingerprint || this.#stopped) return false;
    this.#snapshot = snapshot;
    this.#fingerprint = print;
    for (const lb of snapshot.loadBalancers) {
      if (!this.#addresses.has(lb.arn)) {
        this.#addresses.set(lb.arn, addressAt(this.#options.addressPool ?? "127.100.0.1", this.#addresses.size));
      }
    }
    const wanted = new Map<string, { loadBalancerArn: string; address: string; listener: ServedListener }>();
    for (const lb of snapshot.loadBalancers) {
      const address = this.#addresses.get(lb.arn) ?? "";
      for (const listener of lb.listeners) {
        if (listener.protocol === "HTTPS" && !this.#options.tlsMaterial) {
          this.#log(`not serving HTTPS listener ${listener.arn}: no tlsMaterial source`);
          continue;
        }
        if (listener.protocol !== "HTTP" && listener.protocol !== "HTTPS") continue;
        wanted.set(`${address}:${listener.port}`, { loadBalancerArn: lb.arn, address, listener });
      }
    }
    for (const [key, binding] of [...this.#bindings]) {
      const want = wanted.get(key);
      const scheme = want?.listener.protocol === "HTTPS" ? "https" : "http";
      if (!want || want.loadBalancerArn !== binding.loadBalancerArn || scheme !== binding.scheme)
        await this.#close(key);
    }
    for (const [key, want] of wanted) {
      const scheme = want.listener.protocol === "HTTPS" ? "https" : "http";
      const certificates = scheme === "https" ? await this.#certificates(want.listener) : [];
      const existing = this.#bindings.get(key);
      if (existing) {
        existing.certificates = certificates;
        this.#applyDefaultCertificate(existing);
      } else {
        await this.#open(key, want.loadBalancerArn, want.address, want.listener.port, scheme, certificates);
      }
    }
    await this.#writeHosts();
    return true;
  }

  async #writeHosts(): Promise<void> {
    const file = this.#options.hostsFile;
    if (!file) return;
    const lines = this.#snapshot.loadBalancers
      .filter((lb) => lb.dnsName !== "")
      .map((lb) => `${this.#addresses.get(lb.arn)} ${lb.dnsName}`);
    // writeFile truncates the same inode: a bind mount of this file keeps seeing the new content.
    await writeFile(file, `${this.#options.hostsPreamble ?? ""}${lines.join("\n")}\n`);
  }

  async #certificates(listener: ServedListener): Promise<ListenerCertificate[]> {
    const source = this.#options.tlsMaterial;
    if (!source) return [];
    const out: ListenerCertificate[] = [];
    for (const arn of listener.certificateArns) {
      try {
        const material = await source(arn);
        if (!material) {
          this.#log(`no key material for ${arn} (listener ${listener.arn})`);
          continue;
        }
        out.push({ x509: new X509Certificate(material.cert), context: createSecureContext(material), material });
      } catch (error) {
        this.#log(`certificate ${arn}: ${String(error)}`);
      }
    }
    return out;
  }

  #applyDefaultCertificate(binding: Binding): void {
    const first = binding.certificates[0];
    if (binding.scheme === "https" && first && "setSecureContext" in binding.server) {
      (binding.server as ReturnType<typeof createHttpsServer>).setSecureContext(first.material);
    }
  }

  #open(
    key: string,
    loadBalancerArn: string,
    address: string,
    port: number,
    scheme: "http" | "https",
    certificates: ListenerCertificate[],
  ): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) =>
      this.#handle(req, res, loadBalancerArn, address, port, scheme);
    const binding: Binding = {
      server: createServer(handler),
      loadBalancerArn,
      port,
      scheme,
      certificates,
      upgraded: new Set(),
    };
    if (scheme === "https") {
      binding.server = createHttpsServer(
        {
          SNICallback: (serverName, callback) => {
            const chosen = certificateFor(binding.certificates, serverName);
            if (chosen) callback(null, chosen.context);
            else callback(new Error(`no certificate on ${key}`));
          },
        },
        handler,
      );
      this.#applyDefaultCertificate(binding);
    }
    const server = binding.server;
    server.keepAliveTimeout = 60_000;
    // WebSocket: ALB passes an HTTP/1.1 Upgrade through to the target the rules choose.
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      binding.upgraded.add(socket);
      socket.once("close", () => binding.upgraded.delete(socket));
      this.#upgrade(req, socket, head, loadBalancerArn, address, port, scheme);
    });
    this.#bindings.set(key, binding);
    return new Promise((resolve) => {
      server.once("error", (error) => {
        this.#log(`cannot serve ${key}: ${String(error)}`);
        this.#bindings.delete(key);
        resolve();
      });
      server.listen(port, address, () => {
        this.#log(`serving ${scheme} on ${key} for ${loadBalancerArn}`);
        resolve();
      });
    });
  }

  #close(key: string): Promise<void> {
    const binding = this.#bindings.get(key);
    this.#bindings.delete(key);
    if (!binding) return Promise.resolve();
    this.#log(`closing ${key}`);
    return new Promise((resolve) => {
      binding.server.close(() => resolve());
      binding.server.closeAllConnections();
      for (const socket of binding.upgraded) socket.destroy();
    });
  }

  #listener(loadBalancerArn: string, port: number): ServedListener | undefined {
    return this.#snapshot.loadBalancers
      .find((lb) => lb.arn === loadBalancerArn)
      ?.listeners.find((l) => l.port === port);
  }

  #record(entry: ServedRequest): void {
    this.#served.push(entry);
    if (this.#served.length > 10_000) this.#served.splice(0, this.#served.length - 10_000);
  }

  #handle(
    req: IncomingMessage,
    res: ServerResponse,
    loadBalancerArn: string,
    address: string,
    port: number,
    scheme: "http" | "https",
  ): void {
    const base = { address, port, method: req.method ?? "GET", url: req.url ?? "/" };
    const answer = (status: number, outcome: ServedRequest["outcome"], body: string, contentType = "text/plain") => {
      this.#record({ ...base, outcome, status });
      res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
    const listener = this.#listener(loadBalancerArn, port);
    if (!listener) {
      answer(503, "error", "listener is gone\n");
      return;
    }
    const request = albRequest(
      { method: base.method, url: base.url, rawHeaders: req.rawHeaders, remoteAddress: req.socket.remoteAddress },
      scheme,
      port,
    );
    let outcome: AlbOutcome;
    try {
      outcome = evaluateListener(listener.rules, listener.defaultActions, request);
    } catch (error) {
      answer(500, "error", `rule evaluation failed: ${String(error)}\n`);
      return;
    }
    while (outcome.kind === "authenticate") outcome = outcome.then;
    switch (outcome.kind) {
      case "fixed-response":
        answer(outcome.statusCode, "fixed-response", outcome.body ?? "", outcome.contentType ?? "text/plain");
        return;
      case "redirect":
        this.#record({ ...base, outcome: "redirect", status: outcome.statusCode });
        res.writeHead(outcome.statusCode, { location: outcome.location, "content-length": 0 });
        res.end();
        return;
      case "forward": {
        const share = pickTargetGroup(outcome.targetGroups, this.#random());
        const group = share ? this.#snapshot.targetGroups[share.targetGroupId] : undefined;
        const target = group ? pickTarget(group.targets, this.#random()) : undefined;
        if (!target) {
          // ALB answers 503 when the target group has no registered targets.
          answer(503, "forward", "no registered targets\n");
          return;
        }
        const targetName = `${target.ip}:${target.port}`;
        const forwarded = outcome.request;
        const upstream = httpRequest(
          {
            host: target.ip,
            port: target.port,
            method: base.method,
            path: forwarded.path + (forwarded.query ? `?${forwarded.query}` : ""),
            headers: forwardedHeaders(request, forwarded.host, request.sourceIp),
          },
          (response) => {
            this.#record({ ...base, outcome: "forward", target: targetName, status: response.statusCode ?? 502 });
            const headers = { ...response.headers };
            delete headers.connection;
            delete headers["keep-alive"];
            res.writeHead(response.statusCode ?? 502, headers);
            response.pipe(res);
          },
        );
        upstream.on("error", (error) => {
          // ALB answers 502 when it cannot connect to the target.
          if (res.headersSent) res.destroy();
          else {
            this.#record({ ...base, outcome: "forward", target: targetName, status: 502 });
            res.writeHead(502, { "content-type": "text/plain" });
            res.end(`target ${targetName}: ${error.message}\n`);
          }
        });
        req.pipe(upstream);
        return;
      }
    }
  }

  /**
   * An HTTP/1.1 Upgrade (WebSocket): evaluated by the same rules as any request; a forward opens
   * the upgrade to the chosen target and, once it answers 101, joins the two connections. Any
   * other outcome is answered on the socket and the connection closed.
   */
  #upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    loadBalancerArn: string,
    address: string,
    port: number,
    scheme: "http" | "https",
  ): void {
    const base = { address, port, method: req.method ?? "GET", url: req.url ?? "/" };
    socket.on("error", () => socket.destroy());
    const refuse = (status: number, outcome: ServedRequest["outcome"], extra = "") => {
      this.#record({ ...base, outcome, status });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n${extra}content-length: 0\r\nconnection: close\r\n\r\n`,
      );
    };
    const listener = this.#listener(loadBalancerArn, port);
    if (!listener) {
      refuse(503, "error");
      return;
    }
    const request = albRequest(
      { method: base.method, url: base.url, rawHeaders: req.rawHeaders, remoteAddress: req.socket.remoteAddress },
      scheme,
      port,
    );
    let outcome: AlbOutcome;
    try {
      outcome = evaluateListener(listener.rules, listener.defaultActions, request);
    } catch {
      refuse(500, "error");
      return;
    }
    while (outcome.kind === "authenticate") outcome = outcome.then;
    if (outcome.kind === "fixed-response") {
      refuse(outcome.statusCode, "fixed-response");
      return;
    }
    if (outcome.kind === "redirect") {
      refuse(outcome.statusCode, "redirect", `location: ${outcome.location}\r\n`);
      return;
    }
    const share = pickTargetGroup(outcome.targetGroups, this.#random());
    const group = share ? this.#snapshot.targetGroups[share.targetGroupId] : undefined;
    const target = group ? pickTarget(group.targets, this.#random()) : undefined;
    if (!target) {
      refuse(503, "forward");
      return;
    }
    const targetName = `${target.ip}:${target.port}`;
    const forwarded = outcome.request;
    const upstream = httpRequest({
      host: target.ip,
      port: target.port,
      method: base.method,
      path: forwarded.path + (forwarded.query ? `?${forwarded.query}` : ""),
      headers: {
        ...forwardedHeaders(request, forwarded.host, request.sourceIp),
        connection: "Upgrade",
        upgrade: req.headers.upgrade ?? "websocket",
      },
    });
    const headLines = (status: number | undefined, message: string | undefined, rawHeaders: string[]) => {
      const lines = [`HTTP/1.1 ${status ?? 502} ${message ?? ""}`];
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
      return `${lines.join("\r\n")}\r\n\r\n`;
    };
    upstream.on("upgrade", (response: IncomingMessage, targetSocket: Duplex, targetHead: Buffer) => {
      this.#record({ ...base, outcome: "forward", target: targetName, status: response.statusCode ?? 101 });
      socket.write(headLines(response.statusCode, response.statusMessage, response.rawHeaders));
      if (targetHead.length > 0) socket.write(targetHead);
      // Either side closing or ending closes both: an upgraded connection has no half-close.
      targetSocket.on("error", () => socket.destroy());
      socket.on("close", () => targetSocket.destroy());
      targetSocket.on("close", () => socket.destroy());
      socket.on("end", () => targetSocket.destroy());
      targetSocket.on("end", () => socket.destroy());
      targetSocket.pipe(socket);
      socket.pipe(targetSocket);
    });
    upstream.on("response", (response: IncomingMessage) => {
      // The target declined the upgrade: its answer goes back as it is.
      this.#record({ ...base, outcome: "forward", target: targetName, status: response.statusCode ?? 502 });
      socket.write(headLines(response.statusCode, response.statusMessage, response.rawHeaders));
      response.pipe(socket);
    });
    upstream.on("error", () => refuse(502, "forward"));
    if (head.length > 0) upstream.write(head);
    upstream.end();
  }
}
