/**
 * What the control-plane commands (`cluster`, `status`, `plan --live`, `apply`) share: the flags
 * naming the table, the endpoints and the queues (each with an environment variable), the AWS
 * clients made from them, and the one place an AWS failure becomes a message that says what to
 * do next. The I/O edge of the CLI; commands stay argument parsing and rendering.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsErrorCode } from "../shared/aws/errors.ts";
import { DataPlaneOperationError } from "../shared/reconcile/ports.ts";
import { DynamoDbClusterRegistry } from "../shared/registry/dynamodb.ts";
import { createDynamoDbLatticeStates, createDynamoDbStores } from "../shared/store/dynamodb/stores.ts";

/** parseArgs options every control-plane command takes. */
export const CONTROL_PLANE_OPTIONS = {
  help: { type: "boolean", short: "h" },
  output: { type: "string", short: "o" },
  table: { type: "string" },
  "aws-endpoint": { type: "string" },
  "dynamodb-endpoint": { type: "string" },
  "control-plane-account": { type: "string" },
} as const;

/** parseArgs options of the commands that read or write VPC Lattice (`plan --live`, `apply`). */
export const LATTICE_OPTIONS = {
  "lattice-endpoint": { type: "string" },
} as const;

export const LATTICE_HELP = `  --lattice-endpoint URL       VPC Lattice's endpoint alone, e.g. the Lattice emulator
                               [SWITCHYARD_LATTICE_ENDPOINT] (default --aws-endpoint)
`;

/** parseArgs options of the commands that find the control plane's queues. */
export const QUEUE_OPTIONS = {
  "queue-prefix": { type: "string" },
  "events-queue-url": { type: "string" },
  "reconcile-queue-url": { type: "string" },
} as const;

export const CONTROL_PLANE_HELP = `Control plane (each flag also read from the environment variable in brackets):
  --table NAME                 the switchyard DynamoDB table [SWITCHYARD_TABLE] (required)
  --aws-endpoint URL           one endpoint for every AWS service, e.g. moto [SWITCHYARD_AWS_ENDPOINT]
  --dynamodb-endpoint URL      DynamoDB endpoint, e.g. DynamoDB Local [SWITCHYARD_DYNAMODB_ENDPOINT]
                               (default --aws-endpoint)
  --control-plane-account ID   the control plane's account [SWITCHYARD_CONTROL_PLANE_ACCOUNT]
                               (default: the caller's, from STS GetCallerIdentity)
  -o, --output text|json       (default text)
Credentials and Region: the AWS SDK's default chain; AWS_REGION (default us-east-1).
`;

export const QUEUE_HELP = `Queues (for queue lag; found by name with a prefix, or given outright):
  --queue-prefix PREFIX        <PREFIX>-events.fifo, <PREFIX>-reconcile.fifo and their -dlq queues
                               [SWITCHYARD_QUEUE_PREFIX]
  --events-queue-url URL       [SWITCHYARD_EVENTS_QUEUE_URL]
  --reconcile-queue-url URL    [SWITCHYARD_RECONCILE_QUEUE_URL]
`;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ControlPlaneFlags {
  table?: string | undefined;
  "aws-endpoint"?: string | undefined;
  "dynamodb-endpoint"?: string | undefined;
  "control-plane-account"?: string | undefined;
  "lattice-endpoint"?: string | undefined;
}

export interface QueueFlags {
  "queue-prefix"?: string | undefined;
  "events-queue-url"?: string | undefined;
  "reconcile-queue-url"?: string | undefined;
}

export interface ControlPlaneSettings {
  table: string;
  region: string;
  awsEndpoint?: string;
  dynamoDbEndpoint?: string;
  /** VPC Lattice alone (moto has no Lattice: the Lattice emulator serves it). */
  latticeEndpoint?: string;
  controlPlaneAccount?: string;
}

/** A problem with the command line: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure whose message already says what to do next: printed as is, exit 1. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandFailure";
  }
}

const ACCOUNT = /^\d{12}$/;

function url(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    new URL(value);
  } catch {
    throw new UsageError(`${flag} must be a URL (got ${value})`);
  }
  return value;
}

/** Flags first, then the environment; throws UsageError naming the flag. */
export function controlPlaneSettings(flags: ControlPlaneFlags, env: Env): ControlPlaneSettings {
  const table = flags.table ?? env.SWITCHYARD_TABLE;
  if (table === undefined || table === "") {
    throw new UsageError(
      "--table is required (or set SWITCHYARD_TABLE): the control plane's DynamoDB table; `switchyard dev` uses switchyard-dev",
    );
  }
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) throw new UsageError(`--table ${table} is not a DynamoDB table name`);
  const awsEndpoint = url("--aws-endpoint", flags["aws-endpoint"] ?? env.SWITCHYARD_AWS_ENDPOINT);
  const dynamoDbEndpoint =
    url("--dynamodb-endpoint", flags["dynamodb-endpoint"] ?? env.SWITCHYARD_DYNAMODB_ENDPOINT) ?? awsEndpoint;
  const latticeEndpoint = url("--lattice-endpoint", flags["lattice-endpoint"] ?? env.SWITCHYARD_LATTICE_ENDPOINT);
  const account = flags["control-plane-account"] ?? env.SWITCHYARD_CONTROL_PLANE_ACCOUNT;
  if (account !== undefined && account !== "" && !ACCOUNT.test(account)) {
    throw new UsageError(`--control-plane-account must be a 12-digit account id (got ${account})`);
  }
  return {
    table,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1",
    ...(awsEndpoint ? { awsEndpoint } : {}),
    ...(dynamoDbEndpoint ? { dynamoDbEndpoint } : {}),
    ...(latticeEndpoint ? { latticeEndpoint } : {}),
    ...(account ? { controlPlaneAccount: account } : {}),
  };
}

/** `-o`: text or json; throws UsageError otherwise. */
export function outputFormat(value: string | undefined): "text" | "json" {
  const output = value ?? "text";
  if (output !== "text" && output !== "json") throw new UsageError(`-o must be text or json (got ${output})`);
  return output;
}

/** The clients of one command run, made lazily, destroyed together. */
export class ControlPlane {
  readonly settings: ControlPlaneSettings;
  #dynamo: DynamoDBClient | undefined;
  #sqs: SQSClient | undefined;
  #sts: STSClient | undefined;
  #account: Promise<string> | undefined;

  constructor(settings: ControlPlaneSettings) {
    this.settings = settings;
  }

  get dynamo(): DynamoDBClient {
    this.#dynamo ??= new DynamoDBClient({
      region: this.settings.region,
      ...(this.settings.dynamoDbEndpoint ? { endpoint: this.settings.dynamoDbEndpoint } : {}),
    });
    return this.#dynamo;
  }

  get sqs(): SQSClient {
    this.#sqs ??= new SQSClient({
      region: this.settings.region,
      ...(this.settings.awsEndpoint ? { endpoint: this.settings.awsEndpoint } : {}),
    });
    return this.#sqs;
  }

  get sts(): STSClient {
    this.#sts ??= new STSClient({
      region: this.settings.region,
      ...(this.settings.awsEndpoint ? { endpoint: this.settings.awsEndpoint } : {}),
    });
    return this.#sts;
  }

  /** The control plane's account: the flag, else the caller's (one STS call). */
  account(): Promise<string> {
    this.#account ??= this.settings.controlPlaneAccount
      ? Promise.resolve(this.settings.controlPlaneAccount)
      : this.sts.send(new GetCallerIdentityCommand({})).then((identity) => {
          if (!identity.Account)
            throw new Error("STS GetCallerIdentity returned no account: pass --control-plane-account");
          return identity.Account;
        });
    return this.#account;
  }

  async registry(): Promise<DynamoDbClusterRegistry> {
    return new DynamoDbClusterRegistry(this.dynamo, this.settings.table, await this.account());
  }

  stores() {
    return createDynamoDbStores(this.dynamo, this.settings.table);
  }

  /** The VPC Lattice Gateways' and ServiceExports' state records, on the same table. */
  latticeStates() {
    return createDynamoDbLatticeStates(this.dynamo, this.settings.table);
  }

  /** A queue's URL by name (GetQueueUrl: read-only). */
  async queueUrl(name: string): Promise<string> {
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name })).catch((error: unknown) => {
      const code = awsErrorCode(error);
      if (code === "QueueDoesNotExist" || code === "AWS.SimpleQueueService.NonExistentQueue") {
        throw new CommandFailure(
          `no queue ${name} at ${this.settings.awsEndpoint ?? `AWS in ${this.settings.region}`}: check --queue-prefix, or give the queue's URL (--events-queue-url, --status-queue-url)`,
        );
      }
      throw error;
    });
    if (QueueUrl === undefined) throw new Error(`GetQueueUrl ${name} returned no URL`);
    return QueueUrl;
  }

  destroy(): void {
    this.#dynamo?.destroy();
    this.#sqs?.destroy();
    this.#sts?.destroy();
  }
}

const REFUSED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "RoleRequired",
  "ExternalIdRequired",
  "AccountMismatch",
]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * An AWS (or network) failure as one line that says what went wrong and what to do next.
 * `settings` names the table and endpoints the command used.
 */
export function explainFailure(error: unknown, settings?: ControlPlaneSettings): string {
  if (error instanceof CommandFailure) return error.message;
  if (error instanceof DataPlaneOperationError) {
    // A read the reconciler's port made in the cluster's account (observe, discover, an operation).
    const hint = REFUSED.has(error.code)
      ? ": check the cluster's reconcile role (switchyard cluster list) and its permissions"
      : "";
    return `${error.operation} failed in the cluster's account: ${error.code}: ${error.message}${hint}`;
  }
  const code = awsErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const where = (endpoint: string | undefined) => endpoint ?? `AWS in ${settings?.region ?? "the configured Region"}`;
  const network = causeCode(error);
  if (network === "ECONNREFUSED" || network === "ENOTFOUND" || network === "EHOSTUNREACH" || network === "ETIMEDOUT") {
    return `cannot reach the endpoint (${network}): ${message}; check --aws-endpoint / --dynamodb-endpoint / --lattice-endpoint, or start the emulator`;
  }
  switch (code) {
    case "ResourceNotFoundException":
      return `table ${settings?.table ?? "?"} not found at ${where(settings?.dynamoDbEndpoint)}: check --table (SWITCHYARD_TABLE) and AWS_REGION, or create the control plane first (deploy infra/, or run \`switchyard dev\`)`;
    case "CredentialsProviderError":
      return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values work with moto)";
    case "QueueDoesNotExist":
    case "AWS.SimpleQueueService.NonExistentQueue":
      return `${message}: check --queue-prefix, or give the queue URLs (--events-queue-url, --reconcile-queue-url)`;
    case "AccessDenied":
    case "AccessDeniedException":
    case "UnauthorizedOperation":
    case "UnrecognizedClientException":
    case "InvalidClientTokenId":
    case "ExpiredToken":
    case "ExpiredTokenException":
      return `AWS refused the caller (${code}): ${message}; check the credentials (aws sts get-caller-identity) and their IAM permissions`;
    default:
      return `${code === "Error" ? "" : `${code}: `}${message}`;
  }
}
