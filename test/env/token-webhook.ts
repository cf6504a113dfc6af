// The test environment's stand-in for EKS's IAM authenticator: a TokenReview webhook that
// kube-apiserver calls (--authentication-token-webhook-config-file) for every bearer token its
// static token file does not know. It checks a `k8s-aws-v1.` token as aws-iam-authenticator does
// (an STS GetCallerIdentity URL, `x-k8s-aws-id` signed and equal to this cluster's name, not past
// X-Amz-Date + 15 minutes), asks moto's STS who the caller is, and maps the caller's role to a
// Kubernetes user through a table the tests set (PUT /config), like EKS access entries.
//
// Two moto quirks shape it (QUIRKS.md M5, M6). moto verifies no SigV4 signature, and a signature
// over `x-k8s-aws-id` is the only thing binding a token to one cluster; so the webhook verifies the
// signature itself, as STS would, with the secret key moto issued for the access key (moto's
// /moto-api/data.json lists assumed-role keys). And moto reads the access key of a request only
// from an Authorization header, never from a presigned URL's X-Amz-Credential; so the webhook sends
// the presigned URL's credential scope and signature as that header.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { log } from "./process.ts";

export const DEFAULT_TOKEN_CLUSTER_NAME = "switchyard-test";
export const STATUS_WRITERS_GROUP = "switchyard:status-writers";
const TOKEN_PREFIX = "k8s-aws-v1.";
const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/** aws-iam-authenticator's presignedURLExpiration. */
const TOKEN_LIFETIME_MS = 15 * 60_000;
const STS_HOST = /^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

/** One row of the mapping table: an IAM role (or user) ARN and who it is in Kubernetes. */
export interface IdentityMapping {
  /** `arn:aws:iam::<account>:role/<name>` (an assumed-role ARN is matched by its role) or a user ARN. */
  arn: string;
  /** Default `switchyard:<role name>`. */
  username?: string;
  /** Default `[switchyard:status-writers]`. */
  groups?: string[];
}

export interface TokenWebhookConfig {
  /** The name tokens must carry in `x-k8s-aws-id` (EKS: the cluster name). */
  clusterName: string;
  mappings: IdentityMapping[];
}

interface Review {
  authenticated: boolean;
  user?: { username: string; uid: string; groups: string[]; extra: Record<string, string[]> };
  error?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function identityMapping(value: unknown): IdentityMapping | undefined {
  if (!isRecord(value) || typeof value.arn !== "string") return undefined;
  const { arn, username, groups } = value;
  if (username !== undefined && typeof username !== "string") return undefined;
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === "string"))) return undefined;
  return {
    arn,
    ...(username === undefined ? {} : { username }),
    ...(groups === undefined ? {} : { groups: groups.filter((g): g is string => typeof g === "string") }),
  };
}

/** The X-Amz-Date of a presigned URL as epoch ms, or undefined. */
function amzDate(value: string | null): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
}

/**
 * The checks aws-iam-authenticator makes before calling STS (pkg/token/token.go Verify), or the
 * reason a token fails them. Query parameter names are compared case-insensitively, as there.
 */
export function checkPresignedUrl(token: string, now: number): { url: URL } | { error: string } {
  if (!token.startsWith(TOKEN_PREFIX)) return { error: "not a k8s-aws-v1 token" };
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url").toString("utf8"));
  } catch {
    return { error: "token does not decode to a URL" };
  }
  if (url.protocol !== "https:" || !STS_HOST.test(url.hostname)) return { error: `not an STS URL: ${url.host}` };
  if (url.pathname !== "/") return { error: `unexpected path ${url.pathname}` };
  const query = new Map([...url.searchParams].map(([key, value]) => [key.toLowerCase(), value]));
  if (query.get("action") !== "GetCallerIdentity") return { error: "not a GetCallerIdentity request" };
  const signed = (query.get("x-amz-signedheaders") ?? "").split(";");
  if (!signed.includes(CLUSTER_ID_HEADER)) return { error: `${CLUSTER_ID_HEADER} is not signed` };
  const date = amzDate(query.get("x-amz-date") ?? null);
  if (date === undefined) return { error: "no valid X-Amz-Date" };
  if (now > date + TOKEN_LIFETIME_MS) return { error: "token expired" };
  return { url };
}

export class TokenWebhook {
  readonly #server: Server;
  readonly #controlToken: string;
  #config: TokenWebhookConfig = { clusterName: DEFAULT_TOKEN_CLUSTER_NAME, mappings: [] };
  #stsEndpoint: string | undefined;
  /** Access key → secret of every key moto's STS was seen to have issued. */
  readonly #secrets = new Map<string, string>();
  #reading: Promise<void> | undefined;

  private constructor(server: Server, controlToken: string) {
    this.#server = server;
    this.#controlToken = controlToken;
  }

  static async start(tls: { certFile: string; keyFile: string }, controlToken: string): Promise<TokenWebhook> {
    const server = createServer({ cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) });
    const webhook = new TokenWebhook(server, controlToken);
    server.on("request", (req, res) => {
      webhook.#handle(req, res).catch((error: unknown) => {
        log("token-webhook", `request failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return webhook;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Where GetCallerIdentity goes instead of AWS: moto, once the environment knows its endpoint. */
  setStsEndpoint(endpoint: string): void {
    this.#stsEndpoint = endpoint;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const send = (status: number, json: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    };
    // kube-apiserver adds `?timeout=...` to its TokenReview POSTs.
    const path = new URL(req.url ?? "/", "https://webhook").pathname;
    if (path === "/config") {
      // The control endpoint takes the environment's admin token: tests run in other processes.
      if (req.headers.authorization !== `Bearer ${this.#controlToken}`) return send(401, { error: "unauthorized" });
      if (req.method === "GET") return send(200, this.#config);
      if (req.method !== "PUT") return send(405, { error: "GET or PUT" });
      const config: unknown = JSON.parse(body);
      if (!isRecord(config) || typeof config.clusterName !== "string" || !Array.isArray(config.mappings)) {
        return send(400, { error: "expected { clusterName, mappings: [{ arn, username?, groups? }] }" });
      }
      const mappings = config.mappings.map(identityMapping);
      if (mappings.some((m) => m === undefined)) {
        return send(400, { error: "each mapping is { arn: string, username?: string, groups?: string[] }" });
      }
      this.#config = { clusterName: config.clusterName, mappings: mappings.filter((m) => m !== undefined) };
      return send(200, this.#config);
    }
    if (path === "/authenticate" && req.method === "POST") {
      const review: unknown = JSON.parse(body);
      const token = isRecord(review) && isRecord(review.spec) ? review.spec.token : undefined;
      const status =
        typeof token === "string" ? await this.#review(token) : { authenticated: false, error: "no token" };
      if (!status.authenticated) log("token-webhook", `refused: ${status.error}`);
      return send(200, { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", status });
    }
    send(404, { error: "not found" });
  }

  async #review(token: string): Promise<Review> {
    const checked = checkPresignedUrl(token, Date.now());
    if ("error" in checked) return { authenticated: false, error: checked.error };
    if (this.#stsEndpoint === undefined) return { authenticated: false, error: "no STS: moto is not running" };

    const query = new Map([...checked.url.searchParams].map(([key, value]) => [key.toLowerCase(), value]));
    const credential = query.get("x-amz-credential") ?? "";
    const accessKeyId = credential.split("/")[0] ?? "";
    const secret = await this.#secretOf(accessKeyId);
    if (secret === undefined) return { authenticated: false, error: `access key ${accessKeyId} was not issued by STS` };
    if (!signatureMatches(checked.url, this.#config.clusterName, secret)) {
      return {
        authenticated: false,
        error: `signature does not match for ${CLUSTER_ID_HEADER}: ${this.#config.clusterName}`,
      };
    }
    const headers: Record<string, string> = {
      [CLUSTER_ID_HEADER]: this.#config.clusterName,
      accept: "application/json",
      "x-amz-date": query.get("x-amz-date") ?? "",
      authorization:
        `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${query.get("x-amz-signedheaders") ?? ""}, ` +
        `Signature=${query.get("x-amz-signature") ?? ""}`,
    };
    const sessionToken = query.get("x-amz-security-token");
    if (sessionToken !== undefined) headers["x-amz-security-token"] = sessionToken;
    const sts = new URL("/?Action=GetCallerIdentity&Version=2011-06-15", this.#stsEndpoint);
    const response = await fetch(sts, { headers, signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    if (response.status !== 200) return { authenticated: false, error: `STS answered ${response.status}: ${text}` };
    const arn = callerArn(text);
    if (arn === undefined) return { authenticated: false, error: `no Arn in STS answer: ${text.slice(0, 200)}` };
    return this.#map(arn);
  }

  /**
   * The secret of an access key moto's STS issued (AssumeRole), as STS itself knows it. moto has
   * no API for one key's secret, only /moto-api/data.json: every model of every service (about
   * 6 MB, mostly EC2's defaults), which takes seconds to build and stalls moto meanwhile. So each
   * issued key is remembered (its secret never changes) and concurrent lookups share one read.
   */
  async #secretOf(accessKeyId: string): Promise<string | undefined> {
    const known = this.#secrets.get(accessKeyId);
    if (known !== undefined) return known;
    this.#reading ??= this.#readIssuedKeys().finally(() => {
      this.#reading = undefined;
    });
    await this.#reading;
    return this.#secrets.get(accessKeyId);
  }

  async #readIssuedKeys(): Promise<void> {
    if (this.#stsEndpoint === undefined) return;
    const response = await fetch(new URL("/moto-api/data.json", this.#stsEndpoint), {
      signal: AbortSignal.timeout(30_000),
    });
    const data: unknown = await response.json();
    const sts = isRecord(data) ? data.sts : undefined;
    const roles = isRecord(sts) && Array.isArray(sts.AssumedRole) ? (sts.AssumedRole as unknown[]) : [];
    for (const role of roles) {
      if (isRecord(role) && typeof role.access_key_id === "string" && typeof role.secret_access_key === "string") {
        this.#secrets.set(role.access_key_id, role.secret_access_key);
      }
    }
  }

  #map(arn: string): Review {
    const assumed = ASSUMED_ROLE.exec(arn);
    const canonical = assumed === null ? arn : `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
    const mapping = this.#config.mappings.find((m) => m.arn === canonical);
    if (mapping === undefined) return { authenticated: false, error: `ARN not mapped: ${arn}` };
    const name = assumed?.[3] ?? canonical.split("/").pop() ?? canonical;
    return {
      authenticated: true,
      user: {
        username: mapping.username ?? `switchyard:${name}`,
        uid: `aws-iam-authenticator:${canonical}`,
        groups: mapping.groups ?? [STATUS_WRITERS_GROUP],
        extra: { arn: [arn], canonicalArn: [canonical], ...(assumed ? { sessionName: [assumed[4] ?? ""] } : {}) },
      },
    };
  }
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/**
 * SigV4 query-string verification (AWS General Reference, "Create a signed AWS API request"),
 * written from the specification rather than with the signer the code under test uses. The value
 * of `x-k8s-aws-id` is this cluster's name: a token signed for any other name does not verify.
 */
export function signatureMatches(url: URL, clusterName: string, secretAccessKey: string): boolean {
  const params = [...url.searchParams].filter(([key]) => key !== "X-Amz-Signature");
  const get = (name: string): string => url.searchParams.get(name) ?? "";
  const signedHeaders = get("X-Amz-SignedHeaders").split(";");
  const headerValues: Record<string, string> = { host: url.host, [CLUSTER_ID_HEADER]: clusterName };
  if (signedHeaders.some((name) => headerValues[name] === undefined)) return false;
  const canonicalRequest = [
    "GET",
    url.pathname,
    params
      .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`)
      .join("&"),
    signedHeaders.map((name) => `${name}:${headerValues[name]}\n`).join(""),
    signedHeaders.join(";"),
    createHash("sha256").update("").digest("hex"),
  ].join("\n");
  const [, day = "", region = "", service = "", terminator = ""] = get("X-Amz-Credential").split("/");
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    get("X-Amz-Date"),
    `${day}/${region}/${service}/${terminator}`,
    createHash("sha256").update(canonicalRequest).digest("hex"),
  ].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), terminator);
  const expected = Buffer.from(createHmac("sha256", key).update(stringToSign).digest("hex"));
  const actual = Buffer.from(get("X-Amz-Signature"));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The caller's ARN from a GetCallerIdentity answer, in STS's JSON or XML form. */
export function callerArn(body: string): string | undefined {
  const xml = /<Arn>([^<]+)<\/Arn>/.exec(body);
  if (xml !== null) return xml[1];
  try {
    const json: unknown = JSON.parse(body);
    const response = isRecord(json) ? json.GetCallerIdentityResponse : undefined;
    const result = isRecord(response) ? response.GetCallerIdentityResult : undefined;
    const arn = isRecord(result) ? result.Arn : undefined;
    return typeof arn === "string" ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** The kubeconfig-format file kube-apiserver reads to reach the webhook. */
export function webhookKubeconfig(url: string, caFile: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: token-webhook",
    "  cluster:",
    `    server: ${url}/authenticate`,
    `    certificate-authority: ${caFile}`,
    "users:",
    "- name: kube-apiserver",
    "  user: {}",
    "contexts:",
    "- name: token-webhook",
    "  context:",
    "    cluster: token-webhook",
    "    user: kube-apiserver",
    "current-context: token-webhook",
    "",
  ].join("\n");
}
