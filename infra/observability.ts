/**
 * The control plane's dashboard and alarms. Metric names are the ones the handlers emit (Powertools
 * EMF, namespace `switchyard`, dimension `service` = the handler: shared/pipeline/metrics.ts,
 * functions/*): `ReconcileDurationMs`, `Reconciles` by `outcome`, `AwsCalls`, `AwsThrottles` and
 * `AwsErrors` (totals, and by `awsService` and `operation`), `EventsIngested`,
 * `EventsRejected` by `reason`, `StatusWrites`, `StatusWritesDropped` by `reason`; with Lambda's and
 * SQS's own metrics. Every alarm's description names its section of docs/runbook.md.
 */

import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import type { Function as LambdaFn } from "aws-cdk-lib/aws-lambda";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../shared/pipeline/metrics.ts";
import type { HandlerName } from "./handler-code.ts";

/** Runbook sections; each alarm's description ends with `<runbookUrl>#<anchor>`. */
export const RUNBOOK_ANCHORS = {
  deadLetters: "dead-letter-queue-not-empty",
  oldestMessage: "oldest-message-too-old",
  errorRate: "function-error-rate",
  awsThrottling: "aws-api-throttling",
  rechecksGivenUp: "a-gateway-stays-programmedfalse-while-aws-provisions-rechecksgivenup",
} as const;

export interface ObservabilityProps {
  /**
   * Where the runbook lives; alarm descriptions link `<runbookUrl>#<anchor>`.
   * @default "docs/runbook.md" (the file in the switchyard repository)
   */
  readonly runbookUrl?: string;
  /** Alarm when a pipeline queue's oldest message is older than this. @default 5 minutes */
  readonly oldestMessageAge?: Duration;
  /** Alarm when a function's errors exceed this percentage of its invocations over 5 minutes. @default 5 */
  readonly errorRatePercent?: number;
  /**
   * Alarm when the reconciler's AWS requests refused as throttled exceed this many per 100 AWS
   * calls over 5 minutes (2 of 3 periods). Throttled attempts are retried by the SDK, so a low
   * rate costs only latency; a sustained one means the account's API rate is spent.
   * @default 10
   */
  readonly throttleRatePercent?: number;
  /** Actions of every alarm (e.g. an SNS topic that pages). @default none: the alarms only show state */
  readonly alarmActions?: readonly IAlarmAction[];
}

interface QueuePair {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

export interface ControlPlaneObservabilityProps extends ObservabilityProps {
  readonly name: string;
  readonly functions: Readonly<Record<HandlerName, LambdaFn>>;
  readonly queues: Readonly<Record<string, QueuePair>>;
}

const PERIOD = Duration.minutes(5);

/** A switchyard EMF metric of one handler. */
export function pipelineMetric(
  service: HandlerName,
  metricName: string,
  statistic = "Sum",
  extra: Record<string, string> = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...extra },
    statistic,
    period: PERIOD,
  });
}

/**
 * Every value of the dimensions of a metric, found at read time (outcomes, reasons and AWS
 * operations are open sets). SEARCH cannot back an alarm: alarms use the undimensioned totals.
 */
function byDimension(
  service: HandlerName,
  metricName: string,
  dimension: string | readonly string[],
  label: string,
): MathExpression {
  const dimensions = [dimension].flat().join(",");
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions},service} MetricName="${metricName}" service="${service}"', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    usingMetrics: {},
    period: PERIOD,
  });
}

/** The reconciler's throttled AWS requests per 100 AWS calls (throttles count retried attempts). */
export function awsThrottleRate(): MathExpression {
  return new MathExpression({
    expression: "100 * throttles / MAX([calls, 1])",
    label: "AWS throttles per 100 calls",
    usingMetrics: {
      throttles: pipelineMetric("reconcile", "AwsThrottles"),
      calls: pipelineMetric("reconcile", "AwsCalls"),
    },
    period: PERIOD,
  });
}

export class ControlPlaneObservability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ControlPlaneObservabilityProps) {
    super(scope, id);
    const runbook = props.runbookUrl ?? "docs/runbook.md";
    const oldestMessageAge = props.oldestMessageAge ?? Duration.minutes(5);
    const errorRatePercent = props.errorRatePercent ?? 5;
    const throttleRatePercent = props.throttleRatePercent ?? 10;
    const queues = Object.entries(props.queues);
    const functions = Object.entries(props.functions) as [HandlerName, LambdaFn][];

    const alarm = (alarmId: string, description: string, anchor: string, create: (id: string) => Alarm) => {
      const created = create(alarmId);
      created.node.addMetadata("runbook", `${runbook}#${anchor}`);
      for (const action of props.alarmActions ?? []) created.addAlarmAction(action);
      this.alarms.push(created);
      return description;
    };

    for (const [name, pair] of queues) {
      const key = name.replace(/[^A-Za-z0-9]/g, "");
      const description = `${props.name}: messages in the ${name} dead-letter queue. Runbook: ${runbook}#${RUNBOOK_ANCHORS.deadLetters}`;
      alarm(
        `${key}DeadLetters`,
        description,
        RUNBOOK_ANCHORS.deadLetters,
        (alarmId) =>
          new Alarm(this, alarmId, {
            alarmName: `${props.name}-${name}-dead-letters`,
            alarmDescription: description,
            metric: pair.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(1),
              statistic: "Maximum",
            }),
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      );
      const ageDescription = `${props.name}: the oldest message in the ${name} queue is older than ${oldestMessageAge.toHumanString()}. Runbook: ${runbook}#${RUNBOOK_ANCHORS.oldestMessage}`;
      alarm(
        `${key}OldestMessage`,
        ageDescription,
        RUNBOOK_ANCHORS.oldestMessage,
        (alarmId) =>
          new Alarm(this, alarmId, {
            alarmName: `${props.name}-${name}-oldest-message`,
            alarmDescription: ageDescription,
            metric: pair.queue.metricApproximateAgeOfOldestMessage({
              period: Duration.minutes(1),
              statistic: "Maximum",
            }),
            threshold: oldestMessageAge.toSeconds(),
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      );
    }

    for (const [name, fn] of functions) {
      const description = `${props.name}: the ${name} function's errors exceed ${errorRatePercent}% of its invocations. Runbook: ${runbook}#${RUNBOOK_ANCHORS.errorRate}`;
      alarm(
        `${name}ErrorRate`,
        description,
        RUNBOOK_ANCHORS.errorRate,
        (alarmId) =>
          new Alarm(this, alarmId, {
            alarmName: `${props.name}-${name}-error-rate`,
            alarmDescription: description,
            metric: new MathExpression({
              expression: "100 * errors / MAX([invocations, 1])",
              label: `${name} error rate (%)`,
              usingMetrics: {
                errors: fn.metricErrors({ period: PERIOD, statistic: "Sum" }),
                invocations: fn.metricInvocations({ period: PERIOD, statistic: "Sum" }),
              },
              period: PERIOD,
            }),
            threshold: errorRatePercent,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      );
    }

    const throttleDescription = `${props.name}: the reconciler's AWS requests refused as throttled exceed ${throttleRatePercent} per 100 AWS calls. Runbook: ${runbook}#${RUNBOOK_ANCHORS.awsThrottling}`;
    alarm(
      "AwsThrottleRate",
      throttleDescription,
      RUNBOOK_ANCHORS.awsThrottling,
      (alarmId) =>
        new Alarm(this, alarmId, {
          alarmName: `${props.name}-aws-throttle-rate`,
          alarmDescription: throttleDescription,
          metric: awsThrottleRate(),
          threshold: throttleRatePercent,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    const recheckDescription = `${props.name}: a Gateway stayed Programmed=False through 15 minutes of rechecks while AWS settled (a load balancer not active, a VPC Lattice resource still being created, an export's targets still draining). Runbook: ${runbook}#${RUNBOOK_ANCHORS.rechecksGivenUp}`;
    alarm(
      "RechecksGivenUp",
      recheckDescription,
      RUNBOOK_ANCHORS.rechecksGivenUp,
      (alarmId) =>
        new Alarm(this, alarmId, {
          alarmName: `${props.name}-rechecks-given-up`,
          alarmDescription: recheckDescription,
          metric: pipelineMetric("reconcile", "RechecksGivenUp"),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    const queueMetric = (metric: (pair: QueuePair) => IMetric) => queues.map(([, pair]) => metric(pair));
    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: props.name,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${props.name} control plane\nAlarms link their section of the [runbook](${runbook}).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Reconcile latency (ms)",
        left: ["p50", "p90", "p99"].map((p) =>
          pipelineMetric("reconcile", "ReconcileDurationMs", p).with({ label: p }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Reconciles by outcome",
        left: [byDimension("reconcile", "Reconciles", "outcome", "")],
        width: 8,
      }),
      new GraphWidget({
        title: "Function errors and throttles",
        left: functions.map(([name, fn]) => fn.metricErrors({ period: PERIOD, label: `${name} errors` })),
        right: functions.map(([name, fn]) => fn.metricThrottles({ period: PERIOD, label: `${name} throttles` })),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Queue depth (visible messages)",
        left: queueMetric((pair) =>
          pair.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Oldest message age (s)",
        left: queueMetric((pair) =>
          pair.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: "Maximum" }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Dead-letter queue depth",
        left: queueMetric((pair) =>
          pair.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
        ),
        width: 8,
      }),
    );
    const statusQueue = props.queues.status?.queue;
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "AWS calls by the reconciler, and throttled invocations",
        left: [pipelineMetric("reconcile", "AwsCalls").with({ label: "AWS API calls (all services)" })],
        right: [props.functions.reconcile.metricThrottles({ period: PERIOD, label: "reconcile throttles" })],
        width: 8,
      }),
      new GraphWidget({
        title: "Ingest: events ingested and rejected",
        left: [
          pipelineMetric("ingest", "EventsIngested").with({ label: "ingested" }),
          pipelineMetric("ingest", "StaleEventsIgnored").with({ label: "stale, ignored" }),
        ],
        right: [byDimension("ingest", "EventsRejected", "reason", "")],
        width: 8,
      }),
      new GraphWidget({
        title: "Status lag and writes",
        left: statusQueue
          ? [
              statusQueue.metricApproximateAgeOfOldestMessage({
                period: PERIOD,
                statistic: "Maximum",
                label: "status lag (s)",
              }),
            ]
          : [],
        right: [
          pipelineMetric("status", "StatusWrites").with({ label: "written" }),
          byDimension("status", "StatusWritesDropped", "reason", ""),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "AWS calls by service and operation",
        left: [byDimension("reconcile", "AwsCalls", ["awsService", "operation"], "")],
        width: 8,
      }),
      new GraphWidget({
        title: "AWS throttles by service and operation (retried attempts)",
        left: [byDimension("reconcile", "AwsThrottles", ["awsService", "operation"], "")],
        right: [awsThrottleRate()],
        width: 8,
      }),
      new GraphWidget({
        title: "AWS errors by service and operation (attempts)",
        left: [byDimension("reconcile", "AwsErrors", ["awsService", "operation"], "")],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Rechecks while AWS settles",
        left: [pipelineMetric("reconcile", "Rechecks").with({ label: "rechecks sent" })],
        right: [pipelineMetric("reconcile", "RechecksGivenUp").with({ label: "given up after 15 min" })],
        width: 8,
      }),
    );
  }
}
