/**
 * ControlPlane's security- and operations-relevant properties, read from the synthesized template
 * of the bundled app (real esbuild bundles) and of stacks with non-default props.
 */
import { App, Duration, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Key } from "aws-cdk-lib/aws-kms";
import { beforeAll, describe, expect, it } from "vitest";
import { ACM_DETAIL_TYPES, classifyAwsEvent } from "../../../functions/resync/aws-events.ts";
import { ControlPlane, POWERTOOLS_SETTINGS } from "../../../infra/control-plane.ts";
import { esbuildHandlerCode } from "../../../infra/handler-code.ts";
import { RUNBOOK_ANCHORS } from "../../../infra/observability.ts";
import {
  actionsOf,
  type BuiltApp,
  buildTestApp,
  CONTROL_PLANE_ACCOUNT,
  identityStatements,
  REGION,
  resourcesOf,
  TARGET_ACCOUNT,
} from "./fixture.ts";

let built: BuiltApp;
let template: Template;

beforeAll(() => {
  built = buildTestApp();
  template = built.controlPlaneTemplate;
}, 120_000);

type Resource = { Properties: Record<string, unknown> };
const queues = () => Object.values(template.findResources("AWS::SQS::Queue")) as Resource[];
const queueNamed = (name: string) => {
  const found = queues().find((q) => q.Properties.QueueName === name);
  if (!found) throw new Error(`no queue ${name}`);
  return found;
};

describe("queues", () => {
  it("events.fifo and reconcile.fifo are FIFO queues with FIFO dead-letter queues", () => {
    for (const base of ["switchyard-events", "switchyard-reconcile"]) {
      expect(queueNamed(`${base}.fifo`).Properties.FifoQueue).toBe(true);
      expect(queueNamed(`${base}-dlq.fifo`).Properties.FifoQueue).toBe(true);
    }
  });

  it("every pipeline queue redrives to its own dead-letter queue after 5 receives", () => {
    for (const name of [
      "switchyard-events.fifo",
      "switchyard-reconcile.fifo",
      "switchyard-status",
      "switchyard-resync-continuation",
    ]) {
      const redrive = queueNamed(name).Properties.RedrivePolicy as {
        maxReceiveCount: number;
        deadLetterTargetArn: unknown;
      };
      expect(redrive.maxReceiveCount).toBe(5);
      const dlqLogicalId = (redrive.deadLetterTargetArn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      const dlq = template.toJSON().Resources[dlqLogicalId] as Resource;
      expect(dlq.Properties.QueueName).toBe(name.replace(/(\.fifo)?$/, (fifo) => `-dlq${fifo}`));
    }
  });

  it("every queue is encrypted at rest (SQS-managed by default)", () => {
    expect(queues()).toHaveLength(8);
    for (const queue of queues()) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it("every queue refuses requests without TLS", () => {
    const policies = Object.values(template.findResources("AWS::SQS::QueuePolicy")) as Resource[];
    expect(policies).toHaveLength(8);
    for (const policy of policies) {
      expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
          Principal: { AWS: "*" },
        }),
      );
    }
  });

  it("a customer managed key, when given, encrypts the queues and the table", () => {
    const app = new App();
    const stack = new Stack(app, "Keyed", { env: { account: CONTROL_PLANE_ACCOUNT, region: REGION } });
    const key = new Key(stack, "Key", { enableKeyRotation: true });
    new ControlPlane(stack, "ControlPlane", { encryptionKey: key, code: esbuildHandlerCode() });
    const keyed = Template.fromStack(stack);
    const keyRef = { "Fn::GetAtt": [stack.getLogicalId(key.node.defaultChild as never), "Arn"] };
    for (const queue of Object.values(keyed.findResources("AWS::SQS::Queue")) as Resource[]) {
      expect(queue.Properties.KmsMasterKeyId).toEqual(keyRef);
    }
    keyed.hasResourceProperties("AWS::DynamoDB::Table", {
      SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: keyRef },
    });
  }, 120_000);
});

describe("table", () => {
  it("has the store's key schema and TTL attribute, on-demand", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      TableName: "switchyard",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });

  it("has point-in-time recovery, deletion protection, encryption, and is retained", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });
});

describe("claim-check bucket", () => {
  it("blocks public access, encrypts, enforces TLS and expires objects", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 15, Status: "Enabled" })] },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });
});

describe("functions", () => {
  const fn = (name: string) => {
    const found = (Object.values(template.findResources("AWS::Lambda::Function")) as Resource[]).find(
      (f) => f.Properties.FunctionName === `switchyard-${name}`,
    );
    if (!found) throw new Error(`no function ${name}`);
    return found.Properties;
  };

  it("the four handlers run on Node.js 24 on arm64 from their esbuild bundle", () => {
    for (const name of ["ingest", "reconcile", "status", "resync"]) {
      expect(fn(name)).toMatchObject({ Runtime: "nodejs24.x", Architectures: ["arm64"], Handler: "index.handler" });
    }
  });

  it("each sets AWS_DEFAULTS_MODE=legacy and the production Powertools settings", () => {
    for (const name of ["ingest", "reconcile", "status", "resync"]) {
      const variables = (fn(name).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({ AWS_DEFAULTS_MODE: "legacy", ...POWERTOOLS_SETTINGS.production });
      expect(variables.SWITCHYARD_TABLE).toEqual({ Ref: expect.stringMatching(/^ControlPlaneTable/) });
      expect(variables.SWITCHYARD_CONTROL_PLANE_ACCOUNT).toEqual({ Ref: "AWS::AccountId" });
    }
  });

  it("each handler gets the variables its environment.ts requires", () => {
    const keys = (name: string) => Object.keys((fn(name).Environment as { Variables: object }).Variables);
    expect(keys("ingest")).toEqual(
      expect.arrayContaining(["SWITCHYARD_RECONCILE_QUEUE_URL", "SWITCHYARD_EVENTS_DLQ_URL"]),
    );
    expect(keys("reconcile")).toEqual(
      expect.arrayContaining(["SWITCHYARD_RECONCILE_QUEUE_URL", "SWITCHYARD_STATUS_QUEUE_URL"]),
    );
    expect(keys("status")).toEqual(expect.arrayContaining(["SWITCHYARD_FORWARDER_STATUS_QUEUE_URL"]));
    expect(keys("resync")).toEqual(
      expect.arrayContaining([
        "SWITCHYARD_RECONCILE_QUEUE_URL",
        "SWITCHYARD_RESYNC_CONTINUATION_QUEUE_URL",
        "SWITCHYARD_OWN_ROLE_ARNS",
        "SWITCHYARD_RESYNC_TICK_SECONDS",
        "SWITCHYARD_RESYNC_PERIOD_TICKS",
      ]),
    );
  });

  it("the reconcile function owns switchyard's controller names only unless acceptAwsControllerNames is set", () => {
    const flag = (variables: unknown) =>
      (variables as { Variables: Record<string, unknown> }).Variables.SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES;
    expect(flag(fn("reconcile").Environment)).toBe("false");
    const app = new App();
    const stack = new Stack(app, "Aliases", { env: { account: CONTROL_PLANE_ACCOUNT, region: REGION } });
    new ControlPlane(stack, "ControlPlane", { acceptAwsControllerNames: true, code: esbuildHandlerCode() });
    const reconcile = Object.values(Template.fromStack(stack).findResources("AWS::Lambda::Function")).find(
      (f) => (f as Resource).Properties.FunctionName === "switchyard-reconcile",
    ) as Resource | undefined;
    expect(flag(reconcile?.Properties.Environment)).toBe("true");
    // The bundled app takes it from context.
    const fromContext = buildTestApp({ "switchyard:acceptAwsControllerNames": "true" });
    const variables = Object.values(fromContext.controlPlaneTemplate.findResources("AWS::Lambda::Function"))
      .map((f) => (f as Resource).Properties)
      .find((p) => p.FunctionName === "switchyard-reconcile")?.Environment;
    expect(flag(variables)).toBe("true");
  });

  it("the reconcile function's recheck settings: the defaults, the recheck prop in whole seconds, a bad one refused at synth", () => {
    const variables = (environment: unknown) => (environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables(fn("reconcile").Environment)).toMatchObject({
      SWITCHYARD_RECHECK_FIRST_DELAY_SECONDS: "10",
      SWITCHYARD_RECHECK_MAX_DELAY_SECONDS: "60",
      SWITCHYARD_RECHECK_GIVE_UP_SECONDS: "900",
    });
    const app = new App();
    const stack = new Stack(app, "Rechecks", { env: { account: CONTROL_PLANE_ACCOUNT, region: REGION } });
    new ControlPlane(stack, "ControlPlane", {
      recheck: { firstDelay: Duration.seconds(5), maxDelay: Duration.minutes(2), giveUpAfter: Duration.hours(1) },
      code: esbuildHandlerCode(),
    });
    const reconcile = Object.values(Template.fromStack(stack).findResources("AWS::Lambda::Function")).find(
      (f) => (f as Resource).Properties.FunctionName === "switchyard-reconcile",
    ) as Resource | undefined;
    expect(variables(reconcile?.Properties.Environment)).toMatchObject({
      SWITCHYARD_RECHECK_FIRST_DELAY_SECONDS: "5",
      SWITCHYARD_RECHECK_MAX_DELAY_SECONDS: "120",
      SWITCHYARD_RECHECK_GIVE_UP_SECONDS: "3600",
    });
    const refused = new Stack(new App(), "Refused", { env: { account: CONTROL_PLANE_ACCOUNT, region: REGION } });
    expect(
      () =>
        new ControlPlane(refused, "ControlPlane", {
          recheck: { firstDelay: Duration.minutes(2), maxDelay: Duration.minutes(1) },
          code: esbuildHandlerCode(),
        }),
    ).toThrow("SWITCHYARD_RECHECK_MAX_DELAY_SECONDS");
  });

  it("resync treats the target accounts' reconcile roles as switchyard's own callers", () => {
    const own = (fn("resync").Environment as { Variables: Record<string, unknown> }).Variables.SWITCHYARD_OWN_ROLE_ARNS;
    const text = JSON.stringify(own);
    expect(text).toContain(`:iam::${TARGET_ACCOUNT}:role/switchyard-reconcile`);
    expect(text).toContain(":role/switchyard-reconcile");
  });

  it("the development stage turns on debug logging", () => {
    const dev = buildTestApp({ "switchyard:stage": "development" }).controlPlaneTemplate;
    dev.hasResourceProperties("AWS::Lambda::Function", {
      FunctionName: "switchyard-reconcile",
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: "DEBUG", POWERTOOLS_DEV: "true" }) },
    });
  }, 120_000);

  it("reconcile has reserved concurrency, and its event source never polls beyond it", () => {
    expect(fn("reconcile").ReservedConcurrentExecutions).toBe(10);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: Match.stringLikeRegexp("ReconcileFunction") },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("ingest and status report partial batch failures", () => {
    for (const id of ["Ingest", "StatusFunction"]) {
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        FunctionName: { Ref: Match.stringLikeRegexp(id) },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
    }
  });

  it("each queue's visibility timeout outlasts its function's timeout", () => {
    expect(queueNamed("switchyard-reconcile.fifo").Properties.VisibilityTimeout).toBeGreaterThan(
      fn("reconcile").Timeout as number,
    );
    expect(queueNamed("switchyard-events.fifo").Properties.VisibilityTimeout).toBeGreaterThan(
      fn("ingest").Timeout as number,
    );
    expect(queueNamed("switchyard-status").Properties.VisibilityTimeout).toBeGreaterThan(
      fn("status").Timeout as number,
    );
  });
});

describe("least privilege of the control plane's roles", () => {
  it("no statement allows an action wildcard, and no write acts on every resource", () => {
    for (const statement of identityStatements(template)) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/^\*$|:\*$/);
      if (resourcesOf(statement).includes("*")) {
        // The one read that supports no resource-level permission.
        expect(actionsOf(statement)).toEqual(["tag:GetResources"]);
      }
    }
  });

  it("ingest may list the claim-check bucket (a missing claim check is then 404, dead-lettered, not a retried 403)", () => {
    const lists = identityStatements(template).filter((s) => actionsOf(s).includes("s3:ListBucket"));
    expect(lists).toHaveLength(1);
    const [list] = lists;
    if (!list) throw new Error("no ListBucket statement");
    expect(actionsOf(list)).toEqual(["s3:ListBucket"]);
    expect(JSON.stringify(resourcesOf(list))).toMatch(/ClaimChecks[A-Z0-9]*","Arn"/);
  });

  it("the reconcile and status roles may assume only the target role, by name, in known accounts", () => {
    const assumes = identityStatements(template).filter((s) => actionsOf(s).includes("sts:AssumeRole"));
    const resources = assumes.flatMap(resourcesOf).map((r) => JSON.stringify(r));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) expect(resource).toMatch(/:role\/switchyard-reconcile"/);
    expect(resources.some((r) => r.includes(`:iam::${TARGET_ACCOUNT}:role`))).toBe(true);
  });

  it("no queue or bucket policy allows a wildcard principal", () => {
    for (const type of ["AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy", "AWS::Events::EventBusPolicy"]) {
      for (const resource of Object.values(template.findResources(type)) as Resource[]) {
        const statements = resource.Properties.PolicyDocument
          ? (resource.Properties.PolicyDocument as { Statement: { Effect: string; Principal: unknown }[] }).Statement
          : [resource.Properties.Statement as { Effect: string; Principal: unknown }];
        for (const statement of statements.filter((s) => s.Effect === "Allow")) {
          expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
        }
      }
    }
  });

  it("the target account may forward events to the default bus, and nothing else", () => {
    template.hasResourceProperties("AWS::Events::EventBusPolicy", {
      Statement: {
        Effect: "Allow",
        Action: "events:PutEvents",
        Principal: { AWS: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::${TARGET_ACCOUNT}:root`]] } },
      },
    });
  });
});

describe("schedule and AWS-event rules", () => {
  it("a rate schedule of one tick drives resync", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("Resync"), "Arn"] } })],
    });
  });

  it("the ACM rule matches exactly the certificate events resync acts on", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["aws.acm"], "detail-type": [...ACM_DETAIL_TYPES] },
    });
    const renewed = {
      id: "e1",
      source: "aws.acm",
      "detail-type": "ACM Certificate Available",
      resources: ["arn:aws:acm:eu-west-1:222222222222:certificate/abc"],
    };
    expect(classifyAwsEvent(renewed, new Set()).kind).toBe("lookup");
  });

  it("the ELB rule matches ELBv2 API calls through CloudTrail", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.elasticloadbalancing"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["elasticloadbalancing.amazonaws.com"] },
      },
    });
  });
});

describe("dashboard and alarms", () => {
  const alarms = () => Object.values(template.findResources("AWS::CloudWatch::Alarm")) as Resource[];

  it("every alarm description links its runbook section", () => {
    expect(alarms().length).toBe(14);
    const anchors = new Set(Object.values(RUNBOOK_ANCHORS));
    for (const alarm of alarms()) {
      const match = /docs\/runbook\.md#([a-z-]+)$/.exec(String(alarm.Properties.AlarmDescription));
      expect(match?.[1] && anchors.has(match[1] as never)).toBe(true);
    }
  });

  it("each dead-letter queue alarms as soon as it holds a message", () => {
    const dlqAlarms = alarms().filter((a) => String(a.Properties.AlarmName).endsWith("-dead-letters"));
    expect(dlqAlarms).toHaveLength(4);
    for (const alarm of dlqAlarms) {
      expect(alarm.Properties).toMatchObject({
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
      });
    }
  });

  it("oldest-message alarms fire past 5 minutes, error-rate alarms past 5%", () => {
    const age = alarms().filter((a) => String(a.Properties.AlarmName).endsWith("-oldest-message"));
    expect(age).toHaveLength(4);
    for (const alarm of age)
      expect(alarm.Properties).toMatchObject({ MetricName: "ApproximateAgeOfOldestMessage", Threshold: 300 });
    const errors = alarms().filter((a) => String(a.Properties.AlarmName).endsWith("-error-rate"));
    expect(errors).toHaveLength(4);
    for (const alarm of errors) expect(alarm.Properties.Threshold).toBe(5);
  });

  it("the dashboard graphs the metrics the handlers emit, under their service dimension", () => {
    const dashboard = Object.values(template.findResources("AWS::CloudWatch::Dashboard"))[0] as Resource;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const [service, metric] of [
      ["reconcile", "ReconcileDurationMs"],
      ["reconcile", "AwsCalls"],
      ["reconcile", "Rechecks"],
      ["reconcile", "RechecksGivenUp"],
      ["ingest", "EventsIngested"],
      ["status", "StatusWrites"],
    ]) {
      expect(body).toContain(`\\"switchyard\\",\\"${metric}\\",\\"service\\",\\"${service}\\"`);
    }
    expect(body).toContain('MetricName=\\\\\\"Reconciles\\\\\\" service=\\\\\\"reconcile\\\\\\"');
    for (const metric of [
      "ApproximateAgeOfOldestMessage",
      "ApproximateNumberOfMessagesVisible",
      "Throttles",
      "Errors",
    ]) {
      expect(body).toContain(metric);
    }
  });

  it("the AWS throttle-rate alarm divides the reconciler's throttles by its AWS calls, past 10 per 100", () => {
    const [alarm, ...others] = alarms().filter((a) => a.Properties.AlarmName === "switchyard-aws-throttle-rate");
    expect(others).toEqual([]);
    expect(alarm?.Properties).toMatchObject({
      Threshold: 10,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: "notBreaching",
    });
    expect(String(alarm?.Properties.AlarmDescription)).toMatch(new RegExp(`#${RUNBOOK_ANCHORS.awsThrottling}$`));
    const queries = alarm?.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] } };
    }[];
    expect(queries.find((q) => q.Expression)?.Expression).toBe("100 * throttles / MAX([calls, 1])");
    const stat = (id: string) => queries.find((q) => q.Id === id)?.MetricStat?.Metric;
    expect(stat("throttles")).toMatchObject({
      Namespace: "switchyard",
      MetricName: "AwsThrottles",
      Dimensions: [{ Name: "service", Value: "reconcile" }],
    });
    expect(stat("calls")).toMatchObject({ Namespace: "switchyard", MetricName: "AwsCalls" });
  });

  it("alarms on the first Gateway whose rechecks were given up (the reconciler's RechecksGivenUp)", () => {
    const [alarm, ...others] = alarms().filter((a) => a.Properties.AlarmName === "switchyard-rechecks-given-up");
    expect(others).toEqual([]);
    expect(alarm?.Properties).toMatchObject({
      Namespace: "switchyard",
      MetricName: "RechecksGivenUp",
      Dimensions: [{ Name: "service", Value: "reconcile" }],
      Statistic: "Sum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
    });
    expect(String(alarm?.Properties.AlarmDescription)).toMatch(new RegExp(`#${RUNBOOK_ANCHORS.rechecksGivenUp}$`));
  });

  it("the dashboard graphs AWS calls, throttles and errors by service and operation", () => {
    const dashboard = Object.values(template.findResources("AWS::CloudWatch::Dashboard"))[0] as Resource;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of ["AwsCalls", "AwsThrottles", "AwsErrors"]) {
      expect(body).toContain(
        `SEARCH('{switchyard,awsService,operation,service} MetricName=\\\\\\"${metric}\\\\\\" service=\\\\\\"reconcile\\\\\\"'`,
      );
    }
    for (const title of [
      "AWS calls by service and operation",
      "AWS throttles by service and operation (retried attempts)",
      "AWS errors by service and operation (attempts)",
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain("100 * throttles / MAX([calls, 1])");
  });

  it("thresholds and actions are props", () => {
    const app = new App();
    const stack = new Stack(app, "Tuned", { env: { account: CONTROL_PLANE_ACCOUNT, region: REGION } });
    new ControlPlane(stack, "ControlPlane", {
      name: "sy",
      code: esbuildHandlerCode(),
      observability: {
        oldestMessageAge: Duration.minutes(2),
        errorRatePercent: 1,
        throttleRatePercent: 25,
        runbookUrl: "https://runbook.example/ops",
      },
    });
    const tuned = Template.fromStack(stack);
    tuned.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "sy-reconcile-oldest-message",
      Threshold: 120,
      AlarmDescription: Match.stringLikeRegexp("https://runbook.example/ops#oldest-message-too-old$"),
    });
    tuned.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "sy-ingest-error-rate", Threshold: 1 });
    tuned.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "sy-aws-throttle-rate", Threshold: 25 });
  }, 120_000);
});
