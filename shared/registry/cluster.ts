/**
 * A cluster registered with the control plane, and the one validator every way in goes through:
 * the CLI's `cluster register`, the CDK construct, and every item read back from the table (a
 * stored item is validated like input, never cast, so a hand-edited item cannot smuggle in a value
 * the ingest or the status writer would trust).
 */
import { roleAccount } from "../aws/credentials.ts";

export type StatusMode = "direct" | "via-forwarder";
export const STATUS_MODES: readonly StatusMode[] = ["direct", "via-forwarder"];
export const DEFAULT_STATUS_MODE: StatusMode = "direct";

/** How to reach the cluster's API server: by EKS name (DescribeCluster) or given outright. */
export type EksConnection = { clusterName: string } | { endpoint: string; caData: string };

export interface RegisteredCluster {
  /** Lower-case alphanumerics and `-`, at most 63: it appears in keys, tags and queue names. */
  clusterId: string;
  /** The AWS account the cluster and its load balancers live in. */
  account: string;
  region: string;
  vpcId: string;
  eks: EksConnection;
  /** Role the reconciler assumes in `account`; required when that is not the control plane's. */
  reconcileRoleArn?: string;
  /** ExternalId for that AssumeRole (the confused-deputy guard); required with a cross-account role. */
  externalId?: string;
  /** The IAM principal whose SQS SenderId the ingest accepts as this cluster's forwarder. */
  senderPrincipal: string;
  /**
   * That principal's unique id as SQS reports it in a message's `SenderId` (a role's `AROA…`, a
   * user's `AIDA…`): ingest accepts a cluster's events only from it. An ARN cannot be compared
   * with a SenderId, and unlike an ARN the id is not reused by a role deleted and created again.
   * Resolve it at registration with `iam:GetRole` (`Role.RoleId`) or `iam:GetUser`.
   * @default none — every event claiming this cluster is refused as unregistered
   */
  senderId?: string;
  statusMode: StatusMode;
}

export type ClusterField =
  | "cluster"
  | "clusterId"
  | "account"
  | "region"
  | "vpcId"
  | "eks"
  | "eks.clusterName"
  | "eks.endpoint"
  | "eks.caData"
  | "reconcileRoleArn"
  | "externalId"
  | "senderPrincipal"
  | "senderId"
  | "statusMode";

/** A registration refused, naming the field at fault. */
export class InvalidCluster extends Error {
  readonly field: ClusterField;
  readonly reason: string;

  constructor(field: ClusterField, reason: string) {
    super(`invalid cluster registration: ${field}: ${reason}`);
    this.name = "InvalidCluster";
    this.field = field;
    this.reason = reason;
  }
}

const CLUSTER_ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** EKS CreateCluster's name pattern. */
const EKS_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** STS AssumeRole ExternalId: 2–1224 of these characters. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const PRINCIPAL = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]+$/;
/** IAM unique ids: a four-letter prefix (AROA role, AIDA user, …) and upper-case alphanumerics. */
const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{12,124}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const KNOWN_FIELDS = new Set([
  "clusterId",
  "account",
  "region",
  "vpcId",
  "eks",
  "reconcileRoleArn",
  "externalId",
  "senderPrincipal",
  "senderId",
  "statusMode",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredString(record: Record<string, unknown>, field: ClusterField & keyof RegisteredCluster): string {
  const value = record[field];
  if (typeof value !== "string" || value === "") throw new InvalidCluster(field, "required, a non-empty string");
  return value;
}

function optionalString(record: Record<string, unknown>, field: ClusterField & keyof RegisteredCluster) {
  const value = record[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new InvalidCluster(field, "must be a string");
  return value;
}

function matching(field: ClusterField, value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new InvalidCluster(field, `${JSON.stringify(value)} is not ${what}`);
  return value;
}

function validateEks(value: unknown): EksConnection {
  if (!isRecord(value)) throw new InvalidCluster("eks", "required: { clusterName } or { endpoint, caData }");
  const { clusterName, endpoint, caData, ...rest } = value;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new InvalidCluster("eks", `unknown field(s) ${extra.join(", ")}`);
  if (clusterName !== undefined) {
    if (endpoint !== undefined || caData !== undefined) {
      throw new InvalidCluster("eks", "either clusterName or endpoint and caData, not both");
    }
    if (typeof clusterName !== "string") throw new InvalidCluster("eks.clusterName", "must be a string");
    return { clusterName: matching("eks.clusterName", clusterName, EKS_NAME, "an EKS cluster name") };
  }
  if (typeof endpoint !== "string" || endpoint === "") throw new InvalidCluster("eks.endpoint", "required");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidCluster("eks.endpoint", `${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== "https:") throw new InvalidCluster("eks.endpoint", "must be an https URL");
  if (typeof caData !== "string" || caData === "") throw new InvalidCluster("eks.caData", "required");
  // Base64 of the PEM bundle, as kubeconfig's certificate-authority-data and DescribeCluster give it.
  if (!BASE64.test(caData)) throw new InvalidCluster("eks.caData", "must be base64");
  if (!Buffer.from(caData, "base64").toString("utf8").includes("-----BEGIN CERTIFICATE-----")) {
    throw new InvalidCluster("eks.caData", "must be base64 of a PEM certificate bundle");
  }
  return { endpoint, caData };
}

/**
 * Checks a registration (user input or a stored item) and returns it with defaults filled in.
 * `controlPlaneAccount` decides whether a reconcile role and ExternalId are required: a cluster in
 * another account can only be reached by assuming a role there.
 */
export function validateCluster(input: unknown, controlPlaneAccount: string): RegisteredCluster {
  if (!isRecord(input)) throw new InvalidCluster("cluster", "must be an object");
  const unknown = Object.keys(input).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) throw new InvalidCluster("cluster", `unknown field(s) ${unknown.join(", ")}`);

  const clusterId = requiredString(input, "clusterId");
  if (clusterId.length > 63) throw new InvalidCluster("clusterId", "at most 63 characters");
  matching("clusterId", clusterId, CLUSTER_ID, "lower-case alphanumerics and '-', starting and ending alphanumeric");
  const account = matching("account", requiredString(input, "account"), ACCOUNT, "a 12-digit AWS account id");
  const region = matching("region", requiredString(input, "region"), REGION, "an AWS Region");
  const vpcId = matching("vpcId", requiredString(input, "vpcId"), VPC_ID, "a VPC id");
  const eks = validateEks(input.eks);
  const senderPrincipal = matching(
    "senderPrincipal",
    requiredString(input, "senderPrincipal"),
    PRINCIPAL,
    "an IAM or STS principal ARN",
  );

  const senderId = optionalString(input, "senderId");
  if (senderId !== undefined) matching("senderId", senderId, UNIQUE_ID, "an IAM unique id (AROA…, AIDA…)");

  const statusMode = input.statusMode ?? DEFAULT_STATUS_MODE;
  if (typeof statusMode !== "string" || !(STATUS_MODES as readonly string[]).includes(statusMode)) {
    throw new InvalidCluster("statusMode", `must be one of ${STATUS_MODES.join(", ")}`);
  }

  const crossAccount = account !== controlPlaneAccount;
  const reconcileRoleArn = optionalString(input, "reconcileRoleArn");
  const externalId = optionalString(input, "externalId");
  if (reconcileRoleArn === undefined || reconcileRoleArn === "") {
    if (crossAccount) {
      throw new InvalidCluster(
        "reconcileRoleArn",
        `required: account ${account} is not the control plane's (${controlPlaneAccount})`,
      );
    }
  } else if (roleAccount(reconcileRoleArn) !== account) {
    throw new InvalidCluster("reconcileRoleArn", `must be an IAM role ARN in account ${account}`);
  }
  if (externalId === undefined || externalId === "") {
    if (crossAccount) throw new InvalidCluster("externalId", "required with a role in another account");
  } else {
    matching("externalId", externalId, EXTERNAL_ID, "an STS ExternalId (2-1224 of [\\w+=,.@:/-])");
  }

  const cluster: RegisteredCluster = {
    clusterId,
    account,
    region,
    vpcId,
    eks,
    senderPrincipal,
    statusMode: statusMode as StatusMode,
  };
  if (reconcileRoleArn !== undefined && reconcileRoleArn !== "") cluster.reconcileRoleArn = reconcileRoleArn;
  if (externalId !== undefined && externalId !== "") cluster.externalId = externalId;
  if (senderId !== undefined) cluster.senderId = senderId;
  return cluster;
}
