/**
 * EKS bearer tokens for one cluster, minted from an IAM identity and reused until shortly before
 * they (or the credentials that signed them) expire, so a burst of status writes signs once.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { buildEksToken } from "../../aws/eks-token.ts";

export interface EksTokenSourceOptions {
  /** The name the cluster's authenticator expects in `x-k8s-aws-id`. */
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** STS endpoint override; default the regional endpoint. */
  stsEndpoint?: string;
  /** Mint a new token this long before the current one expires. Default 60 s. */
  refreshMarginMs?: number;
  now?: () => Date;
}

export class EksTokenSource {
  readonly #options: EksTokenSourceOptions;
  readonly #marginMs: number;
  readonly #now: () => Date;
  #cached: { token: string; validUntil: number } | undefined;
  /** How many tokens were minted; tests read it to check reuse. */
  minted = 0;

  constructor(options: EksTokenSourceOptions) {
    this.#options = options;
    this.#marginMs = options.refreshMarginMs ?? 60_000;
    this.#now = options.now ?? (() => new Date());
  }

  async token(): Promise<string> {
    const now = this.#now();
    if (this.#cached !== undefined && now.getTime() < this.#cached.validUntil - this.#marginMs)
      return this.#cached.token;
    const source = this.#options.credentials;
    const credentials = typeof source === "function" ? await source() : source;
    const { token, expiresAt } = await buildEksToken({
      clusterName: this.#options.clusterName,
      region: this.#options.region,
      credentials,
      now,
      ...(this.#options.stsEndpoint === undefined ? {} : { endpoint: this.#options.stsEndpoint }),
    });
    // STS refuses a presigned URL whose session has ended, whatever the token's own window says.
    const credentialsEnd = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    this.#cached = { token, validUntil: Math.min(expiresAt.getTime(), credentialsEnd) };
    this.minted++;
    return token;
  }

  /** Drops the cached token, e.g. after a 401 (the identity's mapping may have changed). */
  invalidate(): void {
    this.#cached = undefined;
  }
}
