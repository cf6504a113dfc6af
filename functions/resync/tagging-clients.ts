/**
 * The resync's Resource Groups Tagging API clients, one per target (account, Region, role),
 * through the same read-only assumed sessions the client factory would open (STS AssumeRole with
 * the target's ExternalId and OWNER_LOOKUP_SESSION_POLICY, the confused-deputy checks of
 * TargetCredentials), each call counted and bounded by the call deadline. Apart from
 * AwsClientFactory because the resync reads tags and nothing else: the factory would bundle every
 * client the reconciler uses (EC2 alone is 549 KiB), as the status λ found before (bench/RESULTS.md,
 * cold-start).
 */
import { ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { ApiCallCounter, callCounterPlugin } from "../../shared/aws/call-counter.ts";
import { applyCallDeadline, DEFAULT_CALL_DEADLINE_MS } from "../../shared/aws/deadline.ts";
import { type AwsTarget, TargetCredentials } from "../../shared/aws/target-credentials.ts";

export interface TaggingClientsOptions {
  /** The control plane's own account (targets without a role must be it). */
  account: string;
  /** RoleSessionName of the assumed sessions. */
  sessionName: string;
  /** The session policy every AssumeRole carries (the resync's: `tag:GetResources` only). */
  sessionPolicy: string;
  /** An AWS-compatible endpoint for STS and the tagging API (tests, `switchyard dev`). */
  endpoint?: string;
  /** The control plane's own credentials. Default: the SDK's default chain. */
  credentials?: AwsCredentialIdentity;
  /** Default DEFAULT_CALL_DEADLINE_MS. */
  callDeadlineMs?: number;
}

export class TaggingClients {
  readonly counter = new ApiCallCounter();
  readonly #options: TaggingClientsOptions;
  readonly #sts: STSClient;
  readonly #targets: TargetCredentials;
  readonly #clients = new Map<string, ResourceGroupsTaggingAPIClient>();

  constructor(options: TaggingClientsOptions) {
    this.#options = options;
    // Roles are assumed in us-east-1 (STS's global endpoint), as the client factory does.
    this.#sts = new STSClient(this.#config("us-east-1"));
    this.#sts.middlewareStack.use(callCounterPlugin(this.counter));
    this.#targets = new TargetCredentials(this.#sts, {
      account: options.account,
      sessionName: options.sessionName,
      sessionPolicy: options.sessionPolicy,
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  tagging(target: AwsTarget): ResourceGroupsTaggingAPIClient {
    const key = [target.account, target.region, target.roleArn ?? "", target.externalId ?? ""].join("|");
    let client = this.#clients.get(key);
    if (!client) {
      const credentials = this.#targets.for(target);
      client = new ResourceGroupsTaggingAPIClient({
        ...this.#config(target.region),
        ...(credentials ? { credentials } : {}),
      });
      client.middlewareStack.use(callCounterPlugin(this.counter));
      client = applyCallDeadline(client, this.#options.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS);
      this.#clients.set(key, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
    this.#sts.destroy();
  }

  #config(region: string) {
    return {
      region,
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
      ...(this.#options.credentials ? { credentials: this.#options.credentials } : {}),
    };
  }
}
