/**
 * The control plane: the pipeline's queues, the switchyard table, the claim-check bucket, the four
 * handlers, the resync schedule and AWS-event rules, a dashboard and alarms. One per account and
 * Region serves every registered cluster; TargetAccount and RegisteredCluster attach to it.
 */

import { Aws, Duration, Lazy, PhysicalName, RemovalPolicy, Stack } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { CfnEventBusPolicy, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { AccountPrincipal, Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Architecture, Function as LambdaFn, Runtime } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { RECHECK_VARIABLES, recheckSettingsFromEnvironment } from "../functions/reconcile/recheck-settings.ts";
import { ACM_DETAIL_TYPES, CLOUDTRAIL_DETAIL_TYPE } from "../functions/resync/aws-events.ts";
import { DEFAULT_RECHECK } from "../shared/pipeline/settle-recheck.ts";
import { TABLE_DEFINITION } from "../shared/store/dynamodb/table.ts";
import { CLUSTER_PREFIX } from "../shared/store/dynamodb/table-keys.ts";
import { esbuildHandlerCode, type HandlerCode, type HandlerName } from "./handler-code.ts";
import { acknowledge, acknowledgeWildcardResources } from "./nag.ts";
import { DEFAULT_NAME, forwarderStatusQueueName, registrarRoleName, targetRoleName } from "./names.ts";
import { ControlPlaneObservability, type ObservabilityProps } from "./observability.ts";

/** Powertools settings per deployment stage (Logger level, event logging, debug sampling, dev mode). */
export type Stage = "production" | "development";

export const POWERTOOLS_SETTINGS: Readonly<Record<Stage, Readonly<Record<string, string>>>> = {
  production: {
    POWERTOOLS_LOG_LEVEL: "INFO",
    POWERTOOLS_LOGGER_LOG_EVENT: "false",
    POWERTOOLS_LOGGER_SAMPLE_RATE: "0.01",
    POWERTOOLS_DEV: "false",
  },
  development: {
    POWERTOOLS_LOG_LEVEL: "DEBUG",
    POWERTOOLS_LOGGER_LOG_EVENT: "true",
    POWERTOOLS_LOGGER_SAMPLE_RATE: "1",
    POWERTOOLS_DEV: "true",
  },
};

export interface ControlPlaneProps {
  /** Prefix of every physical name: `<name>-events.fifo`, table `<name>`, dashboard `<name>`. @default "switchyard" */
  readonly name?: string;
  /** Powertools settings (`POWERTOOLS_SETTINGS`). @default "production" */
  readonly stage?: Stage;
  /**
   * A customer managed KMS key for the queues and the table.
   * @default SQS-managed server-side encryption on the queues and DynamoDB's AWS owned key on the
   *   table: both encrypt at rest, and a forwarder in another account needs no key policy to send.
   */
  readonly encryptionKey?: IKey;
  /**
   * Reserved concurrency of the reconcile function: at most this many Gateways reconcile at once,
   * which bounds the AWS API calls in flight (the SQS event source's maximum concurrency is the same).
   * @default 10
   */
  readonly reconcileConcurrency?: number;
  /** Messages per reconcile invocation. @default 1 — one Gateway per invocation, each within its own timeout */
  readonly reconcileBatchSize?: number;
  /**
   * Also own the AWS controllers' controller names (`gateway.k8s.aws/alb`, `gateway.k8s.aws/nlb`,
   * `application-networking.k8s.aws/gateway-api-controller`), so GatewayClasses written for the AWS
   * Load Balancer Controller or the VPC Lattice controller are reconciled unchanged (docs/migration.md).
   * Turn it on only once that controller no longer runs for those classes: two controllers of one
   * class fight over its load balancers. Sets `SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES` on the
   * reconcile function, as `--aws-controller-names` does for `switchyard plan` and `apply`.
   * @default false — switchyard's own controller names only (`switchyard.dev/alb`, `/nlb`, `/lattice`)
   */
  readonly acceptAwsControllerNames?: boolean;
  /**
   * Rechecks while AWS settles (a load balancer provisioning, a VPC Lattice resource being created,
   * an export's targets draining): the first after `firstDelay`, the delay doubling up to
   * `maxDelay`, given up after `giveUpAfter` (the resync then looks again, and the
   * `rechecks-given-up` alarm fires; a `giveUpAfter` of 0 turns rechecks off). Whole seconds; sets
   * `SWITCHYARD_RECHECK_*` on the reconcile function.
   * @default 10 seconds, 1 minute, 15 minutes
   */
  readonly recheck?: {
    readonly firstDelay?: Duration;
    readonly maxDelay?: Duration;
    readonly giveUpAfter?: Duration;
  };
  /** The reconcile function's timeout. @default 60 seconds — the Gateway lease's length */
  readonly reconcileTimeout?: Duration;
  /** Receives before a message moves to its queue's dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** The resync schedule's tick. @default 1 minute */
  readonly resyncTick?: Duration;
  /** Ticks per drift-check period: each Gateway's drift is checked once per tick × period. @default 10 */
  readonly resyncPeriodTicks?: number;
  /** Retention of the functions' log groups. @default one month */
  readonly logRetention?: RetentionDays;
  /** What happens to the table and the claim-check bucket when the stack is deleted. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** The handlers' code. @default esbuild bundles of functions/, built at synth (`esbuildHandlerCode`) */
  readonly code?: HandlerCode;
  /** Dashboard and alarms. @default see ObservabilityProps */
  readonly observability?: ObservabilityProps;
}

/** The queue a stage reads, and where its poison messages go. */
export interface PipelineQueue {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

export class ControlPlane extends Construct {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly events: PipelineQueue;
  readonly reconcile: PipelineQueue;
  readonly status: PipelineQueue;
  /** Continuations of a scheduled resync with more due Gateways than one invocation enqueues. */
  readonly resyncContinuation: PipelineQueue;
  readonly table: Table;
  readonly claimCheckBucket: Bucket;
  /** `<name>-claim-checks-<account>-<region>`. */
  readonly claimCheckBucketName: string;
  readonly functions: Readonly<Record<HandlerName, LambdaFn>>;
  /** The roles that assume each target account's role: the reconcile and status functions'. */
  readonly reconcileRole: Role;
  readonly statusRole: Role;
  /**
   * The resync function's role: it assumes the target role (with a session policy allowing
   * `tag:GetResources` only) to find the owners of an AWS event's resource by their tags.
   */
  readonly resyncRole: Role;
  readonly observability: ControlPlaneObservability;
  /** The role name every TargetAccount of this control plane uses. */
  readonly targetRoleName: string;
  readonly encryptionKey: IKey | undefined;

  readonly #targetAccounts = new Set<string>();
  readonly #forwarderStatusQueues = new Map<string, PipelineQueue>();
  #registrar: Role | undefined;
  readonly #registrarAccounts = new Set<string>();

  constructor(scope: Construct, id: string, props: ControlPlaneProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.name = props.name ?? DEFAULT_NAME;
    this.account = stack.account;
    this.region = stack.region;
    this.targetRoleName = targetRoleName(this.name);
    this.encryptionKey = props.encryptionKey;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const reconcileTimeout = props.reconcileTimeout ?? Duration.seconds(60);
    const reconcileConcurrency = props.reconcileConcurrency ?? 10;
    const code = props.code ?? esbuildHandlerCode();
    const stage = props.stage ?? "production";

    // Lambda needs the visibility timeout at least the function's timeout; a little more lets a
    // function that ran to its timeout finish its batch report first.
    const visibility = (timeout: Duration) => Duration.seconds(timeout.toSeconds() + 30);
    const shortTimeout = Duration.seconds(30);
    this.events = this.#queue("Events", `${this.name}-events`, true, visibility(shortTimeout), maxReceiveCount);
    this.reconcile = this.#queue(
      "Reconcile",
      `${this.name}-reconcile`,
      true,
      visibility(reconcileTimeout),
      maxReceiveCount,
    );
    this.status = this.#queue("Status", `${this.name}-status`, false, visibility(shortTimeout), maxReceiveCount);
    this.resyncContinuation = this.#queue(
      "ResyncContinuation",
      `${this.name}-resync-continuation`,
      false,
      visibility(Duration.minutes(5)),
      maxReceiveCount,
    );

    this.table = new Table(this, "Table", {
      tableName: this.name,
      partitionKey: { name: TABLE_DEFINITION.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: TABLE_DEFINITION.sortKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      ...(props.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      removalPolicy,
    });

    // Named from the account and Region (literal, or pseudo parameters that any stack of the same
    // account resolves alike), so a cluster's stack names the bucket without a cross-stack export.
    this.claimCheckBucketName = `${this.name}-claim-checks-${stack.account}-${stack.region}`;
    this.claimCheckBucket = new Bucket(this, "ClaimChecks", {
      bucketName: this.claimCheckBucketName,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // A claim check outlives its message: 14 days is SQS's longest retention (a dead letter's).
      lifecycleRules: [{ expiration: Duration.days(15) }],
      removalPolicy,
    });
    acknowledge(this.claimCheckBucket, {
      id: "AwsSolutions-S1",
      reason:
        "Claim checks are transient event bodies read once by the ingest function; who wrote and read them is in CloudTrail (data events), and an access-log bucket would hold nothing more.",
    });

    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const common = (name: HandlerName, role: Role, timeout: Duration, memoryMb: number) => {
      const logGroup = new LogGroup(this, `${title(name)}Logs`, {
        logGroupName: `/aws/lambda/${this.name}-${name}`,
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [logGroup.logGroupArn],
        }),
      );
      return {
        functionName: `${this.name}-${name}`,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        handler: "index.handler",
        code: code.code(name),
        role,
        timeout,
        memorySize: memoryMb,
        logGroup,
        environment: {
          // The SDK's own default, named so no client reads ~/.aws/config at init (bench/RESULTS.md).
          AWS_DEFAULTS_MODE: "legacy",
          ...POWERTOOLS_SETTINGS[stage],
          SWITCHYARD_TABLE: this.table.tableName,
          SWITCHYARD_CONTROL_PLANE_ACCOUNT: Aws.ACCOUNT_ID,
        },
      };
    };
    const lambdaRole = (id: string, physical: boolean) =>
      new Role(this, id, {
        assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
        // Named when another account's trust policy must name it (TargetAccount).
        ...(physical ? { roleName: PhysicalName.GENERATE_IF_NEEDED } : {}),
      });

    // ingest: events.fifo → objects mirror → reconcile.fifo.
    const ingestRole = lambdaRole("IngestRole", false);
    const ingestBase = common("ingest", ingestRole, shortTimeout, 512);
    const ingest = new LambdaFn(this, "Ingest", {
      ...ingestBase,
      environment: {
        ...ingestBase.environment,
        SWITCHYARD_RECONCILE_QUEUE_URL: this.reconcile.queue.queueUrl,
        SWITCHYARD_EVENTS_DLQ_URL: this.events.deadLetterQueue.queueUrl,
      },
    });

    this.reconcileRole = lambdaRole("ReconcileRole", true);
    const reconcileEnvironment = {
      SWITCHYARD_RECONCILE_QUEUE_URL: this.reconcile.queue.queueUrl,
      SWITCHYARD_STATUS_QUEUE_URL: this.status.queue.queueUrl,
      SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES: String(props.acceptAwsControllerNames ?? false),
      [RECHECK_VARIABLES.firstDelay]: String(
        props.recheck?.firstDelay?.toSeconds() ?? DEFAULT_RECHECK.firstDelayMs / 1000,
      ),
      [RECHECK_VARIABLES.maxDelay]: String(props.recheck?.maxDelay?.toSeconds() ?? DEFAULT_RECHECK.maxDelayMs / 1000),
      [RECHECK_VARIABLES.giveUpAfter]: String(
        props.recheck?.giveUpAfter?.toSeconds() ?? DEFAULT_RECHECK.maxTotalMs / 1000,
      ),
    };
    // The reconciler refuses these at cold start; refused here, the mistake never deploys.
    recheckSettingsFromEnvironment(reconcileEnvironment);
    const reconcileBase = common("reconcile", this.reconcileRole, reconcileTimeout, 1024);
    const reconcile = new LambdaFn(this, "ReconcileFunction", {
      ...reconcileBase,
      environment: { ...reconcileBase.environment, ...reconcileEnvironment },
      reservedConcurrentExecutions: reconcileConcurrency,
    });

    this.statusRole = lambdaRole("StatusRole", true);
    const statusBase = common("status", this.statusRole, shortTimeout, 512);
    const status = new LambdaFn(this, "StatusFunction", {
      ...statusBase,
      environment: {
        ...statusBase.environment,
        SWITCHYARD_FORWARDER_STATUS_QUEUE_URL: `https://sqs.${Aws.REGION}.${Aws.URL_SUFFIX}/${Aws.ACCOUNT_ID}/${forwarderStatusQueueName(this.name, "{cluster}")}`,
      },
    });

    this.resyncRole = lambdaRole("ResyncRole", true);
    const resyncRole = this.resyncRole;
    const resyncBase = common("resync", resyncRole, Duration.minutes(5), 512);
    const resyncTick = props.resyncTick ?? Duration.minutes(1);
    const resync = new LambdaFn(this, "Resync", {
      ...resyncBase,
      environment: {
        ...resyncBase.environment,
        SWITCHYARD_RECONCILE_QUEUE_URL: this.reconcile.queue.queueUrl,
        SWITCHYARD_RESYNC_CONTINUATION_QUEUE_URL: this.resyncContinuation.queue.queueUrl,
        SWITCHYARD_RESYNC_TICK_SECONDS: String(resyncTick.toSeconds()),
        SWITCHYARD_RESYNC_PERIOD_TICKS: String(props.resyncPeriodTicks ?? 10),
        SWITCHYARD_RESYNC_SEED: this.name,
        // CloudTrail calls by these roles are switchyard's own, not drift.
        SWITCHYARD_OWN_ROLE_ARNS: Lazy.string({ produce: () => this.targetRoleArns().join(",") }),
      },
    });
    this.functions = { ingest, reconcile, status, resync };

    // Event sources: partial batch responses, so one bad record never retries its batch.
    ingest.addEventSource(new SqsEventSource(this.events.queue, { batchSize: 10, reportBatchItemFailures: true }));
    reconcile.addEventSource(
      new SqsEventSource(this.reconcile.queue, {
        batchSize: props.reconcileBatchSize ?? 1,
        reportBatchItemFailures: true,
        // Never more pollers than the reserved concurrency: a throttled batch would count a receive.
        maxConcurrency: Math.max(2, reconcileConcurrency),
      }),
    );
    status.addEventSource(new SqsEventSource(this.status.queue, { batchSize: 10, reportBatchItemFailures: true }));
    // The resync handler reports no per-record failures: a continuation is one page, retried whole.
    resync.addEventSource(
      new SqsEventSource(this.resyncContinuation.queue, { batchSize: 1, reportBatchItemFailures: false }),
    );

    // Permissions, each to what the function's code calls.
    this.table.grantReadWriteData(ingestRole);
    ingestRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["s3:GetObject"], resources: [this.claimCheckBucket.arnForObjects("events/*")] }),
    );
    // Without s3:ListBucket, S3 answers a GetObject of a missing key with 403 AccessDenied instead
    // of 404 NoSuchKey, and a claim check that expired would be retried until redrive instead of
    // dead-lettered as claim-check-missing. The bucket holds claim checks only.
    ingestRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["s3:ListBucket"], resources: [this.claimCheckBucket.bucketArn] }),
    );
    acknowledgeWildcardResources(
      ingestRole,
      [stack.resolve(this.claimCheckBucket.arnForObjects("events/*"))],
      "A claim check's key is the sender's cluster and the event's hash (events/<cluster>/<sha256>.json), known only when its message arrives: the ingest reads any object under events/ of its own bucket, nothing else.",
    );
    this.reconcile.queue.grantSendMessages(ingestRole);
    this.events.deadLetterQueue.grantSendMessages(ingestRole);

    this.table.grantReadWriteData(this.reconcileRole);
    this.reconcile.queue.grantSendMessages(this.reconcileRole);
    this.status.queue.grantSendMessages(this.reconcileRole);

    this.table.grantReadData(this.statusRole);

    this.table.grantReadData(resyncRole);
    this.reconcile.queue.grantSendMessages(resyncRole);
    this.resyncContinuation.queue.grantSendMessages(resyncRole);
    resyncRole.addToPrincipalPolicy(new PolicyStatement({ actions: ["tag:GetResources"], resources: ["*"] }));
    acknowledge(resyncRole, {
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "tag:GetResources (the owner lookup of an AWS event's resource) supports no resource-level permissions: the Service Authorization Reference lists it with resource `*` only. It reads tags and changes nothing.",
    });

    this.#allowAssumingTargetRole(Aws.ACCOUNT_ID);

    // Scheduled drift checks and the AWS events that name switchyard's resources.
    new Rule(this, "ResyncSchedule", {
      ruleName: `${this.name}-resync-schedule`,
      schedule: Schedule.rate(resyncTick),
      targets: [new LambdaFunction(resync, { retryAttempts: 2 })],
    });
    new Rule(this, "AcmCertificateEvents", {
      ruleName: `${this.name}-acm-certificates`,
      eventPattern: { source: ["aws.acm"], detailType: [...ACM_DETAIL_TYPES] },
      targets: [new LambdaFunction(resync, { retryAttempts: 2 })],
    });
    new Rule(this, "ElbChangeEvents", {
      ruleName: `${this.name}-elb-changes`,
      eventPattern: {
        source: ["aws.elasticloadbalancing"],
        detailType: [CLOUDTRAIL_DETAIL_TYPE],
        detail: { eventSource: ["elasticloadbalancing.amazonaws.com"] },
      },
      targets: [new LambdaFunction(resync, { retryAttempts: 2 })],
    });

    this.observability = new ControlPlaneObservability(this, "Observability", {
      name: this.name,
      functions: this.functions,
      queues: {
        events: this.events,
        reconcile: this.reconcile,
        status: this.status,
        "resync-continuation": this.resyncContinuation,
      },
      ...props.observability,
    });
  }

  /** The reconcile, status and resync functions may assume the target role in `account`, and no other role. */
  #allowAssumingTargetRole(account: string): void {
    this.#targetAccounts.add(account);
    for (const role of [this.reconcileRole, this.statusRole, this.resyncRole]) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ["sts:AssumeRole"],
          resources: [`arn:${Aws.PARTITION}:iam::${account}:role/${this.targetRoleName}`],
        }),
      );
    }
  }

  /** The target-account role ARNs the functions may assume (every account added, this one included). */
  targetRoleArns(): string[] {
    return [...this.#targetAccounts].map(
      (account) => `arn:${Aws.PARTITION}:iam::${account}:role/${this.targetRoleName}`,
    );
  }

  /**
   * Lets the functions assume the target role in `account`, treats that role's CloudTrail calls as
   * switchyard's own, and admits the account's forwarded AWS events to this Region's default bus.
   */
  addTargetAccount(account: string): void {
    if (this.#targetAccounts.has(account) || account === this.account) return;
    this.#allowAssumingTargetRole(account);
    new CfnEventBusPolicy(this, `EventsFrom${account}`, {
      statementId: `${this.name}-events-from-${account}`,
      statement: {
        Effect: "Allow",
        Principal: { AWS: `arn:${Aws.PARTITION}:iam::${account}:root` },
        Action: "events:PutEvents",
        Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
      },
    });
  }

  /** The default event bus of the control plane's account and Region. */
  get eventBusArn(): string {
    return `arn:${Aws.PARTITION}:events:${this.region}:${this.account}:event-bus/default`;
  }

  /**
   * Lets one forwarder role in another account send to events.fifo: a queue policy statement for
   * that account, conditioned on the role's ARN (the role need not exist yet), and key use when the
   * queues have a customer managed key.
   */
  allowForwarder(account: string, forwarderRoleArn: string): void {
    const statement = new PolicyStatement({
      sid: `Forwarder${account}`.slice(0, 100),
      effect: Effect.ALLOW,
      principals: [new AccountPrincipal(account)],
      actions: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
      resources: [this.events.queue.queueArn],
      conditions: { ArnEquals: { "aws:PrincipalArn": forwarderRoleArn } },
    });
    this.events.queue.addToResourcePolicy(statement);
    this.claimCheckBucket.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AccountPrincipal(account)],
        actions: ["s3:PutObject"],
        resources: [this.claimCheckBucket.arnForObjects("events/*")],
        conditions: { ArnEquals: { "aws:PrincipalArn": forwarderRoleArn } },
      }),
    );
    this.encryptionKey?.addToResourcePolicy(
      new PolicyStatement({
        principals: [new AccountPrincipal(account)],
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: ["*"],
        conditions: { ArnEquals: { "aws:PrincipalArn": forwarderRoleArn } },
      }),
    );
  }

  /**
   * The status queue of a via-forwarder cluster (`<name>-status-<clusterId>`, with its dead-letter
   * queue): the status function sends to it, the cluster's forwarder role receives from it.
   */
  addForwarderStatusQueue(clusterId: string, forwarderAccount: string, forwarderRoleArn: string): PipelineQueue {
    const existing = this.#forwarderStatusQueues.get(clusterId);
    if (existing) return existing;
    const queue = this.#queue(
      `ForwarderStatus${title(clusterId)}`,
      forwarderStatusQueueName(this.name, clusterId),
      false,
      Duration.seconds(60),
      5,
    );
    queue.queue.grantSendMessages(this.statusRole);
    queue.queue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new AccountPrincipal(forwarderAccount)],
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        resources: [queue.queue.queueArn],
        conditions: { ArnEquals: { "aws:PrincipalArn": forwarderRoleArn } },
      }),
    );
    this.#forwarderStatusQueues.set(clusterId, queue);
    return queue;
  }

  /**
   * A role a cluster's stack in another account assumes to write its registry entry (PutItem and
   * DeleteItem of `CLUSTER#…` items only), trusted by each account added here.
   */
  allowRegistrationFrom(account: string): string {
    const arn = `arn:${Aws.PARTITION}:iam::${this.account}:role/${registrarRoleName(this.name)}`;
    if (account === this.account || this.#registrarAccounts.has(account)) return arn;
    this.#registrarAccounts.add(account);
    if (!this.#registrar) {
      this.#registrar = new Role(this, "Registrar", {
        roleName: registrarRoleName(this.name),
        assumedBy: new AccountPrincipal(account),
        description: "Writes cluster registry entries for switchyard clusters in other accounts",
      });
      this.#registrar.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
          resources: [this.table.tableArn],
          conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${CLUSTER_PREFIX}*`] } },
        }),
      );
    } else {
      this.#registrar.assumeRolePolicy?.addStatements(
        new PolicyStatement({ actions: ["sts:AssumeRole"], principals: [new AccountPrincipal(account)] }),
      );
    }
    return arn;
  }

  #queue(id: string, name: string, fifo: boolean, visibilityTimeout: Duration, maxReceiveCount: number) {
    const suffix = fifo ? ".fifo" : "";
    const encryption = this.encryptionKey
      ? { encryption: QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey }
      : { encryption: QueueEncryption.SQS_MANAGED };
    const deadLetterQueue = new Queue(this, `${id}DeadLetters`, {
      queueName: `${name}-dlq${suffix}`,
      ...(fifo ? { fifo: true } : {}),
      ...encryption,
      enforceSSL: true,
      // Dead letters wait for a person: as long as SQS keeps anything.
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, `${id}Queue`, {
      queueName: `${name}${suffix}`,
      ...(fifo ? { fifo: true } : {}),
      ...encryption,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }
}

function title(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
