/**
 * The bearer token EKS accepts from an IAM principal, built exactly as `aws eks get-token` and
 * aws-iam-authenticator build it: `k8s-aws-v1.` + unpadded base64url of a presigned STS
 * GetCallerIdentity URL whose signed headers include `x-k8s-aws-id: <cluster name>`. The cluster
 * name is signed so a token minted for one cluster cannot be replayed against another.
 *
 * Building is pure given credentials, clock and endpoint: nothing here calls STS. The cluster's
 * authenticator makes the GET itself and learns the caller's ARN from the answer.
 */
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, HttpRequest as SignedRequest } from "@smithy/types";

export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
/** The header that binds a token to one cluster (aws-iam-authenticator's `clusterIDHeader`). */
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/** What the CLI presigns with; the authenticator ignores it and applies its own 15-minute window. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/**
 * How long EKS accepts a token after its X-Amz-Date (aws-iam-authenticator `presignedURLExpiration`),
 * whatever X-Amz-Expires says.
 */
export const TOKEN_LIFETIME_MS = 15 * 60_000;

export interface EksTokenRequest {
  /** The EKS cluster name (not the registry's cluster id): what the authenticator compares. */
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** Signing time; injected so tokens are reproducible and expiry can be tested. */
  now: Date;
  /**
   * STS endpoint URL; default the regional `https://sts.<region>.amazonaws.com` (regional, as the
   * CLI uses since v2: the global endpoint is a single-Region dependency).
   */
  endpoint?: string;
}

export interface EksToken {
  token: string;
  /** When EKS stops accepting it: signing time + 15 minutes. */
  expiresAt: Date;
}

export function regionalStsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com`;
}

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function urlOf(request: SignedRequest): string {
  const query = Object.entries(request.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v] as const) : [[key, value] as const]))
    .filter((entry): entry is readonly [string, string] => typeof entry[1] === "string")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${escapeUri(key)}=${escapeUri(value)}`)
    .join("&");
  const port = request.port === undefined ? "" : `:${request.port}`;
  return `${request.protocol}//${request.hostname}${port}${request.path}?${query}`;
}

/** The presigned GetCallerIdentity URL a token wraps. */
export async function presignGetCallerIdentity(request: EksTokenRequest): Promise<string> {
  const endpoint = new URL(request.endpoint ?? regionalStsEndpoint(request.region));
  const host = endpoint.host;
  const unsigned = new HttpRequest({
    method: "GET",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port === "" ? undefined : Number(endpoint.port),
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host, [CLUSTER_ID_HEADER]: request.clusterName },
  });
  const signer = new SignatureV4({
    credentials: request.credentials,
    region: request.region,
    service: "sts",
    sha256: Hash.bind(null, "sha256"),
  });
  const presigned = await signer.presign(unsigned, {
    expiresIn: PRESIGN_EXPIRES_SECONDS,
    signingDate: request.now,
  });
  return urlOf(presigned);
}

export function encodeEksToken(presignedUrl: string): string {
  return EKS_TOKEN_PREFIX + Buffer.from(presignedUrl, "utf8").toString("base64url");
}

/** The presigned URL inside a token, or undefined if it is not a `k8s-aws-v1.` token. */
export function decodeEksToken(token: string): string | undefined {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) return undefined;
  const body = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  return Buffer.from(body, "base64url").toString("utf8");
}

export async function buildEksToken(request: EksTokenRequest): Promise<EksToken> {
  const url = await presignGetCallerIdentity(request);
  // SigV4 dates have second precision; the lifetime counts from the signed X-Amz-Date.
  const signedAt = Math.floor(request.now.getTime() / 1000) * 1000;
  return { token: encodeEksToken(url), expiresAt: new Date(signedAt + TOKEN_LIFETIME_MS) };
}
