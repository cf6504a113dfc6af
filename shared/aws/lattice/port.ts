/**
 * The reconcile engine's LatticePort over the AWS SDK: one instance per Gateway and target account.
 * Observation, discovery and execution are the functions of this folder; this adapter binds them
 * to a client (from the AwsClientFactory: call counting, rate limiting, AssumeRole) and translates
 * their errors into the engine's terms.
 */
import type { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import type { LatticeModel } from "../../lattice/model.ts";
import type { ObservedLattice } from "../../lattice/observed.ts";
import type { LatticeOperation } from "../../lattice/operations.ts";
import type { LatticePort } from "../../reconcile/lattice-plane.ts";
import { LatticeOperationError } from "../../reconcile/lattice-plane.ts";
import type { AwsClientFactory, AwsTarget } from "../clients.ts";
import { AwsConfigurationError } from "../credentials.ts";
import { type LatticeOperationName, latticeError } from "./errors.ts";
import { executeLattice } from "./execute.ts";
import { discoverLattice, type LatticeOwner, observeLattice, refreshLattice } from "./observe.ts";
import { resolveReferences } from "./references.ts";

export interface AwsLatticeOptions {
  /** The cluster's VPC (from the cluster registry): target groups and the network's VPC association. */
  vpcId?: string;
}

export class AwsLattice implements LatticePort {
  readonly #factory: AwsClientFactory;
  readonly #target: AwsTarget;
  readonly #owner: LatticeOwner;
  readonly #options: AwsLatticeOptions;

  constructor(factory: AwsClientFactory, target: AwsTarget, owner: LatticeOwner, options: AwsLatticeOptions = {}) {
    this.#factory = factory;
    this.#target = target;
    this.#owner = owner;
    this.#options = options;
  }

  observe(applied: ObservedLattice): Promise<ObservedLattice> {
    return this.#translate("observe", (client) => observeLattice(client, applied));
  }

  refresh(applied: ObservedLattice): Promise<ObservedLattice> {
    return this.#translate("refresh", (client) => refreshLattice(client, applied));
  }

  discover(_gatewayKey: string): Promise<ObservedLattice> {
    return this.#translate("discover", (client) =>
      discoverLattice(client, this.#owner, {
        account: this.#target.account,
        ...(this.#options.vpcId ? { vpcId: this.#options.vpcId } : {}),
      }),
    );
  }

  resolve(desired: LatticeModel): Promise<LatticeModel> {
    return this.#translate("discover", (client) => resolveReferences(client, desired, this.#target.account));
  }

  execute(op: LatticeOperation, current: ObservedLattice, _created: Map<string, string>): Promise<ObservedLattice> {
    return this.#translate(op.op, (client) =>
      executeLattice(op, current, {
        client,
        owner: this.#owner,
        account: this.#target.account,
        ...(this.#options.vpcId ? { vpcId: this.#options.vpcId } : {}),
      }),
    );
  }

  async #translate<T>(operation: LatticeOperationName, run: (client: VPCLatticeClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.#factory.lattice(this.#target));
    } catch (error) {
      if (error instanceof LatticeOperationError) throw error;
      // A target the registry cannot reach as configured: no attempt can succeed until it changes.
      if (error instanceof AwsConfigurationError) {
        throw new LatticeOperationError("terminal", error.reason, operation, error.message);
      }
      throw latticeError(error, operation);
    }
  }
}
