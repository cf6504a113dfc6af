/**
 * Credentials for target accounts: STS AssumeRole into the account's switchyard role with the
 * registry's ExternalId (the confused-deputy guard) and a recognisable session name, cached per
 * role until five minutes before they expire so every client of that account shares one session.
 */
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export interface RoleToAssume {
  roleArn: string;
  externalId?: string;
}

export type AccountConfigurationProblem = "RoleRequired" | "ExternalIdRequired" | "AccountMismatch";

/**
 * A target account the control plane must not act in as configured: no role for another account,
 * a role without ExternalId, or credentials that reach another account than the target names.
 * Terminal: only a change to the cluster registry fixes it.
 */
export class AwsConfigurationError extends Error {
  readonly reason: AccountConfigurationProblem;
  /** The account the target names. */
  readonly account: string;
  readonly cluster: string | undefined;

  constructor(reason: AccountConfigurationProblem, account: string, cluster: string | undefined, detail: string) {
    super(`${cluster ? `cluster ${cluster}, ` : ""}account ${account}: ${detail}`);
    this.name = "AwsConfigurationError";
    this.reason = reason;
    this.account = account;
    this.cluster = cluster;
  }
}

const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/.+$/;

/** The account of an STS assumed-role ARN (`AssumedRoleUser.Arn`), or undefined. */
export function assumedRoleAccount(arn: string): string | undefined {
  return ASSUMED_ROLE_ARN.exec(arn)?.[1];
}

export interface AssumedRoleCacheOptions {
  /** STS client making the AssumeRole calls (control-plane credentials). */
  sts: STSClient;
  /** RoleSessionName, shown in the target account's CloudTrail. Default `switchyard`. */
  sessionName?: string;
  /** Requested session length. Default 3600 s (the role's maximum may be lower; 900 s is the floor). */
  durationSeconds?: number;
  /** Refresh this long before expiry. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Epoch milliseconds; injected for tests. */
  now?: () => number;
  /**
   * An IAM policy (JSON) passed with every AssumeRole: the session may do only what both it and
   * the role allow. @default none — the session has the role's permissions
   */
  sessionPolicy?: string;
}

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/.+$/;

/** The account a role ARN belongs to, or undefined if it is not an IAM role ARN. */
export function roleAccount(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

/** RoleSessionName allows 2–64 of `[\w+=,.@-]`. */
export function sessionNameFor(text: string): string {
  const cleaned = text.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `${cleaned}--`.slice(0, 2);
}

interface Entry {
  credentials?: AwsCredentialIdentity & { expiration: Date };
  pending?: Promise<AwsCredentialIdentity & { expiration: Date }>;
}

export class AssumedRoleCache {
  readonly #sts: STSClient;
  readonly #sessionName: string;
  readonly #durationSeconds: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #sessionPolicy: string | undefined;
  readonly #entries = new Map<string, Entry>();

  constructor(options: AssumedRoleCacheOptions) {
    this.#sts = options.sts;
    this.#sessionName = sessionNameFor(options.sessionName ?? "switchyard");
    this.#durationSeconds = options.durationSeconds ?? 3600;
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.#now = options.now ?? Date.now;
    this.#sessionPolicy = options.sessionPolicy;
  }

  /** A provider the SDK calls before signing; it answers from the cache while fresh. */
  provider(role: RoleToAssume): AwsCredentialIdentityProvider {
    return () => this.get(role);
  }

  async get(role: RoleToAssume): Promise<AwsCredentialIdentity> {
    const key = `${role.roleArn}\u0000${role.externalId ?? ""}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {};
      this.#entries.set(key, entry);
    }
    const cached = entry.credentials;
    if (cached && cached.expiration.getTime() - this.#marginMs > this.#now()) return cached;
    // One AssumeRole per role at a time, however many clients ask at once.
    const current = entry;
    const pending =
      current.pending ??
      this.#assume(role).finally(() => {
        current.pending = undefined;
      });
    current.pending = pending;
    const fresh = await pending;
    current.credentials = fresh;
    return fresh;
  }

  async #assume(role: RoleToAssume): Promise<AwsCredentialIdentity & { expiration: Date }> {
    const response = await this.#sts.send(
      new AssumeRoleCommand({
        RoleArn: role.roleArn,
        RoleSessionName: this.#sessionName,
        DurationSeconds: this.#durationSeconds,
        ...(role.externalId ? { ExternalId: role.externalId } : {}),
        ...(this.#sessionPolicy ? { Policy: this.#sessionPolicy } : {}),
      }),
    );
    const c = response.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error(`AssumeRole ${role.roleArn} returned no complete credentials`);
    }
    const account = roleAccount(role.roleArn);
    // The session's own ARN says which account the credentials act in, at no extra call: a role
    // ARN that names one account and lands in another is refused before anything is done there.
    const landed = assumedRoleAccount(response.AssumedRoleUser?.Arn ?? "");
    if (account && landed && landed !== account) {
      throw new AwsConfigurationError(
        "AccountMismatch",
        account,
        undefined,
        `AssumeRole ${role.roleArn} returned a session in account ${landed}`,
      );
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
      ...(account ? { accountId: account } : {}),
    };
  }
}
