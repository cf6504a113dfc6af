/**
 * `switchyard cluster register` flags → a cluster registration, checked by the registry's own
 * validator (shared/registry/cluster.ts), so the CLI accepts exactly what the registry accepts and
 * says which flag is at fault. Pure: the CA file is read by the command and passed in.
 */
import {
  type ClusterField,
  InvalidCluster,
  type RegisteredCluster,
  STATUS_MODES,
  validateCluster,
} from "../../shared/registry/cluster.ts";

/** The register flags as parseArgs returns them. */
export interface RegistrationFlags {
  "cluster-id"?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
  "vpc-id"?: string | undefined;
  "eks-cluster-name"?: string | undefined;
  "eks-endpoint"?: string | undefined;
  "reconcile-role"?: string | undefined;
  "external-id"?: string | undefined;
  "sender-principal"?: string | undefined;
  "sender-id"?: string | undefined;
  "status-mode"?: string | undefined;
}

/** The flag that sets each registry field, for error messages. */
export const FLAG_OF_FIELD: Record<ClusterField, string> = {
  cluster: "flags",
  clusterId: "--cluster-id",
  account: "--account",
  region: "--region",
  vpcId: "--vpc-id",
  eks: "--eks-cluster-name or --eks-endpoint",
  "eks.clusterName": "--eks-cluster-name",
  "eks.endpoint": "--eks-endpoint",
  "eks.caData": "--eks-ca-file",
  reconcileRoleArn: "--reconcile-role",
  externalId: "--external-id",
  senderPrincipal: "--sender-principal",
  senderId: "--sender-id",
  statusMode: "--status-mode",
};

/** A flag problem: the usage error the command prints (exit 2). */
export class RegistrationFlagError extends Error {
  readonly flag: string;

  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.name = "RegistrationFlagError";
    this.flag = flag;
  }
}

const REQUIRED: readonly (keyof RegistrationFlags)[] = ["cluster-id", "account", "vpc-id", "sender-principal"];

/**
 * The registration the flags describe, validated against `controlPlaneAccount` (a cluster in
 * another account needs `--reconcile-role` and `--external-id`). `caData` is the base64 of the
 * `--eks-ca-file` contents; `defaultRegion` stands in for a missing `--region` ($AWS_REGION).
 */
export function registrationFromFlags(
  flags: RegistrationFlags,
  options: { controlPlaneAccount: string; caData?: string; defaultRegion?: string },
): RegisteredCluster {
  for (const flag of REQUIRED) {
    if (flags[flag] === undefined || flags[flag] === "") throw new RegistrationFlagError(`--${flag}`, "required");
  }
  const region = flags.region ?? options.defaultRegion;
  if (region === undefined || region === "")
    throw new RegistrationFlagError("--region", "required (or set AWS_REGION)");
  const byName = flags["eks-cluster-name"];
  const endpoint = flags["eks-endpoint"];
  if ((byName === undefined) === (endpoint === undefined)) {
    throw new RegistrationFlagError(
      "--eks-cluster-name",
      "give the EKS cluster's name, or its API endpoint with --eks-endpoint URL --eks-ca-file FILE (exactly one)",
    );
  }
  if (endpoint !== undefined && options.caData === undefined) {
    throw new RegistrationFlagError("--eks-ca-file", "required with --eks-endpoint (the API server's CA bundle, PEM)");
  }
  if (byName !== undefined && options.caData !== undefined) {
    throw new RegistrationFlagError("--eks-ca-file", "only with --eks-endpoint: an EKS name brings its own CA");
  }
  const mode = flags["status-mode"];
  if (mode !== undefined && !(STATUS_MODES as readonly string[]).includes(mode)) {
    throw new RegistrationFlagError("--status-mode", `must be ${STATUS_MODES.join(" or ")} (got ${mode})`);
  }
  const input: Record<string, unknown> = {
    clusterId: flags["cluster-id"],
    account: flags.account,
    region,
    vpcId: flags["vpc-id"],
    eks: byName !== undefined ? { clusterName: byName } : { endpoint, caData: options.caData },
    senderPrincipal: flags["sender-principal"],
    ...(flags["reconcile-role"] !== undefined ? { reconcileRoleArn: flags["reconcile-role"] } : {}),
    ...(flags["external-id"] !== undefined ? { externalId: flags["external-id"] } : {}),
    ...(flags["sender-id"] !== undefined ? { senderId: flags["sender-id"] } : {}),
    ...(mode !== undefined ? { statusMode: mode } : {}),
  };
  try {
    return validateCluster(input, options.controlPlaneAccount);
  } catch (error) {
    if (error instanceof InvalidCluster) throw new RegistrationFlagError(FLAG_OF_FIELD[error.field], error.reason);
    throw error;
  }
}
