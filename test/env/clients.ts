// What integration tests use to reach the components started by test/env/global-setup.ts:
// endpoints from environment variables, AWS SDK client settings, a KubeConfig, and the few
// emulator control calls (moto reset, etcd compaction) that have no AWS or Kubernetes API.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { LatticeControl } from "./lattice/control-client.ts";
import type { TokenWebhookConfig } from "./token-webhook.ts";
import { ENV, PROVIDED_BY } from "./variables.ts";

export type { CallRecord, FaultSpec } from "./lattice/control-api.ts";
export { countCalls, LatticeControl } from "./lattice/control-client.ts";
export { waitFor } from "./process.ts";
export { DEFAULT_TOKEN_CLUSTER_NAME, STATUS_WRITERS_GROUP, type TokenWebhookConfig } from "./token-webhook.ts";

export const TEST_REGION = "us-east-1";
/** The account moto attributes requests to when the access key is not one it issued. */
export const MOTO_DEFAULT_ACCOUNT_ID = "123456789012";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsClientSettings {
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
}

/** Dummy long-term keys: moto maps keys it did not issue to its default account. */
export const DUMMY_CREDENTIALS: AwsCredentials = { accessKeyId: "AKIATESTDEFAULT00000", secretAccessKey: "testing" };

/** The value of a variable set by the global setup, or an error saying how to get it set. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    const component = PROVIDED_BY[name] ?? "?";
    throw new Error(
      `${name} is not set. It is set by test/env/global-setup.ts when the "${component}" component runs: ` +
        `run the test through the vitest "integration" project, and if ${ENV.components} is set, include ${component}.`,
    );
  }
  return value;
}

/** Settings for any AWS SDK v3 client talking to moto (pass other credentials for other accounts). */
export function motoSettings(credentials: AwsCredentials = DUMMY_CREDENTIALS): AwsClientSettings {
  return { endpoint: requireEnv(ENV.motoEndpoint), region: TEST_REGION, credentials };
}

export function dynamoDbSettings(): AwsClientSettings {
  return { endpoint: requireEnv(ENV.dynamoDbEndpoint), region: TEST_REGION, credentials: DUMMY_CREDENTIALS };
}

/**
 * Settings for `@aws-sdk/client-vpc-lattice` against the Lattice emulator (test/env/lattice/). The
 * access key decides the account: see `latticeControl().mapAccounts(...)`; unknown keys act in
 * 123456789012, or, when moto runs, in the account moto issued them for.
 */
export function latticeSettings(credentials: AwsCredentials = DUMMY_CREDENTIALS): AwsClientSettings {
  return { endpoint: requireEnv(ENV.latticeEndpoint), region: TEST_REGION, credentials };
}

/** The Lattice emulator's test-only control API (reset, accounts, RAM shares, clock, faults, call log). */
export function latticeControl(): LatticeControl {
  return new LatticeControl(requireEnv(ENV.latticeEndpoint));
}

/** Wipes every account's state in moto (POST /moto-api/reset); call before each suite. */
export async function resetMoto(): Promise<void> {
  const response = await fetch(`${requireEnv(ENV.motoEndpoint)}/moto-api/reset`, { method: "POST" });
  if (response.status !== 200) throw new Error(`moto reset failed: HTTP ${response.status} ${await response.text()}`);
}

/** A DNS-1123 label unique to this call, e.g. `gw-3f9a1c`, for namespaces, tables, queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** A KubeConfig for the test apiserver: bearer token in system:masters, the run's CA. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "switchyard-test",
        server: requireEnv(ENV.kubeServer),
        caFile: requireEnv(ENV.kubeCaFile),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: "switchyard-test-admin", token: requireEnv(ENV.kubeToken) }],
    contexts: [{ name: "switchyard-test", cluster: "switchyard-test", user: "switchyard-test-admin" }],
    currentContext: "switchyard-test",
  });
  return kc;
}

interface EtcdHeader {
  header?: { revision?: string };
  error?: string;
  message?: string;
}

async function etcdCall(path: string, body: unknown): Promise<EtcdHeader> {
  const response = await fetch(`${requireEnv(ENV.etcdEndpoint)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as EtcdHeader;
  if (response.status !== 200) throw new Error(`etcd ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** etcd's current revision, which is what the apiserver uses as resourceVersion. */
export async function etcdRevision(): Promise<number> {
  // A range over a key that does not exist still returns the store's header.
  const json = await etcdCall("/v3/kv/range", { key: Buffer.from("/switchyard-test/none").toString("base64") });
  const revision = Number(json.header?.revision);
  if (!Number.isSafeInteger(revision) || revision <= 0)
    throw new Error(`etcd returned no revision: ${JSON.stringify(json)}`);
  return revision;
}

/**
 * Compacts etcd's history up to `revision` (default: the current one), as kube-apiserver itself
 * does every 5 minutes, and returns that revision: every older resourceVersion is then gone.
 */
export async function compactEtcd(revision?: number): Promise<number> {
  const target = revision ?? (await etcdRevision());
  await etcdCall("/v3/kv/compaction", { revision: String(target), physical: true });
  return target;
}

/**
 * Sets the token webhook's cluster name and IAM-to-Kubernetes mapping table (test/env/token-webhook.ts).
 * The webhook runs in the global-setup process, so this goes over HTTPS with the admin token.
 */
export async function configureTokenWebhook(config: TokenWebhookConfig): Promise<void> {
  const ca = await readFile(requireEnv(ENV.kubeCaFile), "utf8");
  const url = new URL("/config", requireEnv(ENV.tokenWebhookUrl));
  const payload = JSON.stringify(config);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: "PUT",
        ca,
        headers: { authorization: `Bearer ${requireEnv(ENV.kubeToken)}`, "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
  if (status !== 200) throw new Error(`configuring the token webhook failed: HTTP ${status}`);
}
