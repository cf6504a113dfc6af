/**
 * AWS SDK v3 clients for the accounts and Regions switchyard manages, made and cached per
 * (account, Region, role, ExternalId). Every client shares:
 * - credentials from STS AssumeRole (cached per role until 5 minutes before expiry), or the
 *   control plane's own credentials when the target has no role;
 * - the SDK's adaptive retry mode, which retries throttling and 5xx with backoff and slows its
 *   own sending rate after throttling;
 * - one token-bucket limiter per (account, Region), separate for reads and writes;
 * - one ApiCallCounter (calls and attempts per service and operation);
 * - a deadline per call, retries included (DEFAULT_CALL_DEADLINE_MS, well inside the reconcile
 *   lease), and connection and per-attempt request timeouts on the HTTP handler;
 * - an optional endpoint (moto, or any AWS-compatible endpoint) and request handler (tests).
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { ShieldClient } from "@aws-sdk/client-shield";
import { STSClient } from "@aws-sdk/client-sts";
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { WAFV2Client } from "@aws-sdk/client-wafv2";
import type { HttpHandler } from "@smithy/core/protocols";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  MetadataBearer,
  Pluggable,
  RetryStrategyV2,
} from "@smithy/types";
import { ApiCallCounter, callCounterPlugin } from "./call-counter.ts";
import {
  applyCallDeadline,
  DEFAULT_CALL_DEADLINE_MS,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from "./deadline.ts";
import {
  type Clock,
  DEFAULT_RATE_LIMITS,
  type RateLimiter,
  RateLimiterRegistry,
  type RateLimits,
  rateLimitPlugin,
  systemClock,
} from "./rate-limiter.ts";
import { type AwsTarget, TargetCredentials } from "./target-credentials.ts";

export type { AwsTarget } from "./target-credentials.ts";

export interface AwsClientFactoryOptions {
  /** Endpoint override for every service (moto, LocalStack-style servers). Default: AWS. */
  endpoint?: string;
  /**
   * Endpoint override for VPC Lattice alone (moto has no Lattice: the Lattice emulator serves it).
   * Default: `endpoint`.
   */
  latticeEndpoint?: string;
  /** The control plane's own credentials, used for STS and for targets without a role. Default: the SDK's default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * The control plane's own account: the only one a target without a role may name. Default: the
   * `accountId` of static `credentials`, else learnt with one STS GetCallerIdentity per factory,
   * the first time a target without a role is used.
   */
  account?: string;
  /** Region for STS calls when no target Region applies. Default `us-east-1`. */
  stsRegion?: string;
  /** RoleSessionName for AssumeRole. Default `switchyard`. */
  sessionName?: string;
  /**
   * A session policy (IAM policy JSON) for every AssumeRole, narrowing what the assumed sessions
   * may do (the resync function's owner lookup: `tag:GetResources` only). Default: none.
   */
  sessionPolicy?: string;
  /** Attempts per call, first one included. Default 8: adaptive mode needs room to back off. */
  maxAttempts?: number;
  /**
   * The SDK retry strategy of every client, replacing adaptive mode and `maxAttempts`: e.g.
   * immediate retries where time is virtual (the chaos runs). Default: adaptive mode.
   */
  retryStrategy?: RetryStrategyV2;
  /** Shared call counter. Default: a new one, exposed as `factory.counter`. */
  counter?: ApiCallCounter;
  /** Token-bucket limits per (account, Region). Default DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimits;
  /** Clock for the limiter and the credential cache. Default: the system clock. */
  clock?: Clock;
  /**
   * HTTP handler for every client, e.g. a FaultInjectingHandler in tests. Default: a
   * NodeHttpHandler with `connectionTimeoutMs` and `requestTimeoutMs`.
   */
  requestHandler?: HttpHandler;
  /**
   * Longest one call may take, SDK retries and backoff included; past it the call is aborted and
   * reported retryable (`CallDeadlineExceeded`). Keep it well inside the reconcile lease.
   * Default DEFAULT_CALL_DEADLINE_MS (20 s).
   */
  callDeadlineMs?: number;
  /** Per-attempt wait for an answer. Default DEFAULT_REQUEST_TIMEOUT_MS (10 s). */
  requestTimeoutMs?: number;
  /** Wait for a connection to open. Default DEFAULT_CONNECTION_TIMEOUT_MS (3 s). */
  connectionTimeoutMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** Where Shield Advanced's API is served for the aws partition. */
const SHIELD_REGION = "us-east-1";

interface Destroyable {
  destroy(): void;
}

export class AwsClientFactory {
  readonly counter: ApiCallCounter;
  readonly #options: AwsClientFactoryOptions;
  readonly #limiters: RateLimiterRegistry;
  readonly #clients = new Map<string, Destroyable>();
  readonly #sts: STSClient;
  readonly #targets: TargetCredentials;
  readonly #requestHandler: HttpHandler;
  readonly callDeadlineMs: number;

  constructor(options: AwsClientFactoryOptions = {}) {
    this.#options = options;
    this.callDeadlineMs = options.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
    this.#requestHandler =
      options.requestHandler ??
      new NodeHttpHandler({
        connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
        requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
    this.counter = options.counter ?? new ApiCallCounter();
    const clock = options.clock ?? systemClock;
    this.#limiters = new RateLimiterRegistry(options.rateLimits ?? DEFAULT_RATE_LIMITS, clock);
    this.#sts = applyCallDeadline(
      new STSClient(this.#config(options.stsRegion ?? "us-east-1", options.credentials)),
      this.callDeadlineMs,
    );
    this.#sts.middlewareStack.use(callCounterPlugin(this.counter));
    this.#targets = new TargetCredentials(this.#sts, {
      now: () => clock.now(),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.account ? { account: options.account } : {}),
      ...(options.sessionName ? { sessionName: options.sessionName } : {}),
      ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    });
  }

  /**
   * Credentials of a target: the assumed role's, or the factory's own for the control plane's own
   * account. Throws AwsConfigurationError (terminal) for a target that may not be reached as
   * configured; a check that needs the control plane's account from STS fails the first call.
   */
  credentials(target: AwsTarget): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
    return this.#targets.for(target);
  }

  limiter(target: AwsTarget): RateLimiter {
    return this.#limiters.for(target.account, target.region);
  }

  elbv2(target: AwsTarget): ElasticLoadBalancingV2Client {
    return this.#cached("elbv2", target, () => {
      const client = new ElasticLoadBalancingV2Client(this.#config(target.region, this.credentials(target)));
      this.#instrument(client.middlewareStack, target);
      return client;
    });
  }

  ec2(target: AwsTarget): EC2Client {
    return this.#cached("ec2", target, () => {
      const client = new EC2Client(this.#config(target.region, this.credentials(target)));
      this.#instrument(client.middlewareStack, target);
      return client;
    });
  }

  /** VPC Lattice, with the same credentials, counting and rate limits as ELBv2. */
  lattice(target: AwsTarget): VPCLatticeClient {
    return this.#cached("lattice", target, () => {
      const config = this.#config(target.region, this.credentials(target));
      const endpoint = this.#options.latticeEndpoint;
      const client = new VPCLatticeClient(endpoint ? { ...config, endpoint } : config);
      this.#instrument(client.middlewareStack, target);
      return client;
    });
  }

  wafv2(target: AwsTarget): WAFV2Client {
    return this.#cached("wafv2", target, () => {
      const client = new WAFV2Client(this.#config(target.region, this.credentials(target)));
      this.#instrument(client.middlewareStack, target);
      return client;
    });
  }

  /** Shield Advanced: a global API served from us-east-1, whatever the target's Region. */
  shield(target: AwsTarget): ShieldClient {
    return this.#cached("shield", target, () => {
      const client = new ShieldClient(this.#config(SHIELD_REGION, this.credentials(target)));
      this.#instrument(client.middlewareStack, target);
      return client;
    });
  }

  tagging(target: AwsTarget): ResourceGroupsTaggingAPIClient {
    return this.#cached("tagging", target, () => {
      const client = new ResourceGroupsTaggingAPIClient(this.#config(target.region, this.credentials(target)));
      this.#instrument(client.middlewareStack, target);
      return client;
    });
  }

  /** STS with the target's credentials (e.g. GetCallerIdentity to check which account a role lands in). */
  sts(target: AwsTarget): STSClient {
    return this.#cached("sts", target, () => {
      const client = new STSClient(this.#config(target.region, this.credentials(target)));
      client.middlewareStack.use(callCounterPlugin(this.counter));
      return client;
    });
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
    this.#sts.destroy();
  }

  #cached<T extends Destroyable & { send(command: never): Promise<unknown> }>(
    service: string,
    target: AwsTarget,
    make: () => T,
  ): T {
    const key = [service, target.account, target.region, target.roleArn ?? "", target.externalId ?? ""].join("|");
    const existing = this.#clients.get(key);
    if (existing) return existing as T;
    const client = applyCallDeadline(make(), this.callDeadlineMs);
    this.#clients.set(key, client);
    return client;
  }

  #instrument<I extends object, O extends MetadataBearer>(
    stack: { use(pluggable: Pluggable<I, O>): void },
    target: AwsTarget,
  ): void {
    stack.use(callCounterPlugin<I, O>(this.counter));
    stack.use(rateLimitPlugin<I, O>(this.limiter(target)));
  }

  #config(region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined) {
    return {
      region,
      ...(this.#options.retryStrategy
        ? { retryStrategy: this.#options.retryStrategy }
        : { retryMode: "adaptive", maxAttempts: this.#options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS }),
      ...(credentials ? { credentials } : {}),
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
      requestHandler: this.#requestHandler,
    };
  }
}
