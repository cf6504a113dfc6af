/**
 * A process-level stand-in for the scheduler and one kubelet, enough for the conformance suite's
 * backends: it keeps one Node (`nodeName`) Ready, binds every unscheduled Pod to it, gives each Pod
 * its own loopback address and runs it.
 *
 * Running a Pod: a container whose image is the suite's echo backend (`echo-basic`) runs as the
 * binary built from the gateway-api module, with the environment its spec gives (literal values,
 * `$(VAR)` expansion, downward-API fields; pod-spec.ts). echo-basic binds every interface
 * (`:3000`), so two of them cannot share a network namespace on their own ports: each runs on
 * free loopback ports of its own (HTTP_PORT, H2C_PORT, HTTPS_PORT set by the stand-in, overriding
 * the spec) and the stand-in forwards `podIP:port` → `127.0.0.1:own port` for every port the spec
 * says it serves. Other images (the suite's coredns, for UDP tests) get no process: the Pod is
 * reported Running so that the suite's namespace readiness check passes, and the log says so.
 *
 * The Pod is reported Running and Ready (with podIP) once its echo answers on every forwarded port,
 * so the EndpointSlice controller fills the Service's slices. A Pod marked for deletion is stopped
 * and then deleted with grace 0, as a kubelet confirms a deletion.
 */

import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import type { KubeCredentials } from "../../env/kube.ts";
import { ServerProcess } from "../../env/process.ts";
import { KubeCallError, kubeCall } from "./kube-client.ts";
import { addressAt } from "./loopback.ts";
import {
  containerEnvironment,
  echoPorts,
  isEchoBasic,
  type Pod,
  type PodFacts,
  relocatePaths,
  runningStatus,
  secretFiles,
} from "./pod-spec.ts";

export interface PodStandInOptions {
  creds: KubeCredentials;
  /** The echo-basic binary (see echo-basic-build.sh). */
  echoBinary: string;
  /** Where each Pod's process log goes. */
  logDir: string;
  /** Default `switchyard-live`. */
  nodeName?: string;
  /** First Pod address; later ones count up and are never reused. Default 127.200.0.1. */
  podAddressPool?: string;
  /** Default 500 ms. */
  pollIntervalMs?: number;
  /** First host port handed to an echo process (they count up, skipping busy ones). Default 21000. */
  firstHostPort?: number;
  log?: (line: string) => void;
}

interface RunningPod {
  uid: string;
  key: string;
  podIP: string;
  processes: ServerProcess[];
  forwarders: Server[];
  reported: boolean;
}

const HOST_IP = "127.0.0.1";

function forwarder(podIP: string, port: number, targetPort: number): Promise<Server> {
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, HOST_IP);
    inbound.pipe(outbound).pipe(inbound);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", end);
    outbound.on("error", end);
  });
  server.listen(port, podIP);
  return once(server, "listening").then(() => server);
}

/**
 * Whether a port can be listened on on every interface, as echo-basic does. Ports are taken below
 * the kernel's ephemeral range (32768 and up on Linux), where outgoing connections — hundreds a
 * second from the emulator's polling — would otherwise hold them and make echo-basic's bind fail.
 */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "0.0.0.0", () => probe.close(() => resolve(true)));
  });
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class PodStandIn {
  readonly #options: PodStandInOptions;
  readonly #nodeName: string;
  readonly #log: (line: string) => void;
  readonly #running = new Map<string, RunningPod>();
  #allocated = 0;
  #nextHostPort: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #syncing: Promise<void> | undefined;

  constructor(options: PodStandInOptions) {
    this.#options = options;
    this.#nodeName = options.nodeName ?? "switchyard-live";
    this.#log = options.log ?? (() => {});
    this.#nextHostPort = options.firstHostPort ?? 21_000;
  }

  async #hostPort(): Promise<number> {
    while (this.#nextHostPort < 32_768) {
      const port = this.#nextHostPort++;
      if (await bindable(port)) return port;
    }
    throw new Error("no free host port left below the ephemeral range");
  }

  get nodeName(): string {
    return this.#nodeName;
  }

  /** The address given to the Pod with this namespace/name, while it runs. */
  podIP(namespace: string, name: string): string | undefined {
    return this.#running.get(`${namespace}/${name}`)?.podIP;
  }

  async start(): Promise<void> {
    await mkdir(this.#options.logDir, { recursive: true });
    await this.#ensureNode();
    await this.sync();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#syncing?.catch(() => {});
    await Promise.all([...this.#running.values()].map((p) => this.#halt(p)));
    this.#running.clear();
  }

  /** One pass: bind, start, report, clean up. Concurrent calls share one pass. */
  sync(): Promise<void> {
    if (!this.#syncing) {
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = undefined;
      });
    }
    return this.#syncing;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.sync()
        .catch((error: unknown) => this.#log(`sync failed: ${String(error)}`))
        .finally(() => this.#schedule());
    }, this.#options.pollIntervalMs ?? 500);
  }

  async #ensureNode(): Promise<void> {
    const { creds } = this.#options;
    try {
      await kubeCall(creds, "POST", "/api/v1/nodes", {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: this.#nodeName, labels: { "kubernetes.io/hostname": this.#nodeName } },
      });
    } catch (error) {
      if (!(error instanceof KubeCallError && error.status === 409)) throw error;
    }
    const now = new Date().toISOString();
    await kubeCall(
      creds,
      "PATCH",
      `/api/v1/nodes/${this.#nodeName}/status`,
      {
        status: {
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "KubeletReady",
              message: "switchyard live-conformance pod stand-in",
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
          addresses: [{ type: "InternalIP", address: HOST_IP }],
          capacity: { cpu: "64", memory: "256Gi", pods: "1000" },
          allocatable: { cpu: "64", memory: "256Gi", pods: "1000" },
        },
      },
      "application/merge-patch+json",
    );
  }

  async #sync(): Promise<void> {
    const { creds } = this.#options;
    const list = await kubeCall<{ items: Pod[] }>(creds, "GET", "/api/v1/pods");
    const seen = new Set<string>();
    for (const pod of list.items) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const running = this.#running.get(key);
      if (running && running.uid !== pod.metadata.uid) {
        await this.#halt(running);
        this.#running.delete(key);
      }
      if (pod.metadata.deletionTimestamp) {
        if (pod.spec.nodeName === this.#nodeName) await this.#finishDeletion(pod, key);
        continue;
      }
      seen.add(key);
      if (!pod.spec.nodeName) {
        await this.#bind(pod);
        pod.spec.nodeName = this.#nodeName;
      }
      if (pod.spec.nodeName !== this.#nodeName) continue;
      try {
        await this.#run(pod, key);
      } catch (error) {
        this.#log(`pod ${key}: ${String(error)}`);
      }
    }
    for (const [key, running] of this.#running) {
      if (!seen.has(key)) {
        await this.#halt(running);
        this.#running.delete(key);
      }
    }
  }

  async #bind(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    try {
      await kubeCall(this.#options.creds, "POST", `/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace, uid },
        target: { apiVersion: "v1", kind: "Node", name: this.#nodeName },
      });
      this.#log(`bound ${namespace}/${name} to ${this.#nodeName}`);
    } catch (error) {
      // Already bound (a concurrent pass) or gone: the next pass sees the truth.
      if (!(error instanceof KubeCallError && (error.status === 409 || error.status === 404))) throw error;
    }
  }

  async #run(pod: Pod, key: string): Promise<void> {
    let running = this.#running.get(key);
    if (!running) {
      const podIP = addressAt(this.#options.podAddressPool ?? "127.200.0.1", this.#allocated++);
      running = { uid: pod.metadata.uid, key, podIP, processes: [], forwarders: [], reported: false };
      this.#running.set(key, running);
      try {
        await this.#launch(pod, running);
      } catch (error) {
        // E.g. a Secret volume whose Secret does not exist yet: start over on the next pass.
        await this.#halt(running);
        this.#running.delete(key);
        throw error;
      }
    }
    if (running.reported) return;
    for (const p of running.processes) {
      const exit = p.hasExited();
      if (exit) throw p.exitError(exit);
    }
    for (const f of running.forwarders) {
      const address = f.address();
      if (address === null || typeof address === "string") continue;
      if (!(await answers(running.podIP, address.port))) return;
    }
    const facts: PodFacts = { podIP: running.podIP, hostIP: HOST_IP, nodeName: this.#nodeName };
    await kubeCall(
      this.#options.creds,
      "PATCH",
      `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
      runningStatus(pod, facts, new Date().toISOString()),
      "application/merge-patch+json",
    );
    running.reported = true;
    this.#log(`pod ${key} running on ${running.podIP}`);
  }

  async #launch(pod: Pod, running: RunningPod): Promise<void> {
    const facts: PodFacts = { podIP: running.podIP, hostIP: HOST_IP, nodeName: this.#nodeName };
    for (const container of pod.spec.containers) {
      if (!isEchoBasic(container.image)) {
        this.#log(`pod ${running.key}: container ${container.name} (${container.image}) is not run (no process)`);
        continue;
      }
      // Secret volumes: the files go under a directory of the Pod's own, and env paths follow them.
      const secrets = new Map<string, Record<string, string>>();
      for (const v of pod.spec.volumes ?? []) {
        if (!v.secret) continue;
        const secret = await kubeCall<{ data?: Record<string, string> }>(
          this.#options.creds,
          "GET",
          `/api/v1/namespaces/${pod.metadata.namespace}/secrets/${v.secret.secretName}`,
        );
        secrets.set(v.secret.secretName, secret.data ?? {});
      }
      const root = join(this.#options.logDir, "volumes", pod.metadata.uid);
      for (const file of secretFiles(pod, container, (name) => Object.keys(secrets.get(name) ?? {}))) {
        const target = `${root}${file.containerPath}`;
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, Buffer.from(secrets.get(file.secretName)?.[file.key] ?? "", "base64"), { mode: 0o600 });
      }
      const mountPaths = (container.volumeMounts ?? []).map((m) => m.mountPath);
      const env = relocatePaths(containerEnvironment(pod, container, facts), mountPaths, root);
      const ports = echoPorts(env);
      const own = { http: await this.#hostPort(), h2c: await this.#hostPort(), https: await this.#hostPort() };
      const overrides = { HTTP_PORT: String(own.http), H2C_PORT: String(own.h2c), HTTPS_PORT: String(own.https) };
      const assignments = Object.entries({ ...env, ...overrides }).map(([k, v]) => `${k}=${v}`);
      const logFile = join(
        this.#options.logDir,
        `${pod.metadata.namespace}_${pod.metadata.name}_${container.name}.log`.replace(/[^A-Za-z0-9_.-]/g, "_"),
      );
      running.processes.push(
        new ServerProcess(
          `pod ${running.key}/${container.name}`,
          "env",
          ["-i", ...assignments, this.#options.echoBinary],
          {
            logFile,
          },
        ),
      );
      running.forwarders.push(await forwarder(running.podIP, ports.http, own.http));
      running.forwarders.push(await forwarder(running.podIP, ports.h2c, own.h2c));
      if (ports.https !== undefined) running.forwarders.push(await forwarder(running.podIP, ports.https, own.https));
    }
  }

  async #halt(running: RunningPod): Promise<void> {
    await Promise.all(running.processes.map((p) => p.stop()));
    await Promise.all(
      running.forwarders.map(
        (f) =>
          new Promise<void>((resolve) => {
            f.close(() => resolve());
          }),
      ),
    );
    this.#log(`pod ${running.key} stopped`);
  }

  async #finishDeletion(pod: Pod, key: string): Promise<void> {
    const running = this.#running.get(key);
    if (running) {
      await this.#halt(running);
      this.#running.delete(key);
    }
    try {
      await kubeCall(
        this.#options.creds,
        "DELETE",
        `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
        { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } },
      );
    } catch (error) {
      if (!(error instanceof KubeCallError && (error.status === 404 || error.status === 409))) throw error;
    }
  }
}
