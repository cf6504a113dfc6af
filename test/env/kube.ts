// etcd + kube-apiserver built from the Go module proxy (test/env/kube-build.sh), started with
// envtest-like flags and bearer-token auth, then loaded with the Gateway API CRDs from the
// sigs.k8s.io/gateway-api Go module. Per run: a fresh CA, serving certificate, service-account key
// pair, token and etcd data directory under the run directory.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ENV_DIR, freePort, log, runCommand, ServerProcess, waitFor } from "./process.ts";
import { TokenWebhook, webhookKubeconfig } from "./token-webhook.ts";
import { type ComponentContext, ENV, type RunningComponent } from "./variables.ts";

export const KUBE_VERSION = process.env.SWITCHYARD_KUBE_VERSION ?? "1.35.4";
export const GATEWAY_API_VERSION = process.env.SWITCHYARD_GATEWAY_API_VERSION ?? "1.6.1";
/** Gateway API channel to install; experimental is a superset of standard. */
const GATEWAY_API_CHANNEL = "experimental";

/**
 * Resources served straight from etcd instead of the apiserver's watch cache, so that a watch from
 * a resourceVersion older than an etcd compaction fails with 410 Gone at once (a cached resource
 * keeps serving old versions from memory until its window rolls over, minutes later). Everything
 * else keeps the watch cache, and with it bookmarks, as on a real cluster.
 */
export const UNCACHED_RESOURCES = (
  process.env.SWITCHYARD_KUBE_UNCACHED_RESOURCES ?? "gateways.gateway.networking.k8s.io"
)
  .split(",")
  .filter((resource) => resource !== "");

export interface KubeCredentials {
  server: string;
  token: string;
  ca: string;
}

export interface KubeResponse {
  status: number;
  body: string;
}

/** One HTTPS request to the apiserver with the bearer token, trusting only the run's CA. */
export async function kubeRequest(
  creds: KubeCredentials,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<KubeResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return await new Promise<KubeResponse>((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, creds.server),
      {
        method,
        ca: creds.ca,
        timeout: timeoutMs,
        headers: {
          authorization: `Bearer ${creds.token}`,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Binaries from the cache, built on first use (a cold build takes many minutes). */
async function ensureBinaries(ctx: ComponentContext): Promise<string> {
  log("kube", `building or reusing kube-apiserver and etcd ${KUBE_VERSION} (test/env/kube-build.sh)`);
  await runCommand("kube", "bash", [join(ENV_DIR, "kube-build.sh")], {
    echo: true,
    env: { ...process.env, SWITCHYARD_CACHE: ctx.cacheRoot, SWITCHYARD_KUBE_VERSION: KUBE_VERSION },
  });
  return join(ctx.cacheRoot, `kube-${KUBE_VERSION}`, "bin");
}

/** Directory of the Gateway API CRD manifests, from the Go module cache (downloaded once). */
async function gatewayApiCrdDir(ctx: ComponentContext): Promise<string> {
  const module = `sigs.k8s.io/gateway-api@v${GATEWAY_API_VERSION}`;
  await mkdir(ctx.cacheRoot, { recursive: true });
  const json = await runCommand("kube", "go", ["mod", "download", "-json", module], {
    // Outside any go.mod, so the download is not tied to (or written into) a module.
    cwd: ctx.cacheRoot,
    env: { ...process.env, GOFLAGS: "", GO111MODULE: "on" },
  });
  const info = JSON.parse(json) as { Dir?: string; Error?: string };
  if (info.Dir === undefined) throw new Error(`go mod download ${module} gave no directory: ${info.Error ?? json}`);
  return join(info.Dir, "config", "crd", GATEWAY_API_CHANNEL);
}

interface Pki {
  caFile: string;
  certFile: string;
  keyFile: string;
  saPublicKeyFile: string;
  saPrivateKeyFile: string;
  tokenFile: string;
  token: string;
}

async function writePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const file = (name: string): string => join(dir, name);
  const openssl = (args: string[]): Promise<string> => runCommand("kube", "openssl", args, { cwd: dir });
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
    "-subj",
    "/CN=switchyard-test-ca",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("apiserver.key"),
    "-out",
    file("apiserver.csr"),
    "-subj",
    "/CN=kube-apiserver",
  ]);
  await writeFile(
    file("apiserver.ext"),
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1",
      "",
    ].join("\n"),
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    file("apiserver.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("apiserver.ext"),
    "-out",
    file("apiserver.crt"),
  ]);
  const serviceAccount = generateKeyPairSync("rsa", { modulusLength: 2048 });
  await writeFile(file("sa.pub"), serviceAccount.publicKey.export({ type: "spki", format: "pem" }));
  await writeFile(file("sa.key"), serviceAccount.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  // Static token in system:masters: the tests act as a cluster admin, as with EKS access entries.
  const token = randomBytes(24).toString("hex");
  await writeFile(file("tokens.csv"), `${token},switchyard-test-admin,switchyard-test-admin,"system:masters"\n`, {
    mode: 0o600,
  });
  return {
    caFile: file("ca.crt"),
    certFile: file("apiserver.crt"),
    keyFile: file("apiserver.key"),
    saPublicKeyFile: file("sa.pub"),
    saPrivateKeyFile: file("sa.key"),
    tokenFile: file("tokens.csv"),
    token,
  };
}

async function startEtcd(bin: string, runDir: string): Promise<{ server: ServerProcess; endpoint: string }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = join(runDir, "etcd-data");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const server = new ServerProcess(
    "etcd",
    join(bin, "etcd"),
    [
      "--name=switchyard",
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=switchyard=${peer}`,
      "--initial-cluster-state=new",
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    { logFile: join(runDir, "etcd.log") },
  );
  try {
    await waitFor(
      `etcd health on ${endpoint}`,
      async () => {
        const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
        const health = (await response.json()) as { health?: string };
        return health.health === "true" ? true : undefined;
      },
      { timeoutMs: 30_000, server },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, endpoint };
}

function apiserverArgs(pki: Pki, etcdEndpoint: string, port: number, runDir: string, webhookConfig: string): string[] {
  const server = `https://127.0.0.1:${port}`;
  return [
    // Network and storage.
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--etcd-servers=${etcdEndpoint}`,
    `--cert-dir=${join(runDir, "apiserver-certs")}`,
    `--tls-cert-file=${pki.certFile}`,
    `--tls-private-key-file=${pki.keyFile}`,
    // Authentication and authorisation: a static bearer token, RBAC as on EKS.
    `--token-auth-file=${pki.tokenFile}`,
    // Tokens the file does not know go to the EKS-style IAM token webhook (token-webhook.ts). No
    // cache, so a test that changes the webhook's mapping table sees the change at once.
    `--authentication-token-webhook-config-file=${webhookConfig}`,
    "--authentication-token-webhook-version=v1",
    "--authentication-token-webhook-cache-ttl=0s",
    `--client-ca-file=${pki.caFile}`,
    "--authorization-mode=RBAC",
    // As controller-runtime's envtest (no controller manager runs, so no service-account tokens).
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    "--disable-admission-plugins=ServiceAccount",
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${pki.saPublicKeyFile}`,
    `--service-account-signing-key-file=${pki.saPrivateKeyFile}`,
    "--endpoint-reconciler-type=none",
    ...(UNCACHED_RESOURCES.length > 0
      ? [`--watch-cache-sizes=${UNCACHED_RESOURCES.map((resource) => `${resource}#0`).join(",")}`]
      : []),
    "--v=1",
  ];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: { group?: string; names?: { plural?: string }; versions?: { name: string; served?: boolean }[] };
}

const COLLECTIONS: Record<string, string> = {
  "apiextensions.k8s.io/v1/CustomResourceDefinition": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy":
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies",
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding":
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings",
};

/** Manifests listed by the channel's kustomization.yaml, in its order. */
async function readManifests(dir: string): Promise<Manifest[]> {
  const kustomization = parseAllDocuments(await readFile(join(dir, "kustomization.yaml"), "utf8"))[0]?.toJS() as
    | { resources?: string[] }
    | undefined;
  const files = kustomization?.resources ?? [];
  if (files.length === 0) throw new Error(`no resources listed in ${join(dir, "kustomization.yaml")}`);
  const manifests: Manifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), "utf8"))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
      const value = doc.toJS() as Manifest | null;
      if (value !== null) manifests.push(value);
    }
  }
  return manifests;
}

/** Creates the Gateway API objects and waits until every CRD is Established and served. */
async function installGatewayApi(creds: KubeCredentials, dir: string): Promise<number> {
  const manifests = await readManifests(dir);
  // Admission policies first: they guard CRD creation, so the CRDs are checked by them as on a cluster.
  const ordered = [
    ...manifests.filter((m) => m.kind !== "CustomResourceDefinition"),
    ...manifests.filter((m) => m.kind === "CustomResourceDefinition"),
  ];
  for (const manifest of ordered) {
    const collection = COLLECTIONS[`${manifest.apiVersion}/${manifest.kind}`];
    if (collection === undefined) {
      throw new Error(
        `${dir}: no collection known for ${manifest.apiVersion} ${manifest.kind} ${manifest.metadata.name}`,
      );
    }
    const response = await kubeRequest(creds, "POST", collection, manifest);
    if (response.status !== 201) {
      throw new Error(
        `creating ${manifest.kind} ${manifest.metadata.name} failed: HTTP ${response.status} ${response.body}`,
      );
    }
  }
  const crds = manifests.filter((m) => m.kind === "CustomResourceDefinition");
  await Promise.all(
    crds.map(async (crd) => {
      const name = crd.metadata.name;
      await waitFor(
        `CRD ${name} to be Established`,
        async () => {
          const response = await kubeRequest(
            creds,
            "GET",
            `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
          );
          if (response.status !== 200) throw new Error(`HTTP ${response.status} ${response.body}`);
          const conditions =
            (JSON.parse(response.body) as { status?: { conditions?: { type: string; status: string }[] } }).status
              ?.conditions ?? [];
          return conditions.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      // Established means accepted; poll until each served version actually answers a list.
      for (const version of crd.spec?.versions?.filter((v) => v.served !== false) ?? []) {
        const path = `/apis/${crd.spec?.group}/${version.name}/${crd.spec?.names?.plural}?limit=1`;
        await waitFor(
          `GET ${path}`,
          async () => ((await kubeRequest(creds, "GET", path)).status === 200 ? true : undefined),
          { timeoutMs: 30_000 },
        );
      }
    }),
  );
  return crds.length;
}

function kubeconfigYaml(server: string, caFile: string, token: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: switchyard-test",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${caFile}`,
    "users:",
    "- name: switchyard-test-admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: switchyard-test",
    "  context:",
    "    cluster: switchyard-test",
    "    user: switchyard-test-admin",
    "current-context: switchyard-test",
    "",
  ].join("\n");
}

export async function startKube(ctx: ComponentContext): Promise<RunningComponent> {
  const bin = await ensureBinaries(ctx);
  const crdDir = await gatewayApiCrdDir(ctx);
  const dir = join(ctx.runDir, "kube");
  const pki = await writePki(join(dir, "pki"));

  // Serves with the apiserver's certificate (SAN 127.0.0.1), so the run's CA is all the apiserver trusts.
  const webhook = await TokenWebhook.start({ certFile: pki.certFile, keyFile: pki.keyFile }, pki.token);
  const webhookConfig = join(dir, "token-webhook.kubeconfig");
  await writeFile(webhookConfig, webhookKubeconfig(webhook.url, pki.caFile));
  log("kube", `token webhook on ${webhook.url}`);

  log("kube", "starting etcd");
  let etcd: { server: ServerProcess; endpoint: string };
  try {
    etcd = await startEtcd(bin, dir);
  } catch (error) {
    await webhook.stop();
    throw error;
  }
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  log("kube", `starting kube-apiserver on ${server}`);
  const apiserver = new ServerProcess(
    "kube-apiserver",
    join(bin, "kube-apiserver"),
    apiserverArgs(pki, etcd.endpoint, port, dir, webhookConfig),
    {
      logFile: join(dir, "kube-apiserver.log"),
    },
  );
  const stop = async (): Promise<void> => {
    await apiserver.stop();
    await etcd.server.stop();
    await webhook.stop();
  };
  try {
    const creds: KubeCredentials = { server, token: pki.token, ca: await readFile(pki.caFile, "utf8") };
    await waitFor(
      `kube-apiserver /readyz on ${server}`,
      async () => ((await kubeRequest(creds, "GET", "/readyz", undefined, 5_000)).status === 200 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 250, server: apiserver },
    );
    log("kube", `installing Gateway API v${GATEWAY_API_VERSION} (${GATEWAY_API_CHANNEL}) from ${crdDir}`);
    const count = await installGatewayApi(creds, crdDir);
    log("kube", `ready on ${server} (${count} Gateway API CRDs established)`);
  } catch (error) {
    await stop();
    throw error;
  }
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, kubeconfigYaml(server, pki.caFile, pki.token), { mode: 0o600 });
  return {
    name: "kube",
    variables: {
      [ENV.kubeServer]: server,
      [ENV.kubeToken]: pki.token,
      [ENV.kubeCaFile]: pki.caFile,
      [ENV.kubeconfig]: kubeconfig,
      [ENV.etcdEndpoint]: etcd.endpoint,
      [ENV.tokenWebhookUrl]: webhook.url,
    },
    connect(variables) {
      // moto is the STS behind the webhook; without moto every IAM token is refused.
      const moto = variables[ENV.motoEndpoint];
      if (moto !== undefined) webhook.setStsEndpoint(moto);
    },
    stop,
  };
}
