/**
 * The reconcile engine's ElbPort over the AWS SDK: one instance per Gateway and target account.
 * Observation, discovery and execution are the functions of this folder; this adapter only binds
 * them to a client and translates their errors into the engine's terms.
 */
import type { ObservedElb } from "../../elb/observed.ts";
import type { ElbOperation } from "../../elb/operations.ts";
import { ElbOperationError, type ElbPort } from "../../reconcile/ports.ts";
import type { AwsClientFactory, AwsTarget } from "../clients.ts";
import { AwsConfigurationError } from "../credentials.ts";
import { discoverSecurityGroups, observeSecurityGroups } from "../ec2/observe.ts";
import { AwsOperationError } from "../errors.ts";
import { ExecutionError, executeOperation, type ResourceOwner, startExecution } from "./execute.ts";
import { network } from "./executors/context.ts";
import type { VpcSelector } from "./network.ts";
import { discoverByTags, observeFromArns, refreshLoadBalancer } from "./observe.ts";

export interface AwsElbOptions {
  /** VPC for target groups, security groups and subnet discovery (from the cluster registry). */
  vpc?: VpcSelector;
  /** Use the Resource Groups Tagging API for discovery (default true). */
  taggingApi?: boolean;
  /**
   * The EKS cluster's name (from the cluster registry): subnets and security groups tagged
   * `kubernetes.io/cluster/<name>` are preferred, subnets tagged for other clusters left out.
   * @default undefined — no cluster tag is consulted
   */
  eksClusterName?: string;
}

export class AwsElb implements ElbPort {
  readonly #factory: AwsClientFactory;
  readonly #target: AwsTarget;
  readonly #owner: ResourceOwner;
  readonly #options: AwsElbOptions;
  /** The VPC id once looked up: every later operation of this Gateway reuses it. */
  #vpcId: string | undefined;

  constructor(factory: AwsClientFactory, target: AwsTarget, owner: ResourceOwner, options: AwsElbOptions = {}) {
    this.#factory = factory;
    this.#target = target;
    this.#owner = owner;
    this.#options = options;
  }

  async observe(applied: ObservedElb): Promise<ObservedElb> {
    return this.#translate("observe", async () => {
      const elb = await observeFromArns(this.#factory.elbv2(this.#target), applied, {
        owner: { cluster: this.#owner.clusterId, gateway: this.#owner.gatewayKey },
        addOnClients: this.#addOnClients(),
      });
      if (!applied.securityGroups) return elb;
      const ec2 = this.#factory.ec2(this.#target);
      const vpcId = this.#vpcId ?? this.#options.vpc?.id;
      const securityGroups = await observeSecurityGroups(ec2, applied.securityGroups, {
        owner: this.#owner,
        ...(vpcId ? { vpcId } : {}),
        ...(this.#options.eksClusterName ? { eksClusterName: this.#options.eksClusterName } : {}),
      });
      return { ...elb, securityGroups };
    });
  }

  async refresh(applied: ObservedElb): Promise<ObservedElb> {
    return this.#translate("observe", () => refreshLoadBalancer(this.#factory.elbv2(this.#target), applied));
  }

  async discover(): Promise<ObservedElb> {
    const tagging = this.#options.taggingApi === false ? undefined : this.#factory.tagging(this.#target);
    return this.#translate("discover", async () => {
      const elb = await discoverByTags(
        this.#factory.elbv2(this.#target),
        tagging,
        { cluster: this.#owner.clusterId, gateway: this.#owner.gatewayKey },
        { addOnClients: this.#addOnClients() },
      );
      const ec2 = this.#factory.ec2(this.#target);
      const vpc = this.#vpcId ? { id: this.#vpcId } : this.#options.vpc;
      const securityGroups = await network("discover", () =>
        discoverSecurityGroups(ec2, {
          owner: this.#owner,
          ...(vpc ? { vpc } : {}),
          targetGroups: elb.targetGroups,
          ...(this.#options.eksClusterName ? { eksClusterName: this.#options.eksClusterName } : {}),
        }),
      );
      return { ...elb, securityGroups };
    });
  }

  async execute(op: ElbOperation, current: ObservedElb, created: Map<string, string>): Promise<ObservedElb> {
    const ctx = startExecution(this.#owner, current, this.#options.vpc);
    ctx.ruleArns = Object.fromEntries(created);
    if (this.#vpcId) ctx.vpcId = this.#vpcId;
    try {
      const after = await executeOperation(this.#factory.elbv2(this.#target), op, ctx, {
        ec2: this.#factory.ec2(this.#target),
        ...(this.#options.eksClusterName ? { eksClusterName: this.#options.eksClusterName } : {}),
        ...this.#addOnClients(),
      });
      for (const [key, arn] of Object.entries(after.ruleArns)) created.set(key, arn);
      this.#vpcId ??= after.vpcId;
      return after.observed;
    } catch (error) {
      if (error instanceof ExecutionError) {
        throw new ElbOperationError(error.kind, error.reason, op.op, error.message, error.context.observed);
      }
      if (error instanceof AwsOperationError)
        throw new ElbOperationError(error.kind, error.reason, op.op, error.message);
      if (error instanceof AwsConfigurationError)
        throw new ElbOperationError("terminal", error.reason, op.op, error.message);
      throw error;
    }
  }

  /** WAFv2 and Shield, for the add-ons of an Application Load Balancer (clients are made, not called). */
  #addOnClients() {
    return { wafv2: this.#factory.wafv2(this.#target), shield: this.#factory.shield(this.#target) };
  }

  async #translate<T>(what: "observe" | "discover", run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AwsOperationError)
        throw new ElbOperationError(error.kind, error.reason, what, error.message);
      if (error instanceof AwsConfigurationError)
        throw new ElbOperationError("terminal", error.reason, what, error.message);
      throw error;
    }
  }
}
