/**
 * Which credentials reach a target account: an assumed role's (STS AssumeRole, cached per role
 * until 5 minutes before expiry), or the control plane's own for its own account, with the
 * confused-deputy checks (a role outside the control plane's account needs an ExternalId; a role
 * must be in the account it is registered for). Apart from AwsClientFactory, which builds every
 * client on it, so a handler that needs only credentials (the status λ: EKS tokens) bundles STS
 * alone, not the ELBv2, EC2, Lattice, WAF, Shield and tagging clients.
 */
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { AssumedRoleCache, AwsConfigurationError, roleAccount } from "./credentials.ts";

/**
 * Where a client acts: an account and Region, reached through a role when one is given. A target
 * outside the control plane's own account needs a role in that account and a non-empty
 * ExternalId; only the control plane's own account may be reached with its own credentials.
 */
export interface AwsTarget {
  account: string;
  region: string;
  /** Role in the target account to assume; without it the factory's own credentials are used. */
  roleArn?: string;
  /** ExternalId the role's trust policy requires; `""` counts as none. */
  externalId?: string;
  /** The registered cluster this target serves, named in configuration errors. */
  cluster?: string;
}

export interface TargetCredentialsOptions {
  /** The control plane's own credentials. Default: `sts`'s (the SDK's default chain). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * The control plane's own account: the only one a target without a role may name. Default: the
   * `accountId` of static `credentials`, else learnt with one STS GetCallerIdentity, the first
   * time a target without a role is used.
   */
  account?: string;
  /** RoleSessionName for AssumeRole. Default `switchyard`. */
  sessionName?: string;
  /** A session policy (IAM policy JSON) for every AssumeRole. Default: none. */
  sessionPolicy?: string;
  /** Epoch ms, for the credential cache. Default: Date.now. */
  now?: () => number;
}

function roleRequired(target: AwsTarget, home: string): AwsConfigurationError {
  return new AwsConfigurationError(
    "RoleRequired",
    target.account,
    target.cluster,
    `no role to assume, and the control plane's own credentials act in account ${home}: register a role in ${target.account} with an ExternalId`,
  );
}

export class TargetCredentials {
  readonly #sts: STSClient;
  readonly #options: TargetCredentialsOptions;
  readonly #roles: AssumedRoleCache;
  #home: Promise<string> | undefined;

  /** `sts`: the control plane's own STS client, which assumes the roles. */
  constructor(sts: STSClient, options: TargetCredentialsOptions = {}) {
    this.#sts = sts;
    this.#options = options;
    this.#roles = new AssumedRoleCache({
      sts,
      now: options.now ?? Date.now,
      ...(options.sessionName ? { sessionName: options.sessionName } : {}),
      ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    });
  }

  /**
   * Credentials of a target: the assumed role's, or the control plane's own for its own account
   * (undefined: the SDK's default chain). Throws AwsConfigurationError (terminal) for a target
   * that may not be reached as configured; a check that needs the control plane's account from
   * STS fails the first call.
   */
  for(target: AwsTarget): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
    const home = this.#knownAccount();
    if (!target.roleArn) {
      if (home !== undefined && home !== target.account) throw roleRequired(target, home);
      if (home !== undefined) return this.#options.credentials;
      return async () => {
        const own = await this.#controlPlaneAccount();
        if (own !== target.account) throw roleRequired(target, own);
        return this.#sts.config.credentials();
      };
    }
    const account = roleAccount(target.roleArn);
    if (account !== target.account) {
      throw new AwsConfigurationError(
        "AccountMismatch",
        target.account,
        target.cluster,
        `role ${target.roleArn} is not in account ${target.account}: the cluster registry's role and account disagree`,
      );
    }
    // The confused-deputy guard: any account but the control plane's own needs an ExternalId.
    if (!target.externalId && target.account !== home) {
      throw new AwsConfigurationError(
        "ExternalIdRequired",
        target.account,
        target.cluster,
        `role ${target.roleArn} has no ExternalId; every target account outside the control plane's needs one`,
      );
    }
    return this.#roles.provider({
      roleArn: target.roleArn,
      ...(target.externalId ? { externalId: target.externalId } : {}),
    });
  }

  /** The control plane's own credentials as a provider (its STS client's). */
  own(): AwsCredentialIdentityProvider {
    return this.#sts.config.credentials;
  }

  #knownAccount(): string | undefined {
    if (this.#options.account) return this.#options.account;
    const credentials = this.#options.credentials;
    return typeof credentials === "object" && credentials.accountId ? credentials.accountId : undefined;
  }

  /** The control plane's account, asked of STS once when not configured. */
  #controlPlaneAccount(): Promise<string> {
    this.#home ??= this.#sts.send(new GetCallerIdentityCommand({})).then((identity) => {
      if (!identity.Account) throw new Error("STS GetCallerIdentity returned no Account");
      return identity.Account;
    });
    // A failed lookup is not remembered: the next call asks again.
    this.#home.catch(() => {
      this.#home = undefined;
    });
    return this.#home;
  }
}
